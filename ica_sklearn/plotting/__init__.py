"""Matplotlib figures of saliency maps, in the style of Ismail et al. (2019):
mean maps per model and class with the true box outlined, and mean saliency
per time step.  matplotlib is imported when a figure is drawn."""

from ._saliency_maps import (
    mean_saliency_maps,
    normalize_maps,
    plot_saliency_maps,
    plot_saliency_over_time,
    saliency_over_time,
)

__all__ = [
    "mean_saliency_maps",
    "normalize_maps",
    "plot_saliency_maps",
    "plot_saliency_over_time",
    "saliency_over_time",
]
