"""Sanity checks for saliency maps (Adebayo et al., NeurIPS 2018).

A map that stays the same when the model's weights are replaced by random
ones, or when the model is refit on shuffled labels, explains the input, not
the model.  Both checks here recompute the maps after the change and report
how similar they stay to the original maps, per sample:

- **Spearman rank correlation** of the two maps' cells;
- **structural similarity** (SSIM, Wang et al. 2004) of the two maps as
  (time x feature) images, each min-max scaled to [0, 1].

Values near 1 mean the maps did not change: the explanation fails the check.
"""

import copy

import numpy as np
import pandas as pd
import torch
from scipy.ndimage import uniform_filter
from scipy.stats import rankdata
from sklearn.base import clone
from sklearn.utils import check_random_state

from ..utils._scaling import minmax_rows
from ..utils._torch import forked_random_state
from ._explainer import SaliencyExplainer
from ._targets import classifier_of

__all__ = ["data_randomization_check", "map_similarity", "model_randomization_check"]


def _spearman_rows(a, b):
    """Spearman correlation of every row pair (NaN entries of either left out)."""
    valid = ~(np.isnan(a) | np.isnan(b))
    ranks_a = rankdata(np.where(valid, a, np.inf), axis=1)
    ranks_b = rankdata(np.where(valid, b, np.inf), axis=1)
    count = valid.sum(axis=1)
    centred_a = np.where(valid, ranks_a - (count[:, None] + 1) / 2.0, 0.0)
    centred_b = np.where(valid, ranks_b - (count[:, None] + 1) / 2.0, 0.0)
    numerator = (centred_a * centred_b).sum(axis=1)
    denominator = np.sqrt((centred_a**2).sum(axis=1) * (centred_b**2).sum(axis=1))
    with np.errstate(invalid="ignore", divide="ignore"):
        return np.where(denominator > 0, numerator / denominator, np.nan)


def _ssim(image_a, image_b, window):
    """Mean structural similarity of two [0, 1] images (Gaussian-free, uniform window).

    The formula of Wang et al. (2004) with a uniform ``window`` x ``window``
    window, sample covariances and constants K1 = 0.01, K2 = 0.03, as
    scikit-image's ``structural_similarity`` computes it for ``data_range=1``
    (written out here to avoid that dependency for one statistic).
    """
    c1, c2 = 0.01**2, 0.03**2
    n_pixels = window * window
    unbiased = n_pixels / (n_pixels - 1.0)
    mean_a, mean_b = uniform_filter(image_a, window), uniform_filter(image_b, window)
    var_a = unbiased * (uniform_filter(image_a * image_a, window) - mean_a * mean_a)
    var_b = unbiased * (uniform_filter(image_b * image_b, window) - mean_b * mean_b)
    cov = unbiased * (uniform_filter(image_a * image_b, window) - mean_a * mean_b)
    ssim = ((2 * mean_a * mean_b + c1) * (2 * cov + c2)) / (
        (mean_a**2 + mean_b**2 + c1) * (var_a + var_b + c2)
    )
    margin = (window - 1) // 2
    return float(ssim[margin : ssim.shape[0] - margin, margin : ssim.shape[1] - margin].mean())


def map_similarity(maps_a, maps_b):
    """How similar two sets of saliency maps are, sample by sample.

    Parameters
    ----------
    maps_a, maps_b : array-like of shape (n_samples, n_timesteps, n_features)
        NaN marks padding (left out).

    Returns
    -------
    similarity : pandas.DataFrame of shape (n_samples, 2)
        ``spearman`` (rank correlation of the cells) and ``ssim`` (structural
        similarity of the maps min-max scaled to [0, 1]; padding set to 0;
        NaN for maps smaller than 3 x 3).

    Examples
    --------
    >>> import numpy as np
    >>> from ica_sklearn.explain import map_similarity
    >>> rng = np.random.RandomState(0)
    >>> maps = rng.rand(5, 20, 10)
    >>> same = map_similarity(maps, 2 * maps + 1)
    >>> bool(np.allclose(same["spearman"], 1)), bool(np.allclose(same["ssim"], 1))
    (True, True)
    >>> bool(map_similarity(maps, rng.rand(5, 20, 10))["spearman"].abs().max() < 0.3)
    True
    """
    a = np.asarray(maps_a, dtype=np.float64)
    b = np.asarray(maps_b, dtype=np.float64)
    if a.shape != b.shape or a.ndim != 3:
        raise ValueError(
            "maps_a and maps_b must have the same shape (n_samples, n_timesteps, "
            f"n_features); got {a.shape} and {b.shape}."
        )
    flat_a, flat_b = a.reshape(len(a), -1), b.reshape(len(b), -1)
    spearman = _spearman_rows(flat_a, flat_b)
    window = min(7, *a.shape[1:])
    window -= 1 - window % 2  # odd
    valid = ~(np.isnan(flat_a) | np.isnan(flat_b))
    scaled_a = minmax_rows(np.abs(np.nan_to_num(flat_a)), valid).reshape(a.shape)
    scaled_b = minmax_rows(np.abs(np.nan_to_num(flat_b)), valid).reshape(b.shape)
    if window < 3:
        ssim = np.full(len(a), np.nan)
    else:
        ssim = np.array([_ssim(x, y, window) for x, y in zip(scaled_a, scaled_b)])
    return pd.DataFrame({"spearman": spearman, "ssim": ssim})


def _layers_top_down(module):
    """(name, layer) of the module's parameterised children, output side first."""
    layers = [
        (name, child)
        for name, child in module.named_children()
        if any(True for _ in child.parameters())
    ]
    if not layers:  # a module holding its parameters directly
        layers = [("model", module)]
    return layers[::-1]


def _randomize(layer, rng):
    """Replace every parameter of ``layer`` by Gaussian noise of the same spread."""
    with torch.no_grad():
        for parameter in layer.parameters():
            scale = float(parameter.std()) if parameter.numel() > 1 else 1.0
            noise = rng.standard_normal(tuple(parameter.shape)) * (scale if scale > 0 else 1.0)
            parameter.copy_(torch.as_tensor(noise, dtype=parameter.dtype))


def _with_module(estimator, module):
    """A shallow copy of a fitted classifier whose explained module is ``module``."""
    twin = copy.copy(classifier_of(estimator))
    if hasattr(twin, "net_"):
        twin.net_ = copy.copy(twin.net_)
        twin.net_.module_ = module
    else:
        twin.module_ = module
    return twin


def model_randomization_check(estimator, X, y=None, *, random_state=None, **explainer_params):
    """Cascading model-parameter randomisation (Adebayo et al., 2018).

    The layers of the classifier's torch module are replaced by random
    weights one after the other, from the output side down to the input side
    (each step keeps the earlier randomisations); after each step the maps of
    ``X`` are recomputed and compared with those of the trained model.

    Parameters
    ----------
    estimator : fitted RNNClassifier, LinearReferenceClassifier or Pipeline ending in one
    X : array-like of shape (n_samples, n_timesteps, n_features)
    y : array-like of shape (n_samples,), optional
        Labels to explain (the explainer's ``target="auto"``).
    random_state : int, RandomState instance or None, default=None
        Seeds the random weights (and stochastic explainer methods).
    **explainer_params
        Keyword arguments of :class:`~ica_sklearn.SaliencyExplainer`
        (``method``, ``output``, ...).

    Returns
    -------
    result : pandas.DataFrame
        One row per step: ``randomized`` (the layers randomised so far, output
        side first), and the mean ``spearman`` and ``ssim`` of the maps with
        the trained model's maps.  A map that passes the check falls to low
        similarity once the weights are random.

    Examples
    --------
    >>> import numpy as np
    >>> from ica_sklearn import RNNClassifier
    >>> from ica_sklearn.explain import model_randomization_check
    >>> X = np.random.RandomState(0).normal(size=(20, 8, 4)).astype("float32")
    >>> y = np.repeat([0, 1], 10)
    >>> clf = RNNClassifier(max_epochs=2, attention_hops=2, attention_dim=4,
    ...                     random_state=0).fit(X, y)
    >>> model_randomization_check(clf, X, y, random_state=0)["randomized"].tolist()
    ['head', 'head+recurrent', 'head+recurrent+input_attention']
    """
    rng = check_random_state(random_state)
    seed = int(rng.randint(np.iinfo(np.int32).max))
    params = {"random_state": seed, **explainer_params}
    reference = SaliencyExplainer(estimator, **params).transform(X, y)
    module = copy.deepcopy(classifier_of(estimator).module_)
    rows, names = [], []
    with forked_random_state(seed):
        for name, layer in _layers_top_down(module):
            _randomize(layer, rng)
            names.append(name)
            twin = _with_module(estimator, module)
            maps = SaliencyExplainer(twin, **params).transform(
                _explained_input(estimator, X), y
            )
            similarity = map_similarity(reference, maps).mean()
            rows.append({"randomized": "+".join(names), **similarity.to_dict()})
    return pd.DataFrame(rows)


def _explained_input(estimator, X):
    """The classifier's input: X after a Pipeline's preceding steps."""
    return estimator[:-1].transform(X) if hasattr(estimator, "steps") else X


def data_randomization_check(
    estimator, X, y, *, X_explain=None, y_explain=None, random_state=None, **explainer_params
):
    """Data randomisation (Adebayo et al., 2018): refit on permuted labels.

    A clone of ``estimator`` is fitted on ``X`` with the labels shuffled, so
    it can only memorise; its maps of ``X_explain`` are compared with those
    of ``estimator`` (already fitted on the true labels).

    Parameters
    ----------
    estimator : fitted RNNClassifier, LinearReferenceClassifier or Pipeline ending in one
    X, y : array-like
        Training data; ``y`` is permuted for the refit.
    X_explain, y_explain : array-like, optional
        Data to explain (default ``X``, ``y``); ``y_explain`` is the class
        explained for both models.
    random_state : int, RandomState instance or None, default=None
        Seeds the permutation (and stochastic explainer methods).
    **explainer_params
        Keyword arguments of :class:`~ica_sklearn.SaliencyExplainer`.

    Returns
    -------
    result : pandas.DataFrame
        One row: mean ``spearman`` and ``ssim`` of the two models' maps, and
        ``permuted_train_accuracy`` (the refit model's accuracy on its
        permuted labels: how much it memorised).

    Examples
    --------
    >>> import numpy as np
    >>> from ica_sklearn import RNNClassifier
    >>> from ica_sklearn.explain import data_randomization_check
    >>> X = np.random.RandomState(0).normal(size=(20, 8, 4)).astype("float32")
    >>> y = np.repeat([0, 1], 10)
    >>> clf = RNNClassifier(max_epochs=2, attention_hops=2, attention_dim=4,
    ...                     random_state=0).fit(X, y)
    >>> sorted(data_randomization_check(clf, X, y, random_state=0))
    ['permuted_train_accuracy', 'spearman', 'ssim']
    """
    rng = check_random_state(random_state)
    seed = int(rng.randint(np.iinfo(np.int32).max))
    X_explain = X if X_explain is None else X_explain
    y_explain = y if y_explain is None else y_explain
    params = {"random_state": seed, **explainer_params}
    permuted = np.asarray(y)[rng.permutation(len(y))]
    shuffled = clone(estimator).fit(X, permuted)
    reference = SaliencyExplainer(estimator, **params).transform(X_explain, y_explain)
    maps = SaliencyExplainer(shuffled, **params).transform(X_explain, y_explain)
    similarity = map_similarity(reference, maps).mean().to_dict()
    accuracy = float(np.mean(shuffled.predict(X) == permuted))
    return pd.DataFrame([{**similarity, "permuted_train_accuracy": accuracy}])
