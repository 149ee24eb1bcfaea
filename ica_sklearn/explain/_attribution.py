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
checked in the test suite).  :func:`deeplift_degrades` detects it
and the explainer warns.

Batch independence
------------------
Every deterministic method gives a sample the map it gets alone, in any
batch: Captum's DeepLift rule for ``nn.Softmax`` subtracts a mean over the
whole call (Captum issue 1367), so with ``output="probability"`` DeepLift
and DeepLiftShap attribute one sample per call; default random baselines
are drawn once per explanation, time step by time step (so a step's
baselines do not depend on the sequence length).  Feature permutation
compares samples with each other: it gets all samples in one call, and
needs at least two.
"""

import inspect

import warnings

import numpy as np
import torch
from torch import nn

from ._method_table import METHODS, N_RANDOM_BASELINES, OUTPUTS

__all__ = [
    "DEEPLIFT_WARNING",
    "ScoreModule",
    "absolute",
    "check_method_params",
    "deeplift_degrades",
    "make_attribution",
    "predicted_indices",
    "random_baselines",
    "samples_per_call",
]


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
    >>> from ica_sklearn.explain._attribution import ScoreModule
    >>> net = RecurrentClassifierModule(3, 2, cell="gru", hidden_size=2).eval()
    >>> scores = ScoreModule(net, "probability")(torch.randn(4, 5, 3), torch.full((4,), 5))
    >>> bool(torch.allclose(scores.sum(dim=1), torch.ones(4)))
    True
    """

    def __init__(self, module, output="probability"):
        super().__init__()
        if output not in OUTPUTS:
            raise ValueError(f"output must be one of {OUTPUTS}, got {output!r}.")
        self.output = output
        self.module = module
        # Activation modules (not functions), so DeepLift can apply its rules.
        self.transform = {
            "probability": nn.Softmax(dim=1),
            "logit": nn.Identity(),
            "log_probability": nn.LogSoftmax(dim=1),
        }[output]

    def forward(self, X, lengths):
        return self.transform(self.module(X, lengths))


def deeplift_degrades(module):
    """Whether DeepLift on ``module`` falls back to gradient x (input - baseline).

    True when the module contains a fused torch recurrent layer
    (``nn.LSTM``, ``nn.GRU``, ``nn.RNN``), for which Captum has no rules.

    Examples
    --------
    >>> from torch import nn
    >>> from ica_sklearn.explain._attribution import deeplift_degrades
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


def evidence_gated_gradient(score_module, X, lengths, targets):
    """``relu(sum_f x[t, f] g[t, f]) * |g[t, f]|`` with ``g`` the gradient.

    The first factor is the first-order evidence that time step ``t`` carries
    toward the explained class (gradient x input summed over the step's
    features, against the baseline 0: the training mean of standardised
    data), with evidence against the class clipped to 0; the second is the
    model's sensitivity to each cell of that step.  One gradient pass, like
    the plain gradient; non-negative.
    """
    grad = gradient(score_module, X, lengths, targets)
    evidence = (grad * X).sum(dim=2, keepdim=True).clamp_min_(0.0)
    return evidence * grad.abs()


_GRADIENT_MAPS = {"gradient": gradient, "evidence_gated_gradient": evidence_gated_gradient}


def random_baselines(n_baselines, n_timesteps, n_features, *, generator=None, dtype=None,
                     device=None):
    """Standard-normal baselines (n_baselines, T, F): the law of standardised data.

    Drawn time step by time step, so the baselines of the first ``t`` steps
    do not depend on ``n_timesteps`` (a sample padded to a longer batch gets
    the same baselines as alone).  ``generator`` None: torch's global one.

    Examples
    --------
    >>> import torch
    >>> from ica_sklearn.explain._attribution import random_baselines
    >>> short = random_baselines(2, 3, 4, generator=torch.Generator().manual_seed(0))
    >>> long = random_baselines(2, 5, 4, generator=torch.Generator().manual_seed(0))
    >>> bool(torch.equal(long[:, :3], short))
    True
    """
    # (one draw per step: torch's sampler depends on the size of a draw)
    steps = [torch.randn((n_baselines, n_features), generator=generator, dtype=dtype)
             for _ in range(n_timesteps)]
    return torch.stack(steps, dim=1).to(device)


class _ChunkedForward(nn.Module):
    """The score module evaluated ``batch_size`` samples at a time when no
    gradient is needed (a perturbation method may stack many copies)."""

    def __init__(self, score_module, batch_size):
        super().__init__()
        self.score_module = score_module
        self.batch_size = batch_size

    def forward(self, X, lengths):
        if torch.is_grad_enabled() or len(X) <= self.batch_size:
            return self.score_module(X, lengths)
        return torch.cat([
            self.score_module(X[i : i + self.batch_size], lengths[i : i + self.batch_size])
            for i in range(0, len(X), self.batch_size)
        ])


def _captum_call(method, score_module, X, lengths, targets, params, batch_size):
    """Run one Captum method (a row of the method table) on a batch."""
    from captum import attr

    kwargs = {**method.defaults, **params}
    if method.random_baselines and "baselines" not in kwargs:
        kwargs["baselines"] = random_baselines(
            N_RANDOM_BASELINES, X.shape[1], X.shape[2], dtype=X.dtype, device=X.device
        )
    if method.batch_argument == "internal_batch_size":
        kwargs.setdefault(method.batch_argument, max(batch_size, X.shape[0]))
    elif method.batch_argument is not None:
        kwargs.setdefault(method.batch_argument, max(1, batch_size // X.shape[0]))
    algorithm = getattr(attr, method.captum_class)(score_module)
    if method.noise_tunnel:
        algorithm = attr.NoiseTunnel(algorithm)
    return algorithm.attribute(
        X, target=targets, additional_forward_args=(lengths,), **kwargs
    )


#: ``attribute`` arguments the explainer sets itself.
_SET_BY_THE_EXPLAINER = {"self", "inputs", "target", "additional_forward_args", "kwargs",
                         "return_convergence_delta"}


def check_method_params(method, method_params):
    """Raise ``ValueError`` for ``method_params`` that ``method`` does not take.

    Examples
    --------
    >>> from ica_sklearn.explain._attribution import check_method_params
    >>> check_method_params("integrated_gradients", {"n_steps": 10})
    >>> check_method_params("gradient", {"n_steps": 10})
    Traceback (most recent call last):
    ...
    ValueError: method='gradient' takes no method_params (got ['n_steps']); ...
    """
    if not method_params:
        return
    spec = METHODS[method]
    if spec.captum_class is None:
        raise ValueError(
            f"method={method!r} takes no method_params (got {sorted(method_params)}); "
            "drop them, or choose a Captum method such as 'integrated_gradients'."
        )
    from captum import attr

    classes = [getattr(attr, spec.captum_class)] + ([attr.NoiseTunnel] if spec.noise_tunnel else [])
    accepted = set().union(*(inspect.signature(c.attribute).parameters for c in classes))
    accepted -= _SET_BY_THE_EXPLAINER
    unknown = sorted(set(method_params) - accepted)
    if unknown:
        raise ValueError(
            f"method={method!r} does not take method_params {unknown}; it accepts "
            f"{sorted(accepted)}."
        )


def samples_per_call(method, method_params, batch_size, n_samples=None):
    """How many samples one attribution call may take so that at most about
    ``batch_size`` copies go through the network at once (all ``n_samples``
    for a method that compares samples with each other)."""
    spec = METHODS[method]
    if spec.population and n_samples is not None:
        return max(int(n_samples), 1)
    if spec.copies_argument is None:
        return batch_size
    params = {**spec.defaults, **(method_params or {})}
    copies = params.get(spec.copies_argument)
    if copies is None:  # default random baselines
        copies = N_RANDOM_BASELINES
    elif not isinstance(copies, int):
        copies = len(copies)
    return max(1, batch_size // max(1, int(copies)))


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
    >>> from ica_sklearn.explain._attribution import ScoreModule, make_attribution
    >>> net = RecurrentClassifierModule(3, 2, cell="lstm", hidden_size=2).eval()
    >>> attribute = make_attribution("gradient", ScoreModule(net))
    >>> attribute(torch.randn(4, 5, 3), torch.full((4,), 5), torch.zeros(4, dtype=torch.long)).shape
    torch.Size([4, 5, 3])
    """
    if method not in METHODS:
        raise ValueError(f"method must be one of {', '.join(METHODS)}; got {method!r}.")
    spec = METHODS[method]
    params = dict(method_params or {})
    one_per_call = spec.softmax_rule and getattr(score_module, "output", None) == "probability"
    if spec.population:
        score_module = _ChunkedForward(score_module, batch_size)

    def captum_attribute(X, lengths, targets):
        if spec.population and len(X) < 2:
            raise ValueError(
                f"method={method!r} permutes each feature across the explained samples, "
                f"so it needs at least 2 samples at once; got {len(X)}. Explain a "
                "group of samples together (a sample's map depends on that group)."
            )
        inputs = X.detach().requires_grad_(spec.needs_gradient)
        with warnings.catch_warnings():
            # Captum announces the hooks it sets on activations on every call.
            warnings.filterwarnings("ignore", message="Setting forward, backward hooks")
            result = _captum_call(spec, score_module, inputs, lengths, targets, params, batch_size)
        return result.detach()

    def attribute(X, lengths, targets):
        if spec.model_free:
            return torch.rand_like(X) if spec.name == "random" else X.detach().clone()
        if spec.captum_class is None:
            return _GRADIENT_MAPS[spec.name](score_module, X, lengths, targets)
        if one_per_call:
            return torch.cat([
                captum_attribute(X[i : i + 1], lengths[i : i + 1], targets[i : i + 1])
                for i in range(len(X))
            ])
        return captum_attribute(X, lengths, targets)

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
