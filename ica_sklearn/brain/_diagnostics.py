"""What a saliency map can tell: how much of it is one spatial pattern times one time course."""

import numpy as np

__all__ = ["rank_one_share"]


def rank_one_share(saliency):
    """Share of a (time x region) map's sum of squares in its best rank-1 approximation.

    A map close to 1 is one spatial pattern (which regions) times one time
    course (when): reading "region r mattered at time t" from it mostly reads
    the time course, the same for every region.

    Parameters
    ----------
    saliency : array-like of shape (n_timesteps, n_regions) or (n_maps, n_timesteps, n_regions)
        One map, or several (then one share per map).

    Returns
    -------
    share : float or ndarray of shape (n_maps,)
        ``s_1**2 / sum(s_k**2)`` of the singular values ``s_k``, in [0, 1].

    Examples
    --------
    >>> import numpy as np
    >>> from ica_sklearn.brain import rank_one_share
    >>> time_course, pattern = np.array([1.0, 2.0, 3.0]), np.array([0.0, 1.0, 4.0, 1.0])
    >>> round(float(rank_one_share(np.outer(time_course, pattern))), 6)
    1.0
    >>> round(float(rank_one_share(np.eye(4))), 2)
    0.25
    """
    maps = np.nan_to_num(np.asarray(saliency, dtype=float))
    if maps.ndim not in (2, 3):
        raise ValueError("saliency must be (n_timesteps, n_regions) or a stack of such maps.")
    singular = np.linalg.svd(maps, compute_uv=False)
    energy = (singular**2).sum(axis=-1)
    share = np.where(energy > 0, singular[..., 0] ** 2 / np.where(energy > 0, energy, 1), 0.0)
    return float(share) if maps.ndim == 2 else share
