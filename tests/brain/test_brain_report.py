"""Interactive views, the HTML report and the rank-1 diagnostic."""

import matplotlib.colors as mcolors
import numpy as np
import pytest

from ica_sklearn.brain import (
    rank_one_share,
    saliency_report,
    sign_flip_test,
    view_saliency_img,
    view_saliency_markers,
)


def test_interactive_markers_are_blue_for_negative_and_red_for_positive(three_spheres,
                                                                       monkeypatch):
    import nilearn.plotting

    seen = {}
    original = nilearn.plotting.view_markers

    def spy(coords, **kwargs):
        seen.update(kwargs)
        return original(coords, **kwargs)

    monkeypatch.setattr(nilearn.plotting, "view_markers", spy)
    view = view_saliency_markers([-2.0, 1.0, 0.0], three_spheres)
    page = view.get_standalone()
    assert "left M1: -2" in page and "right M1: 1" in page
    negative, positive = (mcolors.to_rgb(c) for c in seen["marker_color"][:2])
    assert negative[2] > negative[0] + 0.2 and positive[0] > positive[2] + 0.2
    assert seen["marker_size"][0] > seen["marker_size"][1] > seen["marker_size"][2]


def test_interactive_slices_use_a_symmetric_map_for_signed_values(three_spheres):
    page = view_saliency_img([-2.0, 1.0, 0.0], three_spheres).get_standalone()
    assert "-2" in page  # the colour bar runs from -2 to 2
    absolute = view_saliency_img([2.0, 1.0, 0.0], three_spheres, title="abs").get_standalone()
    assert "abs" in absolute


def test_rank_one_share_of_a_separable_map_is_one_and_of_noise_is_small():
    rng = np.random.default_rng(0)
    separable = np.outer(rng.random(50), rng.random(30))
    assert rank_one_share(separable) == pytest.approx(1.0)
    noise = rng.standard_normal((50, 30))
    assert rank_one_share(noise) < 0.15
    assert rank_one_share(np.stack([separable, noise])).shape == (2,)


def test_report_holds_scores_caveats_figures_top_regions_and_group_cells(three_spheres,
                                                                          tmp_path):
    rng = np.random.default_rng(0)
    saliency = rng.random((6, 10, 3)) * 0.1
    saliency[:, 3:6, 1] += 1.0
    maps = rng.standard_normal((12, 2, 3))
    maps[:, 0, 1] += 3.0
    group = sign_flip_test(maps, n_permutations=500, region_ids=[5, 9, 12], random_state=0)
    report = saliency_report(saliency, three_spheres, tr=2.0, n_windows=2,
                             scores={"test accuracy": 0.55}, group_result=group)
    page = report.get_standalone()
    assert page.count("<img") >= 4  # heatmap, glass brains, slices, group heatmap
    assert "near chance level" in page
    assert "rank-1" in page and "4-6 s" in page and "2.0-3.0 scans" in page
    top_row = page.index("right M1")
    assert top_row < page.index("left M1")  # strongest region first
    assert "1 cells FWER" in page
    report.save_as_html(tmp_path / "report.html")
    assert (tmp_path / "report.html").read_text(encoding="utf-8") == page
