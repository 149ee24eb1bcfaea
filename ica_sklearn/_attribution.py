"""Attribution methods on batches: plain-torch gradients and Captum adapters.

Every method is turned into a function ``attribute(X, lengths, targets)``
that maps a batch of padded sequences ``X`` (B, T, F), their valid lengths
(B,) and target class indices (B,) to attributions of shape (B, T, F).  The
classifier's torch module is wrapped by :class:`ScoreModule`, which turns its
logits into the explained output (probability, logit or log-probability).

DeepLift and recurrent layers
-----------------------------
Captum's DeepLift replaces the gradient only at activation *modules* it has
rules for (``nn.ReLU``, ``nn.Sigmoid``, ``nn.Tanh``, ``nn.Softmax``, ...).
The gates of torch's fused ``nn.LSTM``/``nn.GRU``/``nn.RNN`` live inside one
C++ kernel, so DeepLift back-propagates their plain gradient: on such a
network "deeplift" is gradient x (input - baseline) (exactly so on logits,
checked in ``tests/test_explain.py``).  :func:`deeplift_degrades` detects it
and the explainer warns.
"""

import warnings
from contextlib import contextmanager

import numpy as np
import torch
from torch import nn

__all__ = [
    "METHODS",
    "DEEPLIFT_WARNING",
    "ScoreModule",
    "absolute",
    "deeplift_degrades",
    "make_attribution",
    "no_cudnn",
    "predicted_indices",
    "samples_per_call",
    "seeded",
]

#: Names accepted by ``SaliencyExplainer(method=...)``.
METHODS = (
    "gradient",
    "integrated_gradients",
    "input_x_gradient",
    "smoothgrad",
    "gradient_shap",
    "deeplift",
    "deeplift_shap",
    "occlusion",
    "feature_ablation",
    "shapley_sampling",
    "feature_permutation",
)
#: Methods whose result depends on a random draw.
STOCHASTIC_METHODS = ("smoothgrad", "gradient_shap", "shapley_sampling", "feature_permutation")
_PERTURBATION_METHODS = ("occlusion", "feature_ablation", "shapley_sampling", "feature_permutation")
OUTPUTS = ("probability", "logit", "log_probability")
_DEFAULT_N_BASELINES = 10


class ScoreModule(nn.Module):
    """The classifier's module followed by the explained output transform.

    Parameters
    ----------
    module : torch.nn.Module
        Maps ``(X, lengths)`` to logits.
    output : {"probability", "logit", "log_probability"}

    Examples
    --------
    >>> import torch
    >>> from ica_sklearn.nn import RecurrentClassifierModule
    >>> from ica_sklearn._attribution import ScoreModule
    >>> net = RecurrentClassifierModule(3, 2, cell="gru", hidden_size=2).eval()
    >>> scores = ScoreModule(net, "probability")(torch.randn(4, 5, 3), torch.full((4,), 5))
    >>> bool(torch.allclose(scores.sum(dim=1), torch.ones(4)))
    True
    """

    def __init__(self, module, output="probability"):
        super().__init__()
        if output not in OUTPUTS:
            raise ValueError(f"output must be one of {OUTPUTS}, got {output!r}.")
        self.module = module
        # Activation modules (not functions), so DeepLift can apply its rules.
        self.transform = {
            "probability": nn.Softmax(dim=1),
            "logit": nn.Identity(),
            "log_probability": nn.LogSoftmax(dim=1),
        }[output]

    def forward(self, X, lengths):
        return self.transform(self.module(X, lengths))


@contextmanager
def no_cudnn(device):
    """Disable cuDNN while attributing on a GPU.

    cuDNN's RNN kernels refuse a backward pass in eval mode; switching the
    model to train mode instead would turn dropout on.  The native kernels
    compute the same gradients.  A no-op on CPU.
    """
    if not str(device).startswith("cuda"):
        yield
        return
    with torch.backends.cudnn.flags(
        enabled=False,
        benchmark=torch.backends.cudnn.benchmark,
        deterministic=torch.backends.cudnn.deterministic,
    ):
        yield


def deeplift_degrades(module):
    """Whether DeepLift on ``module`` falls back to gradient x (input - baseline).

    True when the module contains a fused torch recurrent layer
    (``nn.LSTM``, ``nn.GRU``, ``nn.RNN``), for which Captum has no rules.

    Examples
    --------
    >>> from torch import nn
    >>> from ica_sklearn._attribution import deeplift_degrades
    >>> deeplift_degrades(nn.Sequential(nn.Linear(2, 2), nn.ReLU()))
    False
    >>> deeplift_degrades(nn.LSTM(2, 3))
    True
    """
    return any(isinstance(layer, nn.RNNBase) for layer in module.modules())


def gradient(score_module, X, lengths, targets):
    """Gradient of each sample's target output w.r.t. its input, batched.

    The samples of a batch do not interact (eval mode), so one backward pass
    of the sum of the selected outputs gives every sample's own gradient.
    """
    inputs = X.detach().requires_grad_(True)
    selected = score_module(inputs, lengths).gather(1, targets[:, None]).sum()
    (grad,) = torch.autograd.grad(selected, inputs)
    return grad


def _random_baselines(X, n_baselines):
    """Standard-normal baselines (B_k, T, F): the law of standardised data."""
    return torch.randn((n_baselines,) + tuple(X.shape[1:]), dtype=X.dtype, device=X.device)


def _captum_call(method, score_module, X, lengths, targets, params, batch_size):
    """Run one Captum method on a batch, with its memory knobs set."""
    from captum import attr

    n = X.shape[0]
    per_eval = max(1, batch_size // n)
    kwargs = dict(params)
    common = {"target": targets, "additional_forward_args": (lengths,)}
    if method == "integrated_gradients":
        kwargs.setdefault("internal_batch_size", max(batch_size, n))
        return attr.IntegratedGradients(score_module).attribute(X, **common, **kwargs)
    if method == "input_x_gradient":
        return attr.InputXGradient(score_module).attribute(X, **common, **kwargs)
    if method == "smoothgrad":
        kwargs.setdefault("nt_samples", 10)
        kwargs.setdefault("stdevs", 0.15)
        kwargs.setdefault("nt_samples_batch_size", per_eval)
        tunnel = attr.NoiseTunnel(attr.Saliency(score_module))
        return tunnel.attribute(X, nt_type="smoothgrad", abs=False, **common, **kwargs)
    if method == "gradient_shap":
        kwargs.setdefault("baselines", _random_baselines(X, _DEFAULT_N_BASELINES))
        return attr.GradientShap(score_module).attribute(X, **common, **kwargs)
    if method == "deeplift":
        return attr.DeepLift(score_module).attribute(X, **common, **kwargs)
    if method == "deeplift_shap":
        kwargs.setdefault("baselines", _random_baselines(X, _DEFAULT_N_BASELINES))
        return attr.DeepLiftShap(score_module).attribute(X, **common, **kwargs)
    kwargs.setdefault("perturbations_per_eval", per_eval)
    if method == "occlusion":
        kwargs.setdefault("sliding_window_shapes", (1, 1))
        return attr.Occlusion(score_module).attribute(X, **common, **kwargs)
    if method == "feature_ablation":
        return attr.FeatureAblation(score_module).attribute(X, **common, **kwargs)
    if method == "shapley_sampling":
        return attr.ShapleyValueSampling(score_module).attribute(X, **common, **kwargs)
    if method == "feature_permutation":
        return attr.FeaturePermutation(score_module).attribute(X, **common, **kwargs)
    raise ValueError(f"method must be one of {METHODS}, got {method!r}.")


def samples_per_call(method, method_params, batch_size):
    """How many samples one attribution call may take so that at most about
    ``batch_size`` copies go through the network at once."""
    params = method_params or {}
    if method == "gradient_shap":
        return max(1, batch_size // int(params.get("n_samples", 5)))
    if method == "deeplift_shap":
        baselines = params.get("baselines")
        n_baselines = _DEFAULT_N_BASELINES if baselines is None else len(baselines)
        return max(1, batch_size // max(1, n_baselines))
    return batch_size


def make_attribution(method, score_module, *, method_params=None, batch_size=256):
    """An ``attribute(X, lengths, targets) -> (B, T, F)`` function for ``method``.

    Parameters
    ----------
    method : str
        One of :data:`METHODS`.
    score_module : ScoreModule
        Module in eval mode.
    method_params : dict or None
        Keyword arguments passed to the Captum method's ``attribute``
        (``baselines``, ``n_steps``, ``sliding_window_shapes``, ...).
    batch_size : int
        Bound on the copies evaluated per forward pass inside a method.

    Returns
    -------
    attribute : callable
        Returns detached attributions (signed) of ``X``'s shape.

    Examples
    --------
    >>> import torch
    >>> from ica_sklearn.nn import RecurrentClassifierModule
    >>> from ica_sklearn._attribution import ScoreModule, make_attribution
    >>> net = RecurrentClassifierModule(3, 2, cell="lstm", hidden_size=2).eval()
    >>> attribute = make_attribution("gradient", ScoreModule(net))
    >>> attribute(torch.randn(4, 5, 3), torch.full((4,), 5), torch.zeros(4, dtype=torch.long)).shape
    torch.Size([4, 5, 3])
    """
    if method not in METHODS:
        raise ValueError(f"method must be one of {', '.join(METHODS)}; got {method!r}.")
    params = dict(method_params or {})

    def attribute(X, lengths, targets):
        if method == "gradient":
            return gradient(score_module, X, lengths, targets)
        inputs = X.detach().requires_grad_(method not in _PERTURBATION_METHODS)
        with warnings.catch_warnings():
            # Captum announces the hooks it sets on activations on every call.
            warnings.filterwarnings("ignore", message="Setting forward, backward hooks")
            result = _captum_call(
                method, score_module, inputs, lengths, targets, params, batch_size
            )
        return result.detach()

    return attribute


DEEPLIFT_WARNING = (
    "Captum's {method} has no DeepLift rules for torch's recurrent layers "
    "(nn.LSTM, nn.GRU, nn.RNN; input-cell attention's tanh is a function, not a "
    "module): "
    "through them it back-propagates plain gradients, so the result is gradient x "
    "(input - baseline) (with only the output softmax treated by a DeepLift rule), "
    "not a DeepLift attribution. Use method='input_x_gradient' or "
    "'integrated_gradients' to say what you compute."
)


@contextmanager
def seeded(seed, device):
    """Seed torch's and numpy's global generators (Captum draws from both) and
    restore them afterwards."""
    devices = [torch.device(device)] if str(device).startswith("cuda") else []
    numpy_state = np.random.get_state()
    try:
        with torch.random.fork_rng(devices=devices):
            torch.manual_seed(seed)
            np.random.seed(seed)
            yield
    finally:
        np.random.set_state(numpy_state)


def absolute(attribute):
    """Wrap an attribution function to return absolute values."""

    def absolute_attribute(X, lengths, targets):
        return attribute(X, lengths, targets).abs()

    return absolute_attribute


def predicted_indices(module, values, lengths, *, dtype, device, batch_size):
    """Predicted class index of every sample, in batches, without gradients."""
    module = module.eval()
    indices = []
    with torch.no_grad():
        for start in range(0, len(values), batch_size):
            part = slice(start, start + batch_size)
            X = torch.as_tensor(values[part], dtype=dtype, device=device)
            L = torch.as_tensor(lengths[part], device=device)
            indices.append(module(X, L).argmax(dim=1).cpu().numpy())
    return np.concatenate(indices).astype(np.int64)
