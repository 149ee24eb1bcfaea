"""Tests of ica_sklearn.scoring: saliency scorers for model selection."""

import numpy as np
import pytest
import sklearn
from sklearn.base import clone
from sklearn.model_selection import GridSearchCV, KFold, cross_validate

from ica_sklearn import RNNClassifier
from ica_sklearn.datasets import make_box_dataset
from ica_sklearn.explain import SaliencyExplainer
from ica_sklearn.metrics import SALIENCY_METRICS, euclidean_distance, weighted_jaccard
from ica_sklearn.metrics import make_saliency_scorer

SMALL = dict(max_epochs=3, hidden_size=3, attention_hops=2, attention_dim=4, random_state=0)


@pytest.fixture(scope="module")
def box_data():
    return make_box_dataset(
        [((0, 4), (1, 3))], n_samples=40, n_timesteps=8, n_features=4, random_state=0
    )


@pytest.fixture(scope="module")
def mixed_data():
    """Per-sample masks (box position drawn per sample)."""
    return make_box_dataset(
        "mixed_boxes", n_samples=40, n_timesteps=10, n_features=5, random_state=1
    )


@pytest.fixture(scope="module")
def fitted(box_data):
    X, y, _ = box_data
    return RNNClassifier(**SMALL).fit(X, y)


@pytest.fixture
def routing():
    with sklearn.config_context(enable_metadata_routing=True):
        yield


def test_scorer_equals_explaining_by_hand(box_data, fitted):
    X, y, mask = box_data
    maps = SaliencyExplainer(fitted).transform(X, y)
    scorer = make_saliency_scorer("weighted_jaccard", mask=mask[0])
    assert scorer(fitted, X, y) == pytest.approx(weighted_jaccard(mask[0], maps).mean())


def test_lower_is_better_metric_is_negated(box_data, fitted):
    X, y, mask = box_data
    maps = SaliencyExplainer(fitted).transform(X, y)
    expected = -euclidean_distance(mask[0], maps).mean()
    assert make_saliency_scorer("euclidean_distance", mask=mask[0])(fitted, X, y) == (
        pytest.approx(expected)
    )


@pytest.mark.parametrize("metric", list(SALIENCY_METRICS))
def test_sign_follows_metric_direction(box_data, fitted, metric):
    X, y, mask = box_data
    maps = SaliencyExplainer(fitted).transform(X, y)
    raw = np.nanmean(SALIENCY_METRICS[metric].function(mask[0], maps))
    sign = 1 if SALIENCY_METRICS[metric].greater_is_better else -1
    assert make_saliency_scorer(metric, mask=mask[0])(fitted, X, y) == pytest.approx(sign * raw)


def test_explainer_params_are_used(box_data, fitted):
    X, y, mask = box_data
    maps = SaliencyExplainer(fitted, method="input_x_gradient").transform(X, y)
    scorer = make_saliency_scorer(mask=mask[0], method="input_x_gradient")
    assert scorer(fitted, X, y) == pytest.approx(weighted_jaccard(mask[0], maps).mean())
    assert "input_x_gradient" in repr(scorer)


def test_per_sample_mask_in_direct_call(mixed_data, routing):
    X, y, mask = mixed_data
    clf = RNNClassifier(**SMALL).fit(X, y)
    maps = SaliencyExplainer(clf).transform(X, y)
    score = make_saliency_scorer()(clf, X, y, mask=mask)
    assert score == pytest.approx(weighted_jaccard(mask, maps).mean())


def test_per_sample_masks_reach_the_right_split(mixed_data, routing):
    """GridSearchCV's split scores equal a manual CV with the split's masks."""
    X, y, mask = mixed_data
    cv = KFold(2, shuffle=True, random_state=0)
    search = GridSearchCV(
        RNNClassifier(**SMALL), {"cell": ["ica_lstm"]}, cv=cv,
        scoring={"acc": "accuracy", "wjac": make_saliency_scorer()}, refit="wjac",
    ).fit(X, y, mask=mask)
    for split, (train, test) in enumerate(cv.split(X, y)):
        clf = clone(RNNClassifier(**SMALL)).fit(X[train], y[train])
        maps = SaliencyExplainer(clf).transform(X[test], y[test])
        expected = weighted_jaccard(mask[test], maps).mean()
        assert search.cv_results_[f"split{split}_test_wjac"][0] == pytest.approx(expected)


def test_per_sample_masks_are_sliced_not_reused(mixed_data, routing):
    """A scorer that recovers sample indices from the routed mask."""
    X, y, mask = mixed_data
    bits = 1 << np.arange(10)  # sample index in binary, in rows 1 and 2 of each mask
    index_mask = np.zeros(mask.shape, dtype=bool)
    index_mask[:, 1:3, :] = ((np.arange(len(X))[:, None] & bits) > 0).reshape(-1, 2, 5)
    seen = []

    class Recorder(type(make_saliency_scorer())):
        def __call__(self, estimator, X, y_true, mask=None, sample_weight=None):
            routed = mask[:, 1:3, :].reshape(len(X), 10)
            seen.append(np.sort(routed @ bits))
            return 0.0

    scorer = Recorder("weighted_jaccard", None, {})
    cv = KFold(2, shuffle=True, random_state=0)
    cross_validate(RNNClassifier(**SMALL), X, y, cv=cv, scoring=scorer,
                   params={"mask": index_mask})
    assert [s.tolist() for s in seen] == [sorted(test.tolist()) for _, test in cv.split(X)]


def test_a_mask_passed_directly_needs_no_routing(mixed_data):
    X, y, mask = mixed_data
    clf = RNNClassifier(**SMALL).fit(X, y)
    expected = weighted_jaccard(mask, SaliencyExplainer(clf).transform(X, y)).mean()
    assert make_saliency_scorer()(clf, X, y, mask=mask) == pytest.approx(expected)


def test_missing_mask_is_a_clear_error(box_data, fitted):
    X, y, _ = box_data
    with pytest.raises(ValueError, match="No mask of informative cells"):
        make_saliency_scorer()(fitted, X, y)


def test_mask_shape_mismatch(box_data, fitted, routing):
    X, y, mask = box_data
    with pytest.raises(ValueError, match=r"does not fit the saliency maps"):
        make_saliency_scorer(mask=mask[0, :5])(fitted, X, y)
    with pytest.raises(ValueError, match=r"one per sample"):
        make_saliency_scorer()(fitted, X, y, mask=mask[:10])


def test_construction_errors(box_data):
    _, _, mask = box_data
    with pytest.raises(ValueError, match="Unknown saliency metric"):
        make_saliency_scorer("accuracy")
    with pytest.raises(ValueError, match="must be 2D"):
        make_saliency_scorer(mask=mask)


def test_set_score_request_turns_routing_off(mixed_data, routing):
    X, y, mask = mixed_data
    scorer = make_saliency_scorer().set_score_request(mask=False)
    search = GridSearchCV(RNNClassifier(**SMALL), {"cell": ["lstm"]}, cv=2, scoring=scorer)
    with pytest.raises(Exception, match="mask"):
        search.fit(X, y, mask=mask)


@pytest.mark.slow
def test_grid_search_picks_input_cell_attention_on_earlier_box():
    """Model selection by explanation quality: ica_lstm beats lstm (the paper)."""
    X, y, mask = make_box_dataset(
        [((0, 12), (4, 16))], n_samples=300, n_timesteps=40, n_features=20, random_state=0
    )
    search = GridSearchCV(
        RNNClassifier(max_epochs=20, random_state=0), {"cell": ["lstm", "ica_lstm"]}, cv=2,
        scoring={"acc": "accuracy", "wjac": make_saliency_scorer(mask=mask[0])}, refit="wjac",
    ).fit(X, y)
    assert search.best_params_ == {"cell": "ica_lstm"}
    wjac = dict(zip(search.cv_results_["param_cell"], search.cv_results_["mean_test_wjac"]))
    assert wjac["ica_lstm"] > wjac["lstm"] + 0.05
