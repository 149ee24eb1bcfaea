"""The table of saliency methods that :class:`~ica_sklearn.SaliencyExplainer`
offers: one :class:`Method` row per ``method`` name.

A row says which Captum class computes the method (none for the plain torch
gradient), its default arguments, which Captum argument bounds the copies of
the input evaluated at once, and whether it is stochastic or needs
gradients.  :func:`~ica_sklearn.explain._attribution.make_attribution` reads
the table and nothing else about the name.  The table loads without torch
or Captum (the command line offers the names as choices).

Examples
--------
>>> from ica_sklearn.explain import METHODS
>>> METHODS["smoothgrad"].captum_class, METHODS["smoothgrad"].stochastic
('Saliency', True)
>>> [name for name, method in METHODS.items() if method.model_free]
['random', 'input']
"""

from dataclasses import dataclass, field
from types import MappingProxyType

__all__ = ["METHODS", "OUTPUTS", "Method", "N_RANDOM_BASELINES"]

#: Model outputs that can be explained.
OUTPUTS = ("probability", "logit", "log_probability")
#: Standard-normal baselines drawn for the Shapley-style methods by default.
N_RANDOM_BASELINES = 10


@dataclass(frozen=True)
class Method:
    """One row of the method table.

    Attributes
    ----------
    name : str
        The ``method`` value that selects this row.
    captum_class : str or None
        Class of :mod:`captum.attr` that computes it; None for the plain torch
        gradient of the explainer and the maps built from it, and for the
        model-free baselines.
    defaults : mapping
        Default keyword arguments of the Captum class's ``attribute``
        (``method_params`` override them).
    batch_argument : str or None
        The ``attribute`` argument that bounds how many copies go through the
        network at once, set from the explainer's ``batch_size``.
    noise_tunnel : bool
        Wrap the class in Captum's ``NoiseTunnel``.
    random_baselines : bool
        Default ``baselines``: ``N_RANDOM_BASELINES`` standard-normal draws.
    copies_argument : str or None
        The argument saying how many copies of each sample one call makes
        (e.g. GradientShap's ``n_samples``); the explainer then sends fewer
        samples per call.
    stochastic : bool
        The result depends on random draws (seeded by ``random_state``).
    needs_gradient : bool
        False for perturbation methods, which only run forward passes.
    model_free : bool
        A baseline that never looks at the model: ``"random"`` (uniform
        noise in [0, 1]) or ``"input"`` (the input itself; its magnitude
        with ``absolute=True``).  Explanations are judged against them.
    softmax_rule : bool
        Captum's DeepLift rule for ``nn.Softmax`` (``output="probability"``)
        subtracts a mean over the whole call (Captum issue 1367), mixing the
        samples of a batch: the explainer then attributes one sample per
        call.
    population : bool
        The method compares samples with each other (permutes a feature
        across samples): all explained samples go into one call, and at
        least two are needed.
    """

    name: str
    captum_class: str | None
    defaults: MappingProxyType = field(default_factory=lambda: MappingProxyType({}))
    batch_argument: str | None = None
    noise_tunnel: bool = False
    random_baselines: bool = False
    copies_argument: str | None = None
    stochastic: bool = False
    needs_gradient: bool = True
    model_free: bool = False
    softmax_rule: bool = False
    population: bool = False


def _frozen(**defaults):
    return MappingProxyType(defaults)


METHODS = {
    method.name: method
    for method in (
        Method("gradient", None),
        Method("evidence_gated_gradient", None),
        Method(
            "integrated_gradients", "IntegratedGradients", batch_argument="internal_batch_size"
        ),
        Method("input_x_gradient", "InputXGradient"),
        Method(
            "smoothgrad",
            "Saliency",
            _frozen(nt_type="smoothgrad", nt_samples=10, stdevs=0.15, abs=False),
            batch_argument="nt_samples_batch_size",
            noise_tunnel=True,
            stochastic=True,
        ),
        Method(
            "gradient_shap",
            "GradientShap",
            _frozen(n_samples=5),
            random_baselines=True,
            copies_argument="n_samples",
            stochastic=True,
        ),
        Method("deeplift", "DeepLift", softmax_rule=True),
        Method(
            "deeplift_shap",
            "DeepLiftShap",
            random_baselines=True,
            copies_argument="baselines",
            softmax_rule=True,
        ),
        Method(
            "occlusion",
            "Occlusion",
            _frozen(sliding_window_shapes=(1, 1)),
            batch_argument="perturbations_per_eval",
            needs_gradient=False,
        ),
        Method(
            "feature_ablation",
            "FeatureAblation",
            batch_argument="perturbations_per_eval",
            needs_gradient=False,
        ),
        Method(
            "shapley_sampling",
            "ShapleyValueSampling",
            batch_argument="perturbations_per_eval",
            stochastic=True,
            needs_gradient=False,
        ),
        Method(
            "feature_permutation",
            "FeaturePermutation",
            batch_argument="perturbations_per_eval",
            stochastic=True,
            needs_gradient=False,
            population=True,
        ),
        Method("random", None, stochastic=True, needs_gradient=False, model_free=True),
        Method("input", None, needs_gradient=False, model_free=True),
    )
}
"""``name -> Method`` for every value of ``SaliencyExplainer(method=...)``."""
