"""Group statistics of saliency maps: per-subject maps, null models, corrected p-values.

Two tests, each with its own null model:

- :func:`sign_flip_test`: one-sample test across subjects of per-subject maps
  that are symmetric around 0 under the null (a paired contrast of two
  conditions, a signed class contrast); the null flips each subject's sign
  (nilearn's :func:`~nilearn.mass_univariate.permuted_ols`, max-t FWER).
- :func:`label_permutation_test`: absolute maps are never symmetric around 0,
  so the null refits the model on shuffled labels and compares the observed
  group map with the maps of those null models (max-statistic FWER).

Both give a :class:`GroupSaliencyResult` of region x time-window maps:
statistics, uncorrected / FDR / FWER p-values, and thresholded maps that the
plot functions draw directly.
"""

import warnings
from dataclasses import dataclass, field

import numpy as np
from scipy import stats
from sklearn.base import clone
from sklearn.utils import check_random_state

from ._deps import require
from ._time import aggregate_time_windows, window_labels

__all__ = [
    "GroupSaliencyResult",
    "label_permutation_test",
    "sign_flip_test",
    "subject_saliency_maps",
]

CORRECTIONS = ("fwer", "fdr", None)


@dataclass
class GroupSaliencyResult:
    """Group saliency maps (time window x region) with p-values.

    Attributes
    ----------
    statistic : ndarray of shape (n_windows, n_regions)
        ``sign_flip_test``: the one-sample t of the subjects' maps (signed).
        ``label_permutation_test``: the observed group map standardised by the
        null models' maps, ``(observed - null mean) / null sd`` (a z-score,
        the sd shrunk toward the window's median).
    p_values : ndarray of shape (n_windows, n_regions)
        Uncorrected p-values.
    p_fdr : ndarray of shape (n_windows, n_regions)
        Benjamini-Hochberg adjusted p-values
        (:func:`scipy.stats.false_discovery_control`) over all cells.
    p_fwer : ndarray of shape (n_windows, n_regions)
        Family-wise error corrected p-values from the permutation distribution
        of the maximum statistic over all cells.
    null_max : ndarray of shape (n_permutations,)
        That distribution.
    group_map : ndarray of shape (n_windows, n_regions)
        The group mean of the subjects' maps (in their own units).
    bounds : ndarray of shape (n_windows, 2)
        Window starts and stops (seconds if ``tr`` was given, else scans).
    region_ids : ndarray of int or None
        Region id of each column, if given.
    method : str
        ``"sign_flip"`` or ``"label_permutation"``.
    alpha : float
        Default significance level of :meth:`significant`.
    correction : {"fwer", "fdr", None}
        Default correction of :meth:`significant`.
    tr : float or None
        Repetition time of ``bounds``.
    details : dict
        Method-specific numbers (e.g. cross-validated accuracy of the models).
    """

    statistic: np.ndarray
    p_values: np.ndarray
    p_fdr: np.ndarray
    p_fwer: np.ndarray
    null_max: np.ndarray
    group_map: np.ndarray
    bounds: np.ndarray
    region_ids: object = None
    method: str = ""
    alpha: float = 0.05
    correction: object = "fwer"
    tr: object = None
    details: dict = field(default_factory=dict)

    def p(self, correction="default"):
        """p-values of a correction: ``"fwer"``, ``"fdr"`` or None (uncorrected)."""
        correction = self.correction if correction == "default" else correction
        if correction not in CORRECTIONS:
            raise ValueError(f"correction must be one of {CORRECTIONS}, got {correction!r}.")
        return {"fwer": self.p_fwer, "fdr": self.p_fdr, None: self.p_values}[correction]

    def significant(self, correction="default", alpha=None):
        """Boolean (n_windows, n_regions) map of the cells with p <= alpha.

        A permutation p-value ``(1 + b) / (n + 1)`` is at most ``alpha`` with
        probability at most ``alpha`` under the null, hence ``<=``.
        """
        return self.p(correction) <= (self.alpha if alpha is None else alpha)

    def thresholded_map(self, correction="default", alpha=None):
        """``statistic`` where significant, 0 elsewhere: plot it directly.

        Returns
        -------
        map : ndarray of shape (n_windows, n_regions)
            Pass it to :func:`plot_region_time_heatmap` or
            :func:`plot_glass_brain_windows` (with ``top_fraction=None``), or
            one row to the single-map plots. An empty map is all zeros.
        """
        return np.where(self.significant(correction, alpha), self.statistic, 0.0)

    def log10_p_map(self, correction="default"):
        """``-log10 p`` (n_windows, n_regions), signed like ``statistic``."""
        return -np.log10(self.p(correction)) * np.sign(self.statistic)

    @property
    def window_labels(self):
        """list of str: labels of the windows (in seconds when ``tr`` was given)."""
        return window_labels(self.bounds, unit="s" if self.tr is not None else "scans")

    def to_frame(self, correction="default", alpha=None):
        """Significant cells as a table, strongest first.

        Returns
        -------
        frame : pandas.DataFrame
            Columns ``window``, ``region_id``, ``statistic``, ``p``, ``p_fdr``,
            ``p_fwer``.
        """
        import pandas as pd

        windows, columns = np.nonzero(self.significant(correction, alpha))
        ids = (np.asarray(self.region_ids)[columns] if self.region_ids is not None
               else columns)
        frame = pd.DataFrame({
            "window": np.asarray(self.window_labels)[windows],
            "region_id": ids,
            "statistic": self.statistic[windows, columns],
            "p": self.p_values[windows, columns],
            "p_fdr": self.p_fdr[windows, columns],
            "p_fwer": self.p_fwer[windows, columns],
        })
        return frame.sort_values("statistic", key=np.abs, ascending=False, ignore_index=True)

    def __repr__(self):
        n_fwer = int(self.significant("fwer").sum())
        n_fdr = int(self.significant("fdr").sum())
        return (f"GroupSaliencyResult(method={self.method!r}, shape={self.statistic.shape}, "
                f"significant at {self.alpha}: {n_fwer} cells FWER, {n_fdr} cells FDR)")


def _windowed(saliency, n_windows, window_seconds, tr):
    """(..., T, R) -> (..., W, R) and bounds; every scan is a window by default."""
    n_timesteps = saliency.shape[-2]
    if n_windows is None and window_seconds is None:
        n_windows = n_timesteps
    return aggregate_time_windows(saliency, n_windows, window_seconds=window_seconds, tr=tr,
                                  return_bounds=True)


def subject_saliency_maps(saliency, groups, *, y=None, contrast=None, n_windows=None,
                          window_seconds=None, tr=None):
    """Per-subject saliency maps (mean over each subject's runs), by time window.

    Parameters
    ----------
    saliency : array-like of shape (n_runs, n_timesteps, n_regions)
        One map per run (sample), e.g. from ``SaliencyExplainer.transform``.
    groups : array-like of shape (n_runs,)
        Subject of each run.
    y : array-like of shape (n_runs,), optional
        Condition (task) of each run; needed for ``contrast``.
    contrast : (label_a, label_b), optional
        Paired contrast: each subject's mean map over its runs of ``label_a``
        minus its mean over runs of ``label_b``. Under the null (the runs of
        the two conditions are exchangeable within a subject, and the model
        did not see this subject's labels) it is symmetric around 0, as
        :func:`sign_flip_test` needs. Subjects without runs of both are left
        out with a warning.
    n_windows : int, optional
        Average over this many windows; default one window per scan.
    window_seconds : float, optional
        Window length in seconds (needs ``tr``).
    tr : float, optional
        Repetition time; bounds are then in seconds.

    Returns
    -------
    maps : ndarray of shape (n_subjects, n_windows, n_regions)
    subjects : ndarray of shape (n_subjects,)
        Subject of each map.
    bounds : ndarray of shape (n_windows, 2)
        Window starts and stops (seconds with ``tr``, else scans).

    Examples
    --------
    >>> import numpy as np
    >>> from ica_sklearn.brain import subject_saliency_maps
    >>> saliency = np.ones((4, 6, 2)); saliency[[0, 2]] *= 3
    >>> maps, subjects, bounds = subject_saliency_maps(
    ...     saliency, groups=[0, 0, 1, 1], y=["a", "b", "a", "b"], contrast=("a", "b"),
    ...     n_windows=2)
    >>> maps.shape, maps[0, 0].tolist(), subjects.tolist()
    ((2, 2, 2), [2.0, 2.0], [0, 1])
    """
    saliency = np.asarray(saliency, dtype=float)
    if saliency.ndim != 3:
        raise ValueError("saliency must be (n_runs, n_timesteps, n_regions).")
    groups = np.asarray(groups)
    if groups.shape != (saliency.shape[0],):
        raise ValueError(f"groups has shape {groups.shape}; give one subject per run.")
    windows, bounds = _windowed(saliency, n_windows, window_seconds, tr)
    subjects = np.unique(groups)
    if contrast is None:
        maps = np.stack([np.nanmean(windows[groups == s], axis=0) for s in subjects])
        return maps, subjects, bounds
    if y is None:
        raise ValueError("contrast needs y, the condition of each run.")
    y = np.asarray(y)
    first, second = contrast
    kept, maps = [], []
    for subject in subjects:
        a = (groups == subject) & (y == first)
        b = (groups == subject) & (y == second)
        if a.any() and b.any():
            kept.append(subject)
            maps.append(np.nanmean(windows[a], axis=0) - np.nanmean(windows[b], axis=0))
    if len(kept) < len(subjects):
        warnings.warn(f"{len(subjects) - len(kept)} subjects lack runs of both {first!r} and "
                      f"{second!r} and are left out of the contrast.", stacklevel=2)
    if not kept:
        raise ValueError(f"No subject has runs of both {first!r} and {second!r}.")
    return np.stack(maps), np.asarray(kept), bounds


def _fdr(p_values):
    return stats.false_discovery_control(p_values.ravel(), method="bh").reshape(p_values.shape)


def sign_flip_test(subject_maps, *, n_permutations=10000, two_sided=True, alpha=0.05,
                   correction="fwer", bounds=None, tr=None, region_ids=None,
                   random_state=None, n_jobs=1):
    """One-sample sign-flip permutation test of per-subject maps, across subjects.

    For each (window, region) cell, the t statistic of the subjects' values
    against 0; the null flips the sign of whole subject maps at random
    (nilearn's :func:`~nilearn.mass_univariate.permuted_ols` with an
    intercept-only design), and the FWER p-value of a cell is the share of
    flips whose largest ``|t|`` over all cells reaches it. Uncorrected
    p-values (for FDR) are the t distribution's with ``n_subjects - 1``
    degrees of freedom.

    Valid when the subjects' maps are independent and each is symmetric
    around 0 under the null: a paired contrast (:func:`subject_saliency_maps`
    with ``contrast``) computed by one model fitted on *other* subjects (a
    held-out group). Two recipes are not valid. Maps pooled over
    cross-validation folds are dependent (each fold's model learned from the
    other folds' subjects), and the test becomes liberal (see the brain user
    guide for the measured rate). A fixed model's raw (not contrasted) map has
    the same non-zero pattern for every subject even at chance level. For
    those, use :func:`label_permutation_test`, which reruns the whole
    procedure on shuffled labels.

    Parameters
    ----------
    subject_maps : array-like of shape (n_subjects, n_windows, n_regions)
        From :func:`subject_saliency_maps`.
    n_permutations : int, default=10000
        Sign flips (nilearn caps them at the ``2**n_subjects`` distinct ones).
    two_sided : bool, default=True
        Test both signs (a signed map's negative cells too).
    alpha : float, default=0.05
        Default level of :meth:`GroupSaliencyResult.significant`.
    correction : {"fwer", "fdr", None}, default="fwer"
        Default correction of the result.
    bounds : array-like of shape (n_windows, 2), optional
        Window bounds (from :func:`subject_saliency_maps`), for labels.
    tr : float, optional
        Set when ``bounds`` are in seconds.
    region_ids : array-like of int, optional
        Region id of each column.
    random_state : int, RandomState or None, default=None
        Seed of the flips.
    n_jobs : int, default=1
        Parallel jobs of ``permuted_ols``.

    Returns
    -------
    result : GroupSaliencyResult

    Examples
    --------
    >>> import numpy as np
    >>> from ica_sklearn.brain import sign_flip_test
    >>> rng = np.random.default_rng(0)
    >>> maps = rng.standard_normal((20, 3, 10)); maps[:, 1, 4] += 2.0   # one true cell
    >>> result = sign_flip_test(maps, n_permutations=2000, random_state=0)
    >>> np.argwhere(result.significant()).tolist()
    [[1, 4]]
    """
    mass_univariate = require("nilearn.mass_univariate")
    maps = np.asarray(subject_maps, dtype=float)
    if maps.ndim != 3:
        raise ValueError("subject_maps must be (n_subjects, n_windows, n_regions).")
    n_subjects = maps.shape[0]
    if n_subjects < 3:
        raise ValueError(f"A group test needs at least 3 subjects, got {n_subjects}.")
    flat = np.nan_to_num(maps.reshape(n_subjects, -1))
    varying = flat.std(axis=0) > 0
    seed = check_random_state(random_state).randint(np.iinfo(np.int32).max)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # nilearn notes on few subjects / permutations
        output = mass_univariate.permuted_ols(
            np.ones((n_subjects, 1)), flat[:, varying], model_intercept=False,
            n_perm=n_permutations, two_sided_test=two_sided, random_state=seed,
            n_jobs=n_jobs, output_type="dict",
        )
    t = np.zeros(flat.shape[1])
    t[varying] = output["t"][0]
    p_fwer = np.ones(flat.shape[1])
    p_fwer[varying] = 10.0 ** -output["logp_max_t"][0]
    tail = np.abs(t) if two_sided else t
    p_values = stats.t.sf(tail, df=n_subjects - 1) * (2 if two_sided else 1)
    p_values[~varying] = 1.0
    shape = maps.shape[1:]
    bounds = _default_bounds(bounds, shape[0])
    return GroupSaliencyResult(
        statistic=t.reshape(shape), p_values=p_values.reshape(shape),
        p_fdr=_fdr(p_values).reshape(shape), p_fwer=p_fwer.reshape(shape),
        null_max=np.asarray(output["h0_max_t"][0]), group_map=np.nanmean(maps, axis=0),
        bounds=bounds, region_ids=region_ids, method="sign_flip", alpha=alpha,
        correction=correction, tr=tr, details={"n_subjects": n_subjects},
    )


def _default_bounds(bounds, n_windows):
    if bounds is None:
        return np.column_stack([np.arange(n_windows), np.arange(1, n_windows + 1)])
    return np.asarray(bounds)


def _default_explain(model, X, y):
    from ica_sklearn import SaliencyExplainer

    return SaliencyExplainer(model).transform(X, y)


def _relative(maps):
    """Each run's map divided by its total: where the model looks, not how strongly."""
    totals = np.nansum(np.abs(maps), axis=(-2, -1), keepdims=True)
    return np.abs(maps) / np.where(totals > 0, totals, 1.0)


def _fit_and_explain(estimator, X, y, groups, explain, cv):
    """Relative saliency of every run, and the accuracy of the models that made it."""
    if cv is None:
        model = clone(estimator).fit(X, y)
        return _relative(np.asarray(explain(model, X, y), dtype=float)), float(
            np.mean(model.predict(X) == y))
    maps = None
    correct = np.zeros(len(y), dtype=bool)
    for train, test in cv.split(X, y, groups):
        model = clone(estimator).fit(X[train], y[train])
        fold_maps = _relative(np.asarray(explain(model, X[test], y[test]), dtype=float))
        if maps is None:
            maps = np.zeros((len(y),) + fold_maps.shape[1:])
        maps[test] = fold_maps
        correct[test] = model.predict(X[test]) == y[test]
    return maps, float(correct.mean())


def _group_map(maps, groups, n_windows, window_seconds, tr):
    subject_maps, _, bounds = subject_saliency_maps(maps, groups, n_windows=n_windows,
                                                    window_seconds=window_seconds, tr=tr)
    return subject_maps.mean(axis=0), bounds


def _leave_one_out_z(observed, null_maps):
    """z of every map against the mean and spread of all the *other* maps.

    The observed map and the null maps are exchangeable under the null; giving
    each the same treatment (standardised by the others) keeps them so, which
    makes the permutation p-values exact. Standardising the null maps by a
    mean and sd that include themselves would shrink their z and the test
    would be liberal. A cell's own variance from a few null maps is noisy and
    gives the null maxima heavy tails, so it is averaged with the median
    variance of the window's regions (halfway shrinkage): measured on the
    simulation, this doubles the recall of true regions at the same level.
    """
    maps = np.concatenate([observed[None], null_maps])
    n_others = len(maps) - 1
    if n_others < 2:
        raise ValueError("The label-permutation test needs n_permutations >= 2.")
    total, total_sq = maps.sum(axis=0), (maps**2).sum(axis=0)
    centre = (total - maps) / n_others
    variance = np.clip((total_sq - maps**2 - n_others * centre**2) / (n_others - 1), 0, None)
    pooled = np.median(variance, axis=-1, keepdims=True)
    spread = np.sqrt((variance + pooled) / 2)
    z = np.where(spread > 0, (maps - centre) / np.where(spread > 0, spread, 1.0), 0.0)
    return z[0], z[1:]


def _shuffled_within(y, groups, rng):
    shuffled = np.array(y, copy=True)
    for subject in np.unique(groups):
        members = np.flatnonzero(groups == subject)
        shuffled[members] = y[rng.permutation(members)]
    return shuffled


def label_permutation_test(estimator, X, y, groups, *, explain=None, cv=None,
                           n_permutations=19, n_windows=None, window_seconds=None, tr=None,
                           alpha=0.05, correction="fwer", region_ids=None, random_state=None,
                           verbose=0):
    """Test absolute group saliency against models refitted on shuffled labels.

    The observed group map is the mean over subjects of each run's relative
    saliency (its ``|map|`` divided by its total, so a model's overall
    gradient scale does not count), averaged into time windows. The null:
    ``n_permutations`` models trained the same way on labels shuffled within
    each subject, explained the same way. Every cell is standardised by the
    other maps' mean and standard deviation at that cell (the latter shrunk
    toward the window's median), so cells the architecture always favours
    (e.g. the last scans of an LSTM) need the same evidence as the others;
    each null map is standardised the same way, by all the other maps, which
    keeps the test exact. The uncorrected p-value of a cell is the share of
    null maps that reach its z; the FWER p-value is the share of
    null maps whose largest z over all cells reaches it (max statistic); FDR
    is Benjamini-Hochberg over the uncorrected ones. The smallest p-value
    possible is ``1 / (n_permutations + 1)``: use at least 19 permutations
    for 0.05, 99 for 0.01.

    Parameters
    ----------
    estimator : classifier
        Unfitted (it is cloned and fitted ``(n_permutations + 1) * n_folds``
        times), e.g. ``RNNClassifier(...)``.
    X : ndarray of shape (n_runs, n_timesteps, n_regions)
        Region time series.
    y : array-like of shape (n_runs,)
        Task of each run.
    groups : array-like of shape (n_runs,)
        Subject of each run; labels are shuffled within subjects.
    explain : callable, optional
        ``explain(fitted_model, X, y) -> (n_runs, n_timesteps, n_regions)``;
        default the paper's saliency, ``SaliencyExplainer(model).transform(X, y)``.
    cv : cross-validation splitter, optional
        E.g. ``GroupKFold(5)``: maps of held-out subjects only (slower, and
        what a model generalises); default None fits on all runs and explains
        them.
    n_permutations : int, default=19
        Null models.
    n_windows, window_seconds, tr
        Time windows, as in :func:`subject_saliency_maps`.
    alpha : float, default=0.05
        Default level of the result.
    correction : {"fwer", "fdr", None}, default="fwer"
        Default correction of the result.
    region_ids : array-like of int, optional
        Region id of each column.
    random_state : int, RandomState or None, default=None
        Seeds the shuffles.
    verbose : int, default=0
        Print progress.

    Returns
    -------
    result : GroupSaliencyResult
        ``details`` holds ``accuracy`` (training or cross-validated accuracy
        of the model on the true labels) and ``null_accuracy`` (of each
        null model).

    Examples
    --------
    >>> import numpy as np
    >>> from sklearn.linear_model import LogisticRegression
    >>> from sklearn.pipeline import make_pipeline
    >>> from sklearn.preprocessing import FunctionTransformer
    >>> from ica_sklearn.brain import label_permutation_test
    >>> rng = np.random.default_rng(0)
    >>> X = rng.standard_normal((100, 4, 6)); y = np.tile([0, 1], 50)
    >>> X[y == 1, 1, 2] += 1.0                           # region 2, scan 1
    >>> flat = FunctionTransformer(lambda X: X.reshape(len(X), -1))
    >>> model = make_pipeline(flat, LogisticRegression(C=0.1))
    >>> def explain(model, X, y):                          # |w * x|
    ...     w = model[-1].coef_.reshape(X.shape[1:])
    ...     return np.abs(w * X)
    >>> result = label_permutation_test(model, X, y, groups=np.repeat(np.arange(50), 2),
    ...                                 explain=explain, n_permutations=19, random_state=0)
    >>> np.argwhere(result.significant()).tolist()
    [[1, 2]]
    """
    X = np.asarray(X)
    y = np.asarray(y)
    groups = np.asarray(groups)
    if not len(X) == len(y) == len(groups):
        raise ValueError(f"X, y and groups have {len(X)}, {len(y)} and {len(groups)} runs.")
    if n_permutations < 2:
        raise ValueError(f"n_permutations must be at least 2, got {n_permutations}.")
    explain = _default_explain if explain is None else explain
    rng = check_random_state(random_state)
    maps, accuracy = _fit_and_explain(estimator, X, y, groups, explain, cv)
    observed, bounds = _group_map(maps, groups, n_windows, window_seconds, tr)
    null_maps, null_accuracy = [], []
    for permutation in range(n_permutations):
        shuffled = _shuffled_within(y, groups, rng)
        maps, null_score = _fit_and_explain(estimator, X, shuffled, groups, explain, cv)
        null_maps.append(_group_map(maps, groups, n_windows, window_seconds, tr)[0])
        null_accuracy.append(null_score)
        if verbose:
            print(f"null model {permutation + 1}/{n_permutations}: accuracy {null_score:.2f}")
    z, null_z = _leave_one_out_z(observed, np.stack(null_maps))
    p_values = (1 + (null_z >= z).sum(axis=0)) / (n_permutations + 1)
    null_max = null_z.reshape(n_permutations, -1).max(axis=1)
    p_fwer = (1 + (null_max[:, None, None] >= z[None]).sum(axis=0)) / (n_permutations + 1)
    return GroupSaliencyResult(
        statistic=z, p_values=p_values, p_fdr=_fdr(p_values), p_fwer=p_fwer,
        null_max=np.sort(null_max), group_map=observed, bounds=bounds, region_ids=region_ids,
        method="label_permutation", alpha=alpha, correction=correction, tr=tr,
        details={"accuracy": accuracy, "null_accuracy": np.asarray(null_accuracy),
                 "n_permutations": n_permutations},
    )
