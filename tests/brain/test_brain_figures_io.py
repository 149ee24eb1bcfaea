"""Figures of a simulated task's saliency: axes, network labels, the top regions, saving."""

import matplotlib.pyplot as plt
import numpy as np
import pytest
from .brain_figure_pixels import count_reddish, figure_of, rendered_pixels

from ica_sklearn.brain import (
    aggregate_time_windows,
    make_task_fmri_dataset,
    plot_glass_brain_windows,
    plot_region_time_heatmap,
    plot_saliency_markers,
    plot_saliency_stat_map,
)


@pytest.fixture(scope="module")
def simulation():
    return make_task_fmri_dataset(n_subjects=4, n_timesteps=80, random_state=0, return_info=True)


@pytest.fixture(scope="module")
def mean_saliency(simulation):
    _, y, _, info = simulation
    noise = np.random.default_rng(0).random(info.signal.shape[1:]) * 0.05
    return np.abs(info.signal[y == 0]).mean(axis=0) + noise


def test_heatmap_groups_regions_by_network_with_time_in_seconds(simulation, mean_saliency):
    _, y, mask, info = simulation
    figure = plot_region_time_heatmap(mean_saliency, info.atlas, mask=mask[y == 0].mean(0) > 0.5,
                                      tr=2.0)
    ax = figure.axes[0]
    assert ax.get_xlabel() == "time (s)"
    assert ax.images[0].get_extent()[1] == pytest.approx(79.5 * 2.0)
    assert [t.get_text() for t in ax.get_yticklabels()] == list(dict.fromkeys(
        info.atlas.networks))
    assert len(figure.axes) == 2 and figure.axes[1].get_ylabel() == "saliency"
    plt.close(figure)


def test_stat_map_cuts_through_the_top_region_and_draws_it(simulation, mean_saliency):
    atlas = simulation[3].atlas
    values = mean_saliency.sum(0)
    display = plot_saliency_stat_map(values, atlas, colorbar=False)
    top = atlas.coords[np.argmax(values)]
    assert display.cut_coords == pytest.approx(tuple(top))
    assert count_reddish(rendered_pixels(figure_of(display))) > 20
    display.close()


def test_output_file_saves_and_closes(tmp_path, simulation, mean_saliency):
    atlas = simulation[3].atlas
    windows = aggregate_time_windows(mean_saliency, 3)
    figure = plot_glass_brain_windows(windows, atlas, output_file=tmp_path / "glass.png")
    assert (tmp_path / "glass.png").exists() and not plt.fignum_exists(figure.number)
    display = plot_saliency_markers(mean_saliency.sum(0), atlas, top_fraction=0.1,
                                    output_file=tmp_path / "markers.png")
    assert (tmp_path / "markers.png").exists()
    assert not plt.fignum_exists(figure_of(display).number)


def test_figures_are_returned_open_without_output_file(three_spheres):
    figure = plot_region_time_heatmap(np.ones((5, 3)), three_spheres)
    assert plt.fignum_exists(figure.number)
    plt.close(figure)
