"""Does a map say *when* and *where*?  Localisation in time and over features.

A saliency map can rank the informative features well while being flat over
time (stripes over the informative features), or the reverse.  These metrics
score the two axes separately, per sample:

- **time localisation**: the saliency mass of each time step (the sum over
  features of the sample's min-max scaled absolute saliency) as a score for
  "this step holds informative cells"; the ROC AUC of that score against the
  steps of the sample's box(es).
- **feature localisation**: the same over features (mass summed over time).

Both are 0.5 for a map that carries no information about the axis (a random
or constant map) and 1 when every informative step (feature) outweighs every
other one.  A sample whose box spans every step (feature) has no negative
step (feature) and gets NaN.
"""

import numpy as np

from ._inputs import prepare_saliency
from ._ranking import rowwise_auc

__all__ = ["feature_localization", "time_localization"]


def check_map_shape(shape):
    """Raise unless ``shape`` is that of maps ``(n_samples, n_timesteps, n_features)``."""
    if len(shape) != 3:
        raise ValueError(
            "saliency must have shape (n_samples, n_timesteps, n_features) for "
            f"localisation metrics; got shape {shape}."
        )


def _axis_auc(mask, saliency, axis):
    shape = np.shape(saliency)
    check_map_shape(shape)
    return axis_auc_of(prepare_saliency(mask, saliency), shape, axis)


def axis_auc_of(prepared, shape, axis):
    """Localisation AUC along ``axis`` (1: time, 2: features) of prepared inputs."""
    values = prepared.values.reshape(shape)
    valid = prepared.valid.reshape(shape)
    box = prepared.box.reshape(shape)
    other = 2 if axis == 1 else 1  # the axis summed over
    mass = values.sum(axis=other)
    return rowwise_auc(mass, box.any(axis=other), valid.any(axis=other))


def time_localization(mask, saliency):
    """ROC AUC of the saliency mass per time step against the box's time steps.

    Per sample: ``mass[t] = sum_f s[t, f]`` with ``s`` the min-max scaled
    absolute saliency; the positive steps are those with at least one box
    cell.  0.5 is chance, 1 is perfect; NaN when the box spans every step.

    Parameters
    ----------
    mask : array-like of bool, shape (n_timesteps, n_features) or (n_samples, n_timesteps, n_features)
        True inside the box; one mask for all samples or one per sample.
    saliency : array-like of shape (n_samples, n_timesteps, n_features)
        Saliency maps; NaN marks padding.

    Returns
    -------
    auc : ndarray of shape (n_samples,)

    See Also
    --------
    feature_localization : the same over features.

    Examples
    --------
    A map flat over time (a stripe over the box's features) localises the
    features perfectly and the time steps not at all:

    >>> import numpy as np
    >>> from ica_sklearn.metrics import feature_localization, time_localization
    >>> mask = np.zeros((4, 3), bool); mask[:2, 1] = True   # steps 0-1, feature 1
    >>> stripe = np.zeros((1, 4, 3)); stripe[0, :, 1] = 1.0
    >>> time_localization(mask, stripe), feature_localization(mask, stripe)
    (array([0.5]), array([1.]))
    """
    return _axis_auc(mask, saliency, axis=1)


def feature_localization(mask, saliency):
    """ROC AUC of the saliency mass per feature against the box's features.

    Per sample: ``mass[f] = sum_t s[t, f]`` with ``s`` the min-max scaled
    absolute saliency; the positive features are those with at least one box
    cell.  0.5 is chance, 1 is perfect; NaN when the box spans every feature.

    Parameters
    ----------
    mask, saliency
        As in :func:`time_localization`.

    Returns
    -------
    auc : ndarray of shape (n_samples,)

    See Also
    --------
    time_localization : the same over time steps.

    Examples
    --------
    >>> import numpy as np
    >>> from ica_sklearn.metrics import feature_localization
    >>> mask = np.zeros((4, 3), bool); mask[:2, 1] = True
    >>> saliency = np.zeros((1, 4, 3)); saliency[0, 0, 1] = 1.0
    >>> feature_localization(mask, saliency)
    array([1.])
    """
    return _axis_auc(mask, saliency, axis=2)
