"""ica_sklearn: recurrent classifiers with input-cell attention, explained.

scikit-learn estimators for multivariate time series
(:class:`RNNClassifier`), saliency maps that show which features at which
times drove a prediction (:class:`SaliencyExplainer`), metrics that score
those maps against known ground truth (:mod:`ica_sklearn.metrics`),
synthetic data with known ground truth (:mod:`ica_sklearn.datasets`), and
nilearn helpers that put region saliency on brain maps
(:mod:`ica_sklearn.brain`, optional extra).

Subpackages, in the order data flows through them: ``datasets`` ->
``preprocessing`` -> ``classifier`` (with the torch layers of ``nn``) ->
``explain`` -> ``metrics`` -> ``plotting`` and ``brain``; ``reproduce`` runs
the paper's Table 1 and ``cli`` is the command line.  Submodules load on
first use, so ``import ica_sklearn`` does not import torch.
"""

import lazy_loader

__version__ = "0.1.0"

__getattr__, __dir__, __all__ = lazy_loader.attach(
    __name__,
    submodules=[
        "brain",
        "classifier",
        "cli",
        "datasets",
        "explain",
        "metrics",
        "nn",
        "plotting",
        "preprocessing",
        "reproduce",
        "utils",
    ],
    submod_attrs={
        "classifier": ["RNNClassifier"],
        "explain": ["SaliencyExplainer", "feature_importance", "time_importance"],
        "metrics": ["make_saliency_scorer"],
        "preprocessing": ["TimeSeriesStandardScaler"],
    },
)
__all__ = [*__all__, "__version__"]
