"""Brain maps for fMRI region saliency (optional: ``pip install ica_sklearn[brain]``).

Features of fMRI classifiers are often brain regions. This subpackage turns a
region saliency map of shape (n_timesteps, n_regions) into NIfTI images and
figures, extracts region time series from 4D NIfTI data, and simulates a task
fMRI classification problem with known ground truth.

nilearn is imported only when a function here is called, so ``import
ica_sklearn.brain`` works without it; calling a function then raises an
ImportError that says ``pip install ica_sklearn[brain]``.
"""

from ._atlas import Atlas, atlas_from_coords, atlas_from_labels_img
from ._brain_plots import (
    plot_glass_brain_windows,
    plot_saliency_markers,
    plot_saliency_stat_map,
    plot_saliency_surface,
)
from ._coordinate_sets import load_coords_atlas
from ._heatmap import plot_region_time_heatmap
from ._images import aggregate_time_windows, saliency_to_img, top_fraction_threshold
from ._signals import RegionSignals, extract_region_signals, extract_subjects_region_signals
from ._simulation import make_task_fmri_dataset

__all__ = [
    "Atlas",
    "RegionSignals",
    "aggregate_time_windows",
    "atlas_from_coords",
    "atlas_from_labels_img",
    "extract_region_signals",
    "extract_subjects_region_signals",
    "load_coords_atlas",
    "make_task_fmri_dataset",
    "plot_glass_brain_windows",
    "plot_region_time_heatmap",
    "plot_saliency_markers",
    "plot_saliency_stat_map",
    "plot_saliency_surface",
    "saliency_to_img",
    "top_fraction_threshold",
]
