"""Saliency figures: labelled axes, titles, colour bars, the true box outlined."""

import matplotlib.pyplot as plt
import numpy as np
import pytest

from ica_sklearn.plotting import (
    mean_saliency_maps,
    normalize_maps,
    plot_saliency_maps,
    plot_saliency_over_time,
    saliency_over_time,
)


@pytest.fixture
def maps_and_mask():
    rng = np.random.RandomState(0)
    saliency = rng.rand(6, 12, 8)
    y = np.array([0, 1, 0, 1, 0, 1])
    mask = np.zeros((12, 8), bool)
    mask[:4, 2:6] = True
    return saliency, y, mask


def test_normalize_maps_scales_each_sample():
    scaled = normalize_maps(np.array([[[2.0, 4.0]], [[-1.0, -1.0]]]))
    np.testing.assert_allclose(scaled, [[[0.0, 1.0]], [[0.0, 0.0]]])


def test_mean_maps_and_curve(maps_and_mask):
    saliency, y, _ = maps_and_mask
    maps = mean_saliency_maps(saliency, y)
    assert sorted(maps) == [0, 1] and maps[0].shape == (12, 8)
    curve = saliency_over_time(saliency)
    assert curve.shape == (12,) and 0 <= curve.min() and curve.max() <= 1


def test_heatmaps_have_labels_titles_colorbars_and_box(maps_and_mask):
    saliency, y, mask = maps_and_mask
    models = {"lstm": mean_saliency_maps(saliency, y), "ica_lstm": mean_saliency_maps(saliency, y)}
    fig = plot_saliency_maps(models, mask, title="earlier box")
    images = [ax for ax in fig.axes if ax.images]
    colorbars = [ax for ax in fig.axes if not ax.images]
    assert len(images) == 4 and len(colorbars) == 1  # one scale for the whole figure
    limits = {ax.images[0].get_clim() for ax in images}
    top = max(image.max() for per_class in models.values() for image in per_class.values())
    assert len(limits) == 1 and limits.pop() == pytest.approx((0.0, top))
    for ax in images:
        assert ax.get_xlabel() == "time step" and ax.get_ylabel() == "feature"
        assert ax.get_title().endswith(("class 0", "class 1"))
        assert ax.collections, "the true box is outlined with a contour"
        # time on the x axis: the image is (features, time steps)
        assert ax.images[0].get_array().shape == (8, 12)
    assert colorbars[0].get_ylabel() == "mean saliency (shared scale)"
    assert fig._suptitle.get_text().startswith("earlier box")
    assert "min-max scaled" in fig._suptitle.get_text()
    plt.close(fig)


def test_heatmaps_without_mask(maps_and_mask):
    saliency, y, _ = maps_and_mask
    fig = plot_saliency_maps({"gru": mean_saliency_maps(saliency, y)})
    assert not any(ax.collections for ax in fig.axes if ax.images)
    plt.close(fig)


def test_time_curve_has_labels_legend_and_box_span(maps_and_mask):
    saliency, _, mask = maps_and_mask
    fig = plot_saliency_over_time({"lstm": saliency_over_time(saliency)}, mask, title="earlier box")
    (ax,) = fig.axes
    assert ax.get_xlabel() == "time step" and ax.get_ylabel() == "mean scaled saliency"
    assert ax.get_title() == "earlier box"
    labels = [text.get_text() for text in ax.get_legend().get_texts()]
    assert labels == ["true box (time)", "lstm"]
    assert len(ax.patches) == 4  # one shaded span per box time step
    plt.close(fig)
