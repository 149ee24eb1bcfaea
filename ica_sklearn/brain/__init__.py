"""Brain maps for fMRI region saliency (optional: ``pip install ica_sklearn[brain]``).

Features of fMRI classifiers are often brain regions. This subpackage reads
region time series through nilearn's maskers (labels, probabilistic maps,
spheres, surface parcellations, HCP CIFTI-2 files), turns region saliency maps
of shape (n_timesteps, n_regions) back into brain images and figures (signed
and absolute, on nilearn's displays), tests group saliency maps against null
models, and simulates task fMRI with known ground truth.

nilearn is imported only when a function here is called, so ``import
ica_sklearn.brain`` works without it; calling a function then raises an
ImportError that says ``pip install ica_sklearn[brain]``.
"""

from ._atlas import Atlas, atlas_from_coords, atlas_from_labels_img, atlas_from_maps_img
from ._brain_plots import (
    plot_glass_brain_windows,
    plot_saliency_glass_brain,
    plot_saliency_markers,
    plot_saliency_stat_map,
    plot_saliency_surface,
)
from ._cifti import (
    CiftiParcellation,
    cifti_region_signals,
    cifti_region_values_to_img,
    cifti_to_surface_and_volume,
    cifti_to_surface_image,
    load_cifti_parcellation,
)
from ._colours import ColourScale, colour_scale, saliency_cmap
from ._coordinate_sets import load_coords_atlas
from ._diagnostics import rank_one_share
from ._group_stats import (
    GroupSaliencyResult,
    label_permutation_test,
    sign_flip_test,
    subject_saliency_maps,
)
from ._heatmap import plot_region_time_heatmap
from ._images import region_values_masker, saliency_to_img, top_fraction_threshold
from ._interactive import view_saliency_img, view_saliency_markers
from ._report import SaliencyReport, saliency_report
from ._rest_noise import load_rest_region_signals, make_rest_task_dataset
from ._signals import (
    RegionSignals,
    extract_region_signals,
    extract_subjects_region_signals,
    nilearn_standardize,
)
from ._simulation import make_task_fmri_dataset
from ._surface_atlas import atlas_from_surface_labels, load_surface_mesh
from ._time import aggregate_time_windows, event_locked_saliency, window_labels

__all__ = [
    "Atlas",
    "CiftiParcellation",
    "GroupSaliencyResult",
    "ColourScale",
    "RegionSignals",
    "SaliencyReport",
    "aggregate_time_windows",
    "atlas_from_coords",
    "atlas_from_labels_img",
    "atlas_from_maps_img",
    "atlas_from_surface_labels",
    "cifti_region_signals",
    "cifti_region_values_to_img",
    "cifti_to_surface_and_volume",
    "cifti_to_surface_image",
    "colour_scale",
    "event_locked_saliency",
    "extract_region_signals",
    "extract_subjects_region_signals",
    "label_permutation_test",
    "load_cifti_parcellation",
    "load_coords_atlas",
    "load_rest_region_signals",
    "load_surface_mesh",
    "make_rest_task_dataset",
    "make_task_fmri_dataset",
    "nilearn_standardize",
    "plot_glass_brain_windows",
    "plot_region_time_heatmap",
    "plot_saliency_glass_brain",
    "plot_saliency_markers",
    "plot_saliency_stat_map",
    "plot_saliency_surface",
    "rank_one_share",
    "region_values_masker",
    "saliency_cmap",
    "saliency_report",
    "saliency_to_img",
    "sign_flip_test",
    "subject_saliency_maps",
    "top_fraction_threshold",
    "view_saliency_img",
    "view_saliency_markers",
    "window_labels",
]
