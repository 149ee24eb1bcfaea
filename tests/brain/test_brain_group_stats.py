"""Group statistics: false positives under the null, recovery of known regions."""

import numpy as np
import pytest
from sklearn.linear_model import LogisticRegression
from sklearn.model_selection import GroupKFold
from sklearn.pipeline import make_pipeline
from sklearn.preprocessing import FunctionTransformer

from ica_sklearn.brain import (
    label_permutation_test,
    make_task_fmri_dataset,
    plot_glass_brain_windows,
    plot_region_time_heatmap,
    sign_flip_test,
    subject_saliency_maps,
)

N_KEPT_REGIONS = 30


def flatten(X):
    return X.reshape(len(X), -1)


def linear_model():
    return make_pipeline(FunctionTransformer(flatten), LogisticRegression(C=0.05, max_iter=500))


def contribution(model, X, y):
    """Signed contribution of each cell to the logit of class 1: w * x."""
    return model[-1].coef_.reshape(X.shape[1:]) * X


def absolute_contribution(model, X, y):
    return np.abs(contribution(model, X, y))


def task_data(amplitude, random_state, n_subjects=30):
    """Simulated task fMRI on 30 of the 160 Dosenbach regions (both tasks' 4 regions kept)."""
    X, y, mask, info = make_task_fmri_dataset(
        n_subjects=n_subjects, n_runs=1, n_timesteps=30, n_task_regions=4, amplitude=amplitude,
        placement="early", onset_jitter=0, random_state=random_state, return_info=True)
    true_ids = np.concatenate(info.task_regions)
    others = np.setdiff1d(info.region_ids, true_ids)[: N_KEPT_REGIONS - true_ids.size]
    kept = np.sort(np.concatenate([true_ids, others]))
    columns = np.searchsorted(info.region_ids, kept)
    return X[:, :, columns], y, info.subject, kept, true_ids


# --- sign flip ---------------------------------------------------------------------------


def test_sign_flip_controls_the_familywise_error_under_the_null():
    rng = np.random.default_rng(0)
    n_repeats, false_positive_maps = 40, 0
    for repeat in range(n_repeats):
        maps = rng.standard_t(df=4, size=(20, 4, 25))  # heavy tails, symmetric around 0
        result = sign_flip_test(maps, n_permutations=500, random_state=repeat)
        false_positive_maps += bool(result.significant("fwer").any())
    assert false_positive_maps / n_repeats <= 0.125  # nominal 0.05; 5 of 40 is p < 0.05


def test_sign_flip_finds_the_true_cells_with_both_signs():
    rng = np.random.default_rng(1)
    maps = rng.standard_normal((25, 4, 25))
    maps[:, 1, 3] += 1.5
    maps[:, 2, 7] -= 1.5
    result = sign_flip_test(maps, n_permutations=2000, random_state=0)
    assert np.argwhere(result.significant()).tolist() == [[1, 3], [2, 7]]
    thresholded = result.thresholded_map()
    assert thresholded[1, 3] > 0 > thresholded[2, 7] and np.count_nonzero(thresholded) == 2
    assert result.significant("fdr")[[1, 2], [3, 7]].all()
    assert set(result.to_frame()["window"]) == {"scans 1-2", "scans 2-3"}


def held_out_contrast(amplitude, random_state, n_subjects=40):
    """Fit on the first half of the subjects; paired contrast maps of the other half.

    The model never saw the tested subjects, so their maps are independent given it.
    """
    X, y, subject, kept, true_ids = task_data(amplitude, random_state, n_subjects)
    train = subject < n_subjects // 2
    model = linear_model().fit(X[train], y[train])
    maps = contribution(model, X[~train], y[~train])
    subject_maps, _, bounds = subject_saliency_maps(
        maps, subject[~train], y=y[~train], contrast=(1, 0), window_seconds=12.0, tr=2.0)
    return subject_maps, bounds, kept, true_ids


def cross_fitted_contrast(amplitude, random_state, n_subjects=20):
    """Paired contrast maps pooled over the folds of a GroupKFold (the invalid recipe)."""
    X, y, subject, _, _ = task_data(amplitude, random_state, n_subjects)
    maps = np.zeros(X.shape)
    for train, test in GroupKFold(5).split(X, y, subject):
        model = linear_model().fit(X[train], y[train])
        maps[test] = contribution(model, X[test], y[test])
    return subject_saliency_maps(maps, subject, y=y, contrast=(1, 0), n_windows=5)[0]


def test_paired_contrast_of_held_out_subjects_is_empty_on_null_data():
    # One null data set gives an empty map with probability >= 95 %; the rate over many
    # is measured in test_paired_contrast_false_positive_rate_under_the_null.
    subject_maps, bounds, _, _ = held_out_contrast(amplitude=0.0, random_state=0)
    result = sign_flip_test(subject_maps, n_permutations=1000, bounds=bounds, random_state=0)
    assert not result.significant().any()
    assert not result.thresholded_map().any()


def test_paired_contrast_recovers_the_task_regions():
    subject_maps, bounds, kept, true_ids = held_out_contrast(amplitude=2.0, random_state=0)
    result = sign_flip_test(subject_maps, n_permutations=1000, bounds=bounds, tr=2.0,
                            region_ids=kept, random_state=0)
    found = set(kept[result.significant().any(axis=0)].tolist())
    assert found <= set(true_ids.tolist())
    assert len(found) >= len(true_ids) - 1
    assert result.window_labels[0] == "0-12 s"


@pytest.mark.slow
def test_paired_contrast_false_positive_rate_under_the_null():
    n_repeats, false_positive_maps = 40, 0
    for repeat in range(n_repeats):
        subject_maps, _, _, _ = held_out_contrast(0.0, 200 + repeat)
        result = sign_flip_test(subject_maps, n_permutations=500, random_state=repeat)
        false_positive_maps += bool(result.significant().any())
    assert false_positive_maps <= 5  # nominal 2 of 40; 6 or more has p < 0.02


@pytest.mark.slow
def test_pooling_cross_validation_folds_makes_the_sign_flip_liberal():
    """Each fold's model learned from the other folds' subjects: their maps are dependent."""
    false_positive_maps = sum(
        bool(sign_flip_test(cross_fitted_contrast(0.0, 200 + repeat), n_permutations=500,
                            random_state=repeat).significant().any())
        for repeat in range(10))
    assert false_positive_maps >= 3  # far above the nominal 5 %


# --- label permutation -------------------------------------------------------------------


def test_label_permutation_gives_an_empty_map_for_a_chance_level_model():
    X, y, subject, _, _ = task_data(amplitude=0.0, random_state=2, n_subjects=20)
    result = label_permutation_test(linear_model(), X, y, subject,
                                    explain=absolute_contribution, cv=GroupKFold(3),
                                    n_permutations=19, n_windows=5, random_state=0)
    assert result.details["accuracy"] < 0.7  # chance level
    assert not result.thresholded_map().any()


def test_label_permutation_recovers_the_true_regions_of_a_model_that_learned():
    X, y, subject, kept, true_ids = task_data(amplitude=2.0, random_state=2, n_subjects=20)
    result = label_permutation_test(linear_model(), X, y, subject,
                                    explain=absolute_contribution, cv=GroupKFold(3),
                                    n_permutations=19, n_windows=5, region_ids=kept,
                                    random_state=0)
    assert result.details["accuracy"] > 0.9
    found = set(kept[result.significant().any(axis=0)].tolist())
    assert found and found <= set(true_ids.tolist())
    assert result.details["null_accuracy"].mean() < 0.7


@pytest.mark.slow
def test_label_permutation_false_positive_rate_under_the_null():
    n_repeats, false_positive_maps = 20, 0
    for repeat in range(n_repeats):
        X, y, subject, _, _ = task_data(amplitude=0.0, random_state=100 + repeat,
                                        n_subjects=20)
        result = label_permutation_test(linear_model(), X, y, subject,
                                        explain=absolute_contribution, n_permutations=19,
                                        n_windows=5, random_state=repeat)
        false_positive_maps += bool(result.significant().any())
    assert false_positive_maps <= 3  # nominal 5 % of 20 is 1; 4 or more has p < 0.02


def test_results_plot_directly(three_spheres):
    rng = np.random.default_rng(0)
    maps = rng.standard_normal((12, 3, 3))
    maps[:, 0, 1] += 3.0
    result = sign_flip_test(maps, n_permutations=500, region_ids=[5, 9, 12], random_state=0)
    figure = plot_glass_brain_windows(result.thresholded_map(), three_spheres,
                                      region_ids=result.region_ids,
                                      window_labels=result.window_labels, top_fraction=None,
                                      colorbar_label="t")
    assert len(figure.displays) == 3
    heatmap = plot_region_time_heatmap(result.log10_p_map().T.T, three_spheres,
                                       region_ids=result.region_ids,
                                       colorbar_label="-log10 p (signed)")
    assert heatmap.axes[-1].get_ylabel() == "-log10 p (signed)"


def test_arguments_are_checked_with_the_fix():
    with pytest.raises(ValueError, match="at least 3 subjects"):
        sign_flip_test(np.zeros((2, 3, 3)))
    with pytest.raises(ValueError, match="contrast needs y"):
        subject_saliency_maps(np.zeros((4, 3, 3)), [0, 0, 1, 1], contrast=(0, 1))
    with pytest.raises(ValueError, match="n_permutations"):
        label_permutation_test(linear_model(), np.zeros((4, 3, 3)), [0, 1, 0, 1],
                               [0, 0, 1, 1], n_permutations=1)
    with pytest.warns(UserWarning, match="lack runs of both"):
        subject_saliency_maps(np.ones((3, 2, 2)), [0, 0, 1], y=[0, 1, 0], contrast=(1, 0))
