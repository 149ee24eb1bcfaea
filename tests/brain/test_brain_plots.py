"""What the brain figures draw: visible one-hot maps, signed colours, nilearn displays."""

import matplotlib.pyplot as plt
import numpy as np
import pytest
from .brain_figure_pixels import count_bluish, count_reddish, figure_of, rendered_pixels

from ica_sklearn.brain import (
    colour_scale,
    plot_glass_brain_windows,
    plot_region_time_heatmap,
    plot_saliency_glass_brain,
    plot_saliency_markers,
    plot_saliency_stat_map,
    plot_saliency_surface,
    saliency_cmap,
)

SINGLE_MAP_PLOTS = [plot_saliency_glass_brain, plot_saliency_stat_map, plot_saliency_markers]


@pytest.fixture(autouse=True)
def close_figures():
    yield
    plt.close("all")


def test_default_colour_maps_have_a_visible_top_and_a_diverging_signed_map():
    top = np.array(saliency_cmap(False)(1.0)[:3])
    assert np.linalg.norm(top - 1.0) > 1.0  # far from white (hot's top is white)
    assert np.linalg.norm(top - 0.5) > 0.4  # and from grey anatomy
    signed = saliency_cmap(True)
    low, high = np.array(signed(0.0)[:3]), np.array(signed(1.0)[:3])
    assert low[2] > low[0] and high[0] > high[2]  # blue below, red above
    assert min(np.linalg.norm(np.array(signed(x)[:3]) - 1.0) for x in (0.49, 0.51)) > 0.3


def test_colour_scale_is_symmetric_for_signed_values_and_from_zero_otherwise():
    signed = colour_scale([-3.0, 1.0, 0.1], top_fraction=None)
    assert signed.signed and (signed.vmin, signed.vmax) == (-3.0, 3.0)
    absolute = colour_scale([0.5, 2.0, 1.0], top_fraction=None)
    assert not absolute.signed and (absolute.vmin, absolute.vmax) == (0.0, 2.0)
    assert 0 < absolute.threshold < 1e-5  # the background (0) is still hidden
    top = colour_scale(np.arange(1.0, 11.0), top_fraction=0.2)
    assert 8 < top.threshold < 9


@pytest.mark.parametrize("plot", SINGLE_MAP_PLOTS, ids=lambda f: f.__name__)
def test_a_one_hot_map_is_visible(plot, three_spheres):
    display = plot([0.0, 1.0, 0.0], three_spheres, colorbar=False)  # the bar is red too
    assert count_reddish(rendered_pixels(figure_of(display))) > 20
    blank = plot([0.0, 1.0, 0.0], three_spheres, colorbar=False, cmap="hot")  # old default
    assert count_reddish(rendered_pixels(figure_of(blank))) < 20


@pytest.mark.parametrize("plot", SINGLE_MAP_PLOTS, ids=lambda f: f.__name__)
def test_signed_maps_draw_negative_regions_in_blue_on_symmetric_limits(plot, three_spheres):
    display = plot([-2.0, 1.0, 0.0], three_spheres, top_fraction=None, colorbar=False)
    pixels = rendered_pixels(figure_of(display))
    assert count_bluish(pixels) > 20 and count_reddish(pixels) > 20
    colourbar = plot([-2.0, 1.0, 0.0], three_spheres, top_fraction=None)._cbar
    assert colourbar.norm.vmin == pytest.approx(-2.0)
    assert colourbar.norm.vmax == pytest.approx(2.0)


@pytest.mark.parametrize("plot", SINGLE_MAP_PLOTS, ids=lambda f: f.__name__)
def test_plots_return_nilearn_displays_with_labelled_round_colour_bars(plot, three_spheres):
    display = plot([0.3, 2.6, 0.1], three_spheres, colorbar_label="relative saliency",
                   top_fraction=None)
    assert type(display).__module__.startswith("nilearn.plotting.displays")
    display.add_markers([[0, -80, 10]], marker_color="g")  # nilearn's display methods work
    assert display._cbar.ax.get_ylabel() == "relative saliency"
    ticks = display._cbar.get_ticks()
    assert np.allclose(ticks * 2, np.round(ticks * 2))  # round numbers, not 2.6 / 5.2 / 7.8


@pytest.mark.parametrize("plot", [plot_saliency_glass_brain, plot_saliency_stat_map],
                         ids=lambda f: f.__name__)
def test_threshold_hides_small_values_and_is_marked_on_the_colour_bar(plot, three_spheres):
    display = plot([0.2, 1.0, 0.0], three_spheres, threshold=0.5)
    lines = [line for line in display._cbar.ax.get_lines() if line.get_label() == "threshold"]
    assert len(lines) == 1 and lines[0].get_ydata()[0] == pytest.approx(0.5)
    no_top = plot([0.2, 0.0, 0.0], three_spheres, threshold=0.5, vmax=1.0, colorbar=False)
    assert count_reddish(rendered_pixels(figure_of(no_top))) == 0  # below threshold: not drawn


def test_nilearn_keywords_pass_through_and_panels_share_a_figure(three_spheres):
    figure, axes = plt.subplots(1, 2, figsize=(10, 3))
    first = plot_saliency_glass_brain([1.0, 0.0, 0.0], three_spheres, axes=axes[0],
                                      figure=figure, display_mode="z", title="a",
                                      black_bg=True, alpha=0.3)
    second = plot_saliency_stat_map([0.0, 0.0, 1.0], three_spheres, axes=axes[1],
                                    figure=figure, display_mode="z", cut_coords=[10],
                                    title="b", draw_cross=True)
    assert figure_of(first) is figure_of(second) is figure
    assert type(first).__name__ == "ZProjector" and type(second).__name__ == "ZSlicer"
    with pytest.raises((TypeError, AttributeError), match="not_a_keyword"):
        plot_saliency_stat_map([0.0, 0.0, 1.0], three_spheres, not_a_keyword=1)


def test_markers_size_by_magnitude_and_accept_node_size(three_spheres):
    display = plot_saliency_markers([-3.0, 1.0, 0.5], three_spheres, max_node_size=100)
    sizes = sorted(np.concatenate([c.get_sizes() for ax in display.axes.values()
                                   for c in ax.ax.collections if len(c.get_sizes())]))
    assert sizes[-1] == pytest.approx(100)  # |-3| is the largest
    fixed = plot_saliency_markers([-3.0, 1.0, 0.5], three_spheres, node_size=30)
    sizes = {float(s) for ax in fixed.axes.values() for c in ax.ax.collections
             for s in c.get_sizes()}
    assert sizes == {30.0}


@pytest.mark.parametrize("values", [[1.0, 1.0 + 1e-9, 1.0], [0.0, 0.0, 0.0]])
def test_markers_survive_a_narrow_or_empty_range(values, three_spheres):
    plot_saliency_markers(values, three_spheres)


def test_surface_draws_a_one_hot_and_a_signed_map(three_spheres):
    figure = plot_saliency_surface([0.0, 1.0, 0.0], three_spheres, views=("lateral",),
                                   hemispheres=("right",), colorbar=False)
    assert count_reddish(rendered_pixels(figure)) > 20
    figure = plot_saliency_surface([-1.0, 0.5, 0.0], three_spheres, views=("lateral",),
                                   hemispheres=("left",), top_fraction=None, colorbar=False)
    assert count_bluish(rendered_pixels(figure)) > 20
    figure = plot_saliency_surface([-1.0, 0.5, 0.0], three_spheres, views=("lateral",),
                                   hemispheres=("left",), top_fraction=None)
    colourbar_axis = figure.axes[-1]
    assert colourbar_axis.get_ylabel() == "saliency"


def test_glass_brain_windows_share_one_labelled_scale_with_the_threshold(three_spheres):
    windows = np.array([[1.0, 0.0, 0.2], [0.0, -0.5, 0.0]])
    figure = plot_glass_brain_windows(windows, three_spheres, window_labels=["0-20 s",
                                                                             "20-40 s"])
    assert len(figure.displays) == 2
    colourbar_axis = figure.axes[-1]
    assert colourbar_axis.get_ylabel() == "saliency"
    limits = colourbar_axis.get_ylim()
    assert limits[0] == pytest.approx(-1.0) and limits[1] == pytest.approx(1.0)
    lines = [line for line in colourbar_axis.get_lines() if line.get_label() == "threshold"]
    assert len(lines) == 2  # top 10 %: +threshold and -threshold are marked
    everything = plot_glass_brain_windows(windows, three_spheres, top_fraction=None)
    everything.axes[-1].remove()  # look at the brains only
    pixels = rendered_pixels(everything)
    assert count_reddish(pixels) > 20 and count_bluish(pixels) > 20


def test_heatmap_is_diverging_for_signed_maps(three_spheres):
    saliency = np.zeros((6, 3))
    saliency[1, 0], saliency[4, 2] = -2.0, 1.0
    figure = plot_region_time_heatmap(saliency, three_spheres, tr=2.0)
    image = figure.axes[0].images[0]
    assert image.norm.vmin == -2.0 and image.norm.vmax == 2.0
    assert figure.axes[0].get_xlabel() == "time (s)"


def test_volume_plots_refuse_a_surface_atlas_with_the_fix():
    from ica_sklearn.brain import atlas_from_surface_labels

    atlas = atlas_from_surface_labels(np.ones(10242, int), 2 * np.ones(10242, int))
    with pytest.raises(ValueError, match="plot_saliency_surface"):
        plot_saliency_stat_map([1.0, 0.0], atlas)
    display = plot_saliency_markers([1.0, 0.0], atlas)  # markers work for any atlas
    assert display is not None


def test_surface_atlas_is_drawn_on_its_own_mesh():
    from ica_sklearn.brain import atlas_from_surface_labels

    n_vertices = 10242
    left = np.where(np.arange(n_vertices) < 3000, 1, 2)
    atlas = atlas_from_surface_labels(left, 3 * np.ones(n_vertices, int))
    figure = plot_saliency_surface([1.0, 0.0, 0.0], atlas, views=("lateral", "medial"),
                                   hemispheres=("left",), colorbar=False, top_fraction=None)
    assert count_reddish(rendered_pixels(figure)) > 20
    blank = plot_saliency_surface([0.0, 0.0, 1.0], atlas, views=("lateral",),
                                  hemispheres=("left",), colorbar=False, top_fraction=None)
    assert count_reddish(rendered_pixels(blank)) == 0  # region 3 is on the right only


def test_surface_takes_nilearns_hemi_view_and_axes(three_spheres):
    figure = plt.figure()
    axes = figure.add_subplot(projection="3d")
    returned = plot_saliency_surface([0.0, 1.0, 0.0], three_spheres, hemi="right",
                                     view="lateral", axes=axes, colorbar=False)
    assert returned is figure and count_reddish(rendered_pixels(figure)) > 20
    with pytest.raises(ValueError, match="one panel"):
        plot_saliency_surface([0.0, 1.0, 0.0], three_spheres, axes=axes)
