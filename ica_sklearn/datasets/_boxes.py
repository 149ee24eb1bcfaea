"""Synthetic "box" datasets with a known ground truth for saliency.

Each sample is a ``(n_timesteps, n_features)`` multivariate time series. The
class is carried only by the cells inside one or more boxes (a time range
times a feature range), where the class mean is added to the background; the
boolean ``mask`` returned with the data marks exactly those cells, so a
saliency map can be scored against it with :mod:`ica_sklearn.metrics`.

The named layouts are those of Table 1 of Ismail et al. (NeurIPS 2019); the
background processes beyond white noise follow the benchmark of Ismail et al.
(NeurIPS 2020).
"""

from numbers import Integral, Real

import numpy as np
from sklearn.preprocessing import StandardScaler
from sklearn.utils import check_random_state
from sklearn.utils._param_validation import Interval, StrOptions, validate_params

from ._backgrounds import BACKGROUND_PROCESSES, generate_background

__all__ = [
    "BOX_LAYOUTS",
    "MIXED_BOX_CHOICES",
    "list_box_layouts",
    "box_mask",
    "make_box_dataset",
    "make_box_train_test",
]

REFERENCE_SIZE = 100
"""Grid size (time steps and features) on which the named layouts are defined."""

BOX_LAYOUTS = {
    "earlier_box": (((0, 30), (10, 90)),),
    "latter_box": (((70, 100), (10, 90)),),
    "middle_box": (((20, 80), (20, 80)),),
    "three_earlier_boxes": (
        ((0, 40), (0, 30)),
        ((0, 40), (35, 65)),
        ((0, 40), (70, 100)),
    ),
    "three_middle_boxes": (
        ((25, 65), (0, 30)),
        ((25, 65), (35, 65)),
        ((25, 65), (70, 100)),
    ),
}
"""Fixed layouts: name -> boxes ``((t_start, t_stop), (f_start, f_stop))``.

Ranges are end-exclusive and defined on a 100 x 100 grid (the paper's size);
other grid sizes scale them proportionally (see :func:`box_mask`).
"""

MIXED_BOX_CHOICES = ("earlier_box", "middle_box", "latter_box")
"""Layouts among which "mixed_boxes" draws one box per sample, uniformly."""


def list_box_layouts():
    """Names of the built-in box layouts, in the order of the paper's Table 1.

    Returns
    -------
    names : list of str

    Examples
    --------
    >>> from ica_sklearn.datasets import list_box_layouts
    >>> list_box_layouts()  # doctest: +NORMALIZE_WHITESPACE
    ['earlier_box', 'latter_box', 'middle_box', 'three_earlier_boxes',
     'three_middle_boxes', 'mixed_boxes']
    """
    return [*BOX_LAYOUTS, "mixed_boxes"]


def _scale_position(position, size):
    """Map a position on the 100-step reference grid onto ``size`` steps."""
    return int(np.floor(position * size / REFERENCE_SIZE + 0.5))


def _scale_range(start, stop, size):
    start, stop = _scale_position(start, size), _scale_position(stop, size)
    start = min(start, size - 1)
    return start, max(stop, start + 1)


def _scaled_layout(name, n_timesteps, n_features):
    return tuple(
        (_scale_range(*time, n_timesteps), _scale_range(*feature, n_features))
        for time, feature in BOX_LAYOUTS[name]
    )


def _is_index(value):
    return isinstance(value, Integral) and not isinstance(value, bool)


def _check_range(bounds, size, axis_name, box_number):
    message = (
        f"Box {box_number}: the {axis_name} range must be (start, stop) integers with "
        f"0 <= start < stop <= {size} (n_{axis_name}s); got {bounds!r}."
    )
    try:
        start, stop = bounds
    except (TypeError, ValueError):
        raise ValueError(message) from None
    if not (_is_index(start) and _is_index(stop) and 0 <= start < stop <= size):
        raise ValueError(message)
    return int(start), int(stop)


def _check_custom_boxes(boxes, n_timesteps, n_features):
    if isinstance(boxes, np.ndarray):
        boxes = boxes.tolist()
    if not isinstance(boxes, (list, tuple)) or len(boxes) == 0:
        raise ValueError(
            "layout must be a layout name or a non-empty list of boxes "
            f"((t_start, t_stop), (f_start, f_stop)); got {boxes!r}."
        )
    checked = []
    for number, box in enumerate(boxes):
        try:
            time, feature = box
        except (TypeError, ValueError):
            raise ValueError(
                f"Box {number} must be ((t_start, t_stop), (f_start, f_stop)); got {box!r}."
            ) from None
        checked.append(
            (
                _check_range(time, n_timesteps, "timestep", number),
                _check_range(feature, n_features, "feature", number),
            )
        )
    return tuple(checked)


def _boxes_to_mask(boxes, n_timesteps, n_features):
    mask = np.zeros((n_timesteps, n_features), dtype=bool)
    for (t_start, t_stop), (f_start, f_stop) in boxes:
        mask[t_start:t_stop, f_start:f_stop] = True
    return mask


@validate_params(
    {
        "layout": [str, list, tuple, np.ndarray],
        "n_timesteps": [Interval(Integral, 1, None, closed="left")],
        "n_features": [Interval(Integral, 1, None, closed="left")],
    },
    prefer_skip_nested_validation=True,
)
def box_mask(layout, n_timesteps=100, n_features=100):
    """Boolean ``(n_timesteps, n_features)`` mask of a layout's box cells.

    Named layouts are defined on a 100 x 100 grid; for other sizes every
    range bound ``b`` becomes ``floor(b * size / 100 + 0.5)`` (so 30 of 100
    steps becomes 15 of 50), and a range that would vanish keeps one step.

    Parameters
    ----------
    layout : str or list of boxes
        A name from :data:`BOX_LAYOUTS` or a list of boxes
        ``((t_start, t_stop), (f_start, f_stop))`` in cell indices
        (end-exclusive, not rescaled). "mixed_boxes" has no single mask (its
        box differs per sample) and raises.
    n_timesteps, n_features : int, default=100
        Grid size.

    Returns
    -------
    mask : ndarray of shape (n_timesteps, n_features), dtype bool

    Examples
    --------
    >>> from ica_sklearn.datasets import box_mask
    >>> mask = box_mask("earlier_box")
    >>> mask.shape, int(mask.sum())
    ((100, 100), 2400)
    >>> int(box_mask("latter_box", n_timesteps=10, n_features=10).nonzero()[0].min())
    7
    >>> box_mask([((0, 2), (1, 3))], n_timesteps=3, n_features=4).astype(int)
    array([[0, 1, 1, 0],
           [0, 1, 1, 0],
           [0, 0, 0, 0]])
    """
    return _boxes_to_mask(_resolve_boxes(layout, n_timesteps, n_features), n_timesteps, n_features)


def _resolve_boxes(layout, n_timesteps, n_features):
    """Boxes (in cell indices) of a fixed layout name or a custom box list."""
    if isinstance(layout, str):
        if layout == "mixed_boxes":
            raise ValueError(
                "'mixed_boxes' draws a box per sample, so it has no single mask; use the "
                "mask returned by make_box_dataset, or box_mask(name) for one of "
                f"{list(MIXED_BOX_CHOICES)}."
            )
        if layout not in BOX_LAYOUTS:
            raise ValueError(
                f"Unknown box layout {layout!r}; choose one of {list_box_layouts()} "
                "or pass a list of boxes ((t_start, t_stop), (f_start, f_stop))."
            )
        return _scaled_layout(layout, n_timesteps, n_features)
    return _check_custom_boxes(layout, n_timesteps, n_features)


def _sample_masks(layout, n_samples, n_timesteps, n_features, rng):
    """Per-sample masks: one shared layout, or one box drawn per sample."""
    if isinstance(layout, str) and layout == "mixed_boxes":
        choices = np.stack(
            [box_mask(name, n_timesteps, n_features) for name in MIXED_BOX_CHOICES]
        )
        return choices[rng.randint(len(MIXED_BOX_CHOICES), size=n_samples)]
    shared = box_mask(layout, n_timesteps, n_features)
    return np.repeat(shared[np.newaxis], n_samples, axis=0)


def _balanced_labels(n_samples, n_classes, rng):
    """Labels whose class counts differ by at most one, in random order."""
    return rng.permutation(np.arange(n_samples) % n_classes)


def _check_class_means(class_means):
    means = np.asarray(class_means, dtype=float)
    if means.ndim != 1 or means.size < 2 or not np.all(np.isfinite(means)):
        raise ValueError(
            f"class_means must be a sequence of at least two finite numbers (one per "
            f"class), got {class_means!r}."
        )
    return means


@validate_params(
    {
        "layout": [str, list, tuple, np.ndarray],
        "n_samples": [Interval(Integral, 1, None, closed="left")],
        "n_timesteps": [Interval(Integral, 1, None, closed="left")],
        "n_features": [Interval(Integral, 1, None, closed="left")],
        "class_means": ["array-like"],
        "noise": [Interval(Real, 0, None, closed="left")],
        "background": [StrOptions(set(BACKGROUND_PROCESSES))],
        "random_state": ["random_state"],
    },
    prefer_skip_nested_validation=True,
)
def make_box_dataset(
    layout="earlier_box",
    n_samples=1000,
    *,
    n_timesteps=100,
    n_features=100,
    class_means=(-1.0, 1.0),
    noise=1.0,
    background="gaussian",
    random_state=None,
    **background_params,
):
    """Generate multivariate time series whose class lives in known boxes.

    Every cell is ``noise * background``; inside the box(es) the mean of the
    sample's class, ``class_means[y]``, is added. With the defaults
    (``background="gaussian"``, ``noise=1``) this is the data of Ismail et
    al. (2019): background cells ~ N(0, 1), box cells ~ N(-1, 1) for class 0
    and N(+1, 1) for class 1.

    Parameters
    ----------
    layout : str or list of boxes, default="earlier_box"
        One of :func:`list_box_layouts`, or a custom list of boxes
        ``((t_start, t_stop), (f_start, f_stop))`` in cell indices
        (end-exclusive). Named layouts are rescaled to the grid size as
        described in :func:`box_mask`. "mixed_boxes" gives each sample one
        box drawn uniformly, independently of its label, among
        :data:`MIXED_BOX_CHOICES` (earlier, middle, latter box), so its masks
        differ per sample.
    n_samples : int, default=1000
        Number of series.
    n_timesteps, n_features : int, default=100
        Length and number of channels of each series.
    class_means : sequence of float, default=(-1.0, 1.0)
        Mean added inside the boxes for each class; its length sets the
        number of classes.
    noise : float, default=1.0
        Standard deviation of the background.
    background : {"gaussian", "autoregressive", "harmonic", "narma", \
"gaussian_process"}, default="gaussian"
        Process drawing the background, independently per sample and feature,
        scaled to unit variance: i.i.d. N(0, 1); AR(1) (``ar_coefficient``,
        default 0.9); sinusoids of random phase and frequency plus white
        noise (``frequency_range`` in cycles per series, default (1, 5);
        ``noise_fraction`` of the variance, default 0.1); a NARMA-like
        nonlinear recursion (``narma_order``, default 10; ``burn_in``,
        default 50), standardised per series; a Gaussian process with a
        squared-exponential kernel (``length_scale`` in steps, default 5;
        ``noise_fraction``, default 0.01).
    random_state : int, RandomState instance or None, default=None
        Seed for labels, box positions and background.
    **background_params
        Parameters of the chosen background (see above).

    Returns
    -------
    X : ndarray of shape (n_samples, n_timesteps, n_features), dtype float32
    y : ndarray of shape (n_samples,), dtype int64
        Labels ``0 .. len(class_means) - 1``; the class counts differ by at
        most one and the order is random.
    mask : ndarray of shape (n_samples, n_timesteps, n_features), dtype bool
        True on the cells that carry the class signal.

    See Also
    --------
    make_box_train_test : standardised train and test splits, as in the paper.
    box_mask : the mask of a layout without generating data.

    Examples
    --------
    >>> from ica_sklearn.datasets import make_box_dataset
    >>> X, y, mask = make_box_dataset("middle_box", n_samples=40, random_state=0)
    >>> X.shape, X.dtype, y.shape, mask.shape
    ((40, 100, 100), dtype('float32'), (40,), (40, 100, 100))
    >>> int((y == 0).sum()), int((y == 1).sum())
    (20, 20)
    >>> inside = X[mask].reshape(40, -1).mean(axis=1)
    >>> bool(((inside > 0) == (y == 1)).all())
    True
    >>> X, y, mask = make_box_dataset(
    ...     [((2, 5), (0, 3))], n_samples=4, n_timesteps=8, n_features=3,
    ...     background="autoregressive", ar_coefficient=0.5, random_state=0)
    >>> mask[0].sum(axis=1)
    array([0, 0, 3, 3, 3, 0, 0, 0])
    """
    means = _check_class_means(class_means)
    rng = check_random_state(random_state)
    shape = (n_samples, n_timesteps, n_features)

    y = _balanced_labels(n_samples, means.size, rng)
    mask = _sample_masks(layout, n_samples, n_timesteps, n_features, rng)
    X = noise * generate_background(background, shape, rng, **background_params)
    X += mask * means[y][:, np.newaxis, np.newaxis]
    with np.errstate(over="ignore"):
        X = X.astype(np.float32)
    if not np.isfinite(X).all():
        raise ValueError(
            f"The data overflow float32 with noise={noise!r} and class_means="
            f"{class_means!r}; choose values whose sums stay below 3.4e38."
        )
    return X, y.astype(np.int64), mask


@validate_params(
    {
        "layout": [str, list, tuple, np.ndarray],
        "n_train": [Interval(Integral, 1, None, closed="left")],
        "n_test": [Interval(Integral, 1, None, closed="left")],
        "standardize": ["boolean"],
        "random_state": ["random_state"],
    },
    prefer_skip_nested_validation=True,
)
def make_box_train_test(
    layout="earlier_box",
    n_train=1000,
    n_test=300,
    *,
    standardize=True,
    random_state=None,
    **dataset_params,
):
    """Train and test box data, standardised as in Ismail et al. (2019).

    Draws ``n_train`` and then ``n_test`` samples with
    :func:`make_box_dataset` (each split class-balanced) and, when
    ``standardize`` is true, standardises every (time, feature) position to
    zero mean and unit variance with a :class:`~sklearn.preprocessing.StandardScaler`
    fitted on the training split only.

    Parameters
    ----------
    layout : str or list of boxes, default="earlier_box"
        As in :func:`make_box_dataset`.
    n_train, n_test : int, default=1000, 300
        Sizes of the two splits (the paper's).
    standardize : bool, default=True
        Whether to apply the per-position scaler fitted on the training split.
    random_state : int, RandomState instance or None, default=None
        Seed for both splits.
    **dataset_params
        Further keyword arguments of :func:`make_box_dataset`
        (``n_timesteps``, ``background``, ...).

    Returns
    -------
    X_train, X_test : ndarray of shape (n, n_timesteps, n_features), dtype float32
    y_train, y_test : ndarray of shape (n,), dtype int64
    mask_train, mask_test : ndarray of shape (n, n_timesteps, n_features), dtype bool

    Examples
    --------
    >>> from ica_sklearn.datasets import make_box_train_test
    >>> X_train, X_test, y_train, y_test, mask_train, mask_test = make_box_train_test(
    ...     "latter_box", n_train=50, n_test=20, n_timesteps=20, n_features=10,
    ...     random_state=0)
    >>> X_train.shape, X_test.shape, mask_test.shape
    ((50, 20, 10), (20, 20, 10), (20, 20, 10))
    >>> bool(abs(X_train.mean(axis=0)).max() < 1e-5)
    True
    """
    rng = check_random_state(random_state)
    X_train, y_train, mask_train = make_box_dataset(
        layout, n_train, random_state=rng, **dataset_params
    )
    X_test, y_test, mask_test = make_box_dataset(
        layout, n_test, random_state=rng, **dataset_params
    )
    if standardize:
        scaler = StandardScaler().fit(X_train.reshape(n_train, -1))
        X_train = scaler.transform(X_train.reshape(n_train, -1)).reshape(X_train.shape)
        X_test = scaler.transform(X_test.reshape(n_test, -1)).reshape(X_test.shape)
    return (
        X_train.astype(np.float32),
        X_test.astype(np.float32),
        y_train,
        y_test,
        mask_train,
        mask_test,
    )
