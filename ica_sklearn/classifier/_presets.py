"""Named settings of :class:`RNNClassifier`: what to use when.

``PAPER_PARAMS`` is the training protocol of Ismail et al. (2019), which
``ica-sklearn reproduce`` uses for Table 1: hidden size 5, Adam at 1e-3,
batches of 50, up to 400 epochs and a stop at 100 % training accuracy.  It
reproduces the paper's numbers, but its models stop after one or two epochs
and their saliency does not localise *when* (see
``docs/user_guide/what_saliency_shows.rst``).

``EXPLANATION_PARAMS`` is the setting chosen by the localisation study of
``benchmarks/study_localization.py`` for explanation studies: input-cell
attention with 32 hidden units, 30 epochs without the stop rule and an L2
penalty (``weight_decay=1e-2`` in Adam).  Explained with
:data:`~ica_sklearn.explain.EXPLANATION_EXPLAINER_PARAMS` its saliency finds
the informative cells per sample on the paper's box data.

Both are read-only mappings; pass them to the constructor
(``RNNClassifier(**EXPLANATION_PARAMS)``) or use :meth:`RNNClassifier.paper`
and :meth:`RNNClassifier.for_explanation`, which take overrides.
"""

from types import MappingProxyType

__all__ = ["EXPLANATION_PARAMS", "PAPER_PARAMS"]

PAPER_PARAMS = MappingProxyType(
    {
        "hidden_size": 5,
        "num_layers": 1,
        "attention_hops": 20,
        "attention_dim": 50,
        "dropout": 0.1,
        "pooling": "last",
        "max_epochs": 400,
        "batch_size": 50,
        "lr": 1e-3,
        "optimizer": "adam",
        "stop_at_perfect_train_accuracy": True,
        "validation_fraction": None,
    }
)
"""The paper's training protocol (Table 1 of Ismail et al., 2019)."""

EXPLANATION_PARAMS = MappingProxyType(
    {
        **PAPER_PARAMS,
        "cell": "ica_lstm",
        "hidden_size": 32,
        "max_epochs": 30,
        "stop_at_perfect_train_accuracy": False,
        "optimizer_params": {"weight_decay": 1e-2},
    }
)
"""The recommended setting for explanation studies (chosen by the localisation study)."""
