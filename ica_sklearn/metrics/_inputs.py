"""Checking and normalising the ``(mask, saliency)`` inputs of the metrics.

All metrics score each sample's saliency map the way Ismail et al. (2019)
do: take the absolute value, flatten it, and min-max scale it to [0, 1]
within the sample. NaN cells are padding: they are dropped before scaling
and never count as box or background cells. A map that is constant over its
valid cells carries no evidence about any cell and is scaled to all zeros.
"""

from typing import NamedTuple

import numpy as np

from ..utils._scaling import minmax_rows


class ScaledSaliency(NamedTuple):
    """Flattened, per-sample min-max scaled absolute saliency."""

    values: np.ndarray
    """(n_samples, n_cells) float64 in [0, 1]; 0 in padding cells."""
    valid: np.ndarray
    """(n_samples, n_cells) bool; False in padding (NaN) cells."""


class PreparedSaliency(NamedTuple):
    """Scaled saliency together with the box cells it is scored against."""

    values: np.ndarray
    """(n_samples, n_cells) float64 in [0, 1]; 0 in padding cells."""
    valid: np.ndarray
    """(n_samples, n_cells) bool; False in padding (NaN) cells."""
    box: np.ndarray
    """(n_samples, n_cells) bool; True on valid cells inside the box."""
    n_box: np.ndarray
    """(n_samples,) int; number of valid box cells, K in the paper."""


def _as_saliency_array(saliency):
    array = np.asarray(saliency)
    if array.dtype == object or not (
        np.issubdtype(array.dtype, np.number) or array.dtype == bool
    ):
        raise ValueError(f"saliency must be a numeric array, got dtype {array.dtype}.")
    if np.iscomplexobj(array):
        raise ValueError(
            "saliency is complex; the metrics score real maps. Pass np.abs(saliency) "
            "(the magnitude) or saliency.real, whichever you mean."
        )
    if array.ndim < 2:
        raise ValueError(
            "saliency must have one map per sample, shape (n_samples, n_timesteps, "
            f"n_features); got shape {array.shape}. For a single map use "
            "saliency[np.newaxis]."
        )
    if array.shape[0] == 0 or array[0].size == 0:
        raise ValueError(f"saliency is empty (shape {array.shape}).")
    array = array.astype(np.float64)
    if np.isinf(array).any():
        raise ValueError(
            "saliency contains infinite values; only finite values and NaN (padding) "
            "are allowed. Check the model for overflow."
        )
    return array


def scale_saliency(saliency):
    """Absolute value, flatten and min-max scale each sample's map.

    Parameters
    ----------
    saliency : array-like of shape (n_samples, ...)
        One map per sample; NaN marks padding.

    Returns
    -------
    ScaledSaliency
    """
    array = _as_saliency_array(saliency)
    flat = np.abs(array.reshape(array.shape[0], -1))
    valid = ~np.isnan(flat)
    empty = np.flatnonzero(~valid.any(axis=1))
    if empty.size:
        raise ValueError(
            f"saliency of sample(s) {empty[:10].tolist()} is NaN everywhere; every "
            "sample needs at least one non-padding cell."
        )
    return ScaledSaliency(minmax_rows(flat, valid), valid)


def _as_boolean_mask(mask):
    array = np.asarray(mask)
    if array.dtype != bool:
        raise ValueError(
            f"mask must be a boolean array (True inside the box), got dtype "
            f"{array.dtype}. Convert a 0/1 mask with mask.astype(bool); check that "
            "the arguments are in the order (mask, saliency)."
        )
    return array


def _broadcast_mask(mask, saliency_shape):
    if mask.shape == saliency_shape:
        return mask.reshape(saliency_shape[0], -1)
    if mask.shape == saliency_shape[1:]:
        return np.broadcast_to(mask.reshape(1, -1), (saliency_shape[0], mask.size))
    raise ValueError(
        f"mask shape {mask.shape} does not fit saliency shape {saliency_shape}: pass "
        f"either one mask shared by all samples, shape {saliency_shape[1:]}, or one "
        f"mask per sample, shape {saliency_shape}."
    )


def prepare_saliency(mask, saliency, *, require_background=False):
    """Validate ``(mask, saliency)`` and bring both to flat per-sample form.

    Parameters
    ----------
    mask : array-like of bool, shape (n_timesteps, n_features) or (n_samples, n_timesteps, n_features)
        Box cells; one mask for all samples or one per sample.
    saliency : array-like of shape (n_samples, n_timesteps, n_features)
        Saliency maps; NaN marks padding.
    require_background : bool, default=False
        Also require at least one valid cell outside the box per sample
        (needed by the AUC).

    Returns
    -------
    PreparedSaliency
    """
    mask = _as_boolean_mask(mask)
    saliency_shape = np.shape(saliency)
    scaled = scale_saliency(saliency)
    box = _broadcast_mask(mask, saliency_shape) & scaled.valid
    n_box = box.sum(axis=1)
    no_box = np.flatnonzero(n_box == 0)
    if no_box.size:
        raise ValueError(
            f"mask has no box cell (outside NaN padding) for sample(s) "
            f"{no_box[:10].tolist()}; every sample needs at least one True cell where "
            "its saliency is not NaN."
        )
    if require_background:
        all_box = np.flatnonzero(n_box == scaled.valid.sum(axis=1))
        if all_box.size:
            raise ValueError(
                f"mask covers every valid cell of sample(s) {all_box[:10].tolist()}; "
                "this metric needs at least one cell outside the box."
            )
    return PreparedSaliency(scaled.values, scaled.valid, box, n_box)
