"""Scorers that rate a fitted classifier by the quality of its explanations.

:func:`make_saliency_scorer` turns any box-accuracy metric of
:data:`ica_sklearn.metrics.SALIENCY_METRICS` into a scikit-learn scorer, so
that model selection (``GridSearchCV``, ``cross_validate``) can pick the
model whose saliency maps best find the informative cells.  The mask of
informative cells is either shared by all samples (given to the scorer) or
one per sample, passed to ``fit`` and routed to the scorer, split by split,
through scikit-learn's metadata routing.
"""

import warnings

import numpy as np
from sklearn.utils.metadata_routing import UNCHANGED, MetadataRequest

from ._evaluate import SALIENCY_METRICS

__all__ = ["make_saliency_scorer", "SaliencyScorer"]

_NO_MASK = (
    "No mask of informative cells for the saliency scorer. Either give one "
    "shared by all samples, make_saliency_scorer(metric, mask=<(n_timesteps, "
    "n_features) bool array>), or pass per-sample masks as metadata: "
    "sklearn.set_config(enable_metadata_routing=True), then "
    "GridSearchCV(..., scoring=scorer).fit(X, y, mask=<(n_samples, "
    "n_timesteps, n_features) bool array>) (or scorer(estimator, X, y, mask=...))."
)


def _check_mask(mask, saliency_shape):
    """Boolean mask of shape (T, F) or (n, T, F) matching the saliency maps."""
    mask = np.asarray(mask)
    n_samples, cells = saliency_shape[0], tuple(saliency_shape[1:])
    if mask.ndim == 2 and mask.shape == cells:
        return mask.astype(bool)
    if mask.ndim == 3 and mask.shape == (n_samples, *cells):
        return mask.astype(bool)
    raise ValueError(
        f"mask of shape {mask.shape} does not fit the saliency maps of shape "
        f"{tuple(saliency_shape)}: expected {cells} (shared by all samples) or "
        f"{(n_samples, *cells)} (one per sample). Per-sample masks must be routed "
        "so that each CV split gets the rows of its own samples."
    )


class SaliencyScorer:
    """Scorer: mean saliency metric of a fitted estimator on the given data.

    Build it with :func:`make_saliency_scorer`.  Called as
    ``scorer(estimator, X, y, **metadata)``; returns ``sign * mean metric``
    where ``sign`` is -1 for metrics where lower is better, so that greater
    is always better for scikit-learn.  A plain callable that declares its
    metadata (``mask``, ``sample_weight``) through scikit-learn's public
    :class:`~sklearn.utils.metadata_routing.MetadataRequest`.

    Parameters
    ----------
    metric : str
        Name in :data:`ica_sklearn.metrics.SALIENCY_METRICS`.
    mask : array-like of bool or None
        Mask shared by all samples, or None (masks come as metadata).
    explainer_params : dict
        Keyword arguments of :class:`ica_sklearn.SaliencyExplainer`.
    """

    def __init__(self, metric, mask, explainer_params):
        self.metric = metric
        self.mask = mask
        self.explainer_params = dict(explainer_params)
        self.sign = 1 if SALIENCY_METRICS[metric].greater_is_better else -1
        # Per-sample masks are requested by default when none is shared.
        self._metadata_request = MetadataRequest(owner=self)
        self._metadata_request.score.add_request(
            param="mask", alias=True if mask is None else None
        )
        self._metadata_request.score.add_request(param="sample_weight", alias=None)

    def __repr__(self):
        shared = ", mask=<shared>" if self.mask is not None else ""
        params = "".join(f", {k}={v!r}" for k, v in self.explainer_params.items())
        return f"make_saliency_scorer({self.metric!r}{shared}{params})"

    def get_metadata_routing(self):
        """The metadata this scorer requests (``mask``, ``sample_weight``).

        Returns
        -------
        request : sklearn.utils.metadata_routing.MetadataRequest
        """
        return self._metadata_request

    def set_score_request(self, *, mask=UNCHANGED, sample_weight=UNCHANGED):
        """Say which metadata the scorer requests when routing is enabled.

        Parameters
        ----------
        mask, sample_weight : bool, None or str, default=UNCHANGED
            True: requested; False: not requested; None: error if given;
            a string: requested under that alias.

        Returns
        -------
        self : SaliencyScorer
        """
        for param, alias in (("mask", mask), ("sample_weight", sample_weight)):
            if alias is not UNCHANGED:
                self._metadata_request.score.add_request(param=param, alias=alias)
        return self

    def _accept_sample_weight(self):
        # Asked by scikit-learn's multi-metric scorer when routing is off.
        return True

    def __call__(self, estimator, X, y_true, mask=None, sample_weight=None):
        """Explain ``X`` for the true labels and average the metric.

        Parameters
        ----------
        estimator : fitted RNNClassifier or Pipeline ending in one
        X : array-like of shape (n_samples, n_timesteps, n_features)
        y_true : array-like of shape (n_samples,)
        mask : array-like of bool of shape (n_samples, n_timesteps, n_features), optional
            Per-sample masks; overrides a shared mask (with a warning).
        sample_weight : array-like of shape (n_samples,), optional

        Returns
        -------
        score : float
        """
        from ..explain import SaliencyExplainer

        if mask is None:
            mask = self.mask
        elif self.mask is not None:
            warnings.warn(
                "A per-sample mask was routed to a scorer made with a shared "
                "mask; the routed mask is used.",
                UserWarning,
            )
        if mask is None:
            raise ValueError(_NO_MASK)
        saliency = SaliencyExplainer(estimator, **self.explainer_params).transform(X, y_true)
        values = SALIENCY_METRICS[self.metric].function(_check_mask(mask, saliency.shape), saliency)
        return self.sign * _mean(values, sample_weight)


def _mean(values, sample_weight):
    """Mean of the per-sample values (weighted), ignoring NaN values."""
    values = np.asarray(values, dtype=float)
    weights = np.ones_like(values) if sample_weight is None else np.asarray(sample_weight, float)
    keep = ~np.isnan(values)
    if not keep.any():
        return float("nan")
    return float(np.average(values[keep], weights=weights[keep]))


def make_saliency_scorer(metric="weighted_jaccard", *, mask=None, **explainer_params):
    """Make a scikit-learn scorer from a box-accuracy saliency metric.

    The scorer explains the fitted estimator on the scored data with
    :class:`~ica_sklearn.SaliencyExplainer` (target: the true labels ``y``,
    as in Ismail et al., 2019), compares each map with the mask of
    informative cells and returns the mean metric.  Use it in
    ``GridSearchCV(..., scoring={"acc": "accuracy", "wjac": scorer},
    refit="wjac")`` to select models by explanation quality.

    Parameters
    ----------
    metric : str, default="weighted_jaccard"
        A name of :data:`ica_sklearn.metrics.SALIENCY_METRICS`.  For metrics
        where lower is better (``"euclidean_distance"``) the scorer returns
        the negated mean, as scikit-learn's ``neg_*`` scorers do.
    mask : array-like of bool of shape (n_timesteps, n_features), default=None
        Informative cells, shared by all samples.  When None, the scorer
        requests per-sample masks of shape (n_samples, n_timesteps,
        n_features) as metadata named ``mask``: enable routing with
        ``sklearn.set_config(enable_metadata_routing=True)`` and pass
        ``mask=...`` to ``GridSearchCV.fit`` (each split then receives the
        rows of its own samples) or to the scorer call.
    **explainer_params
        Keyword arguments of :class:`~ica_sklearn.SaliencyExplainer`
        (``method``, ``output``, ``tsr``, ``batch_size``, ...).

    Returns
    -------
    scorer : SaliencyScorer
        Callable ``scorer(estimator, X, y, **metadata) -> float``; greater is
        better.  ``set_score_request(mask=...)`` changes which metadata it
        requests.

    Raises
    ------
    ValueError
        For an unknown metric.  When called: when no mask is available or
        its shape does not fit the data.

    See Also
    --------
    ica_sklearn.metrics.SALIENCY_METRICS : the metrics and their directions.
    ica_sklearn.metrics.evaluate_saliency : all metrics of given maps.

    Examples
    --------
    A mask shared by all samples:

    >>> from ica_sklearn import RNNClassifier
    >>> from ica_sklearn.datasets import make_box_dataset
    >>> from ica_sklearn.metrics import make_saliency_scorer
    >>> X, y, mask = make_box_dataset([((0, 4), (1, 3))], n_samples=40,
    ...                               n_timesteps=8, n_features=4, random_state=0)
    >>> clf = RNNClassifier(max_epochs=2, hidden_size=3, attention_hops=2,
    ...                     attention_dim=4, random_state=0).fit(X, y)
    >>> scorer = make_saliency_scorer("weighted_jaccard", mask=mask[0])
    >>> 0.0 <= scorer(clf, X, y) <= 1.0
    True
    >>> make_saliency_scorer("euclidean_distance", mask=mask[0])(clf, X, y) < 0
    True

    Per-sample masks routed through a grid search:

    >>> import sklearn
    >>> from sklearn.model_selection import GridSearchCV
    >>> with sklearn.config_context(enable_metadata_routing=True):
    ...     search = GridSearchCV(
    ...         RNNClassifier(max_epochs=2, hidden_size=3, attention_hops=2,
    ...                       attention_dim=4, random_state=0),
    ...         {"cell": ["lstm", "ica_lstm"]}, cv=2,
    ...         scoring={"acc": "accuracy", "wjac": make_saliency_scorer()},
    ...         refit="wjac",
    ...     ).fit(X, y, mask=mask)
    >>> search.cv_results_["mean_test_wjac"].shape
    (2,)
    """
    if metric not in SALIENCY_METRICS:
        raise ValueError(
            f"Unknown saliency metric {metric!r}; choose from {list(SALIENCY_METRICS)}."
        )
    if mask is not None:
        mask = np.asarray(mask)
        if mask.ndim != 2:
            raise ValueError(
                f"mask given to make_saliency_scorer is shared by all samples and must "
                f"be 2D (n_timesteps, n_features), got shape {mask.shape}. Route "
                "per-sample masks as metadata instead: fit(X, y, mask=...) with "
                "sklearn.set_config(enable_metadata_routing=True)."
            )
    return SaliencyScorer(metric, mask, explainer_params)
