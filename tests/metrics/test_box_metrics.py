"""Tests for the box-accuracy metrics, checked against slow per-sample references."""

import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from sklearn.linear_model import LogisticRegression
from sklearn.metrics import roc_auc_score

from ica_sklearn.datasets import make_box_dataset
from ica_sklearn.metrics import (
    SALIENCY_METRICS,
    accuracy_drop_curve,
    area_under_precision,
    area_under_precision_recall,
    area_under_recall,
    enrichment_score,
    euclidean_distance,
    evaluate_saliency,
    precision_recall_curves,
    saliency_auc,
    summarize_metrics,
    top_k_jaccard,
    weighted_jaccard,
)

trapezoid = getattr(np, "trapezoid", None) or np.trapz  # numpy < 2 has only trapz

# ---------------------------------------------------------------------------
# Slow references: one sample at a time, straight from the definitions.
# ---------------------------------------------------------------------------


def reference_scale(saliency_row):
    """|saliency| flattened, min-max scaled over the non-NaN cells; NaN cells dropped."""
    values = np.abs(saliency_row.ravel())
    values = values[~np.isnan(values)]
    low, high = values.min(), values.max()
    return np.zeros_like(values) if high == low else (values - low) / (high - low)


def reference_box(mask_row, saliency_row):
    return mask_row.ravel()[~np.isnan(saliency_row.ravel())].astype(float)


def ref_weighted_jaccard(m, s):
    return np.minimum(m, s).sum() / np.maximum(m, s).sum()


def ref_euclidean(m, s):
    return np.linalg.norm(m - s) / np.linalg.norm(m)


def ref_top_k(m, s):
    k = int(m.sum())
    kth_largest = sorted(s, reverse=True)[k - 1]
    return s >= kth_largest


def ref_top_k_jaccard(m, s):
    top, box = ref_top_k(m, s), m.astype(bool)
    return (top & box).sum() / (top | box).sum()


def ref_auc(m, s):
    return roc_auc_score(m.astype(int), s)


def ref_enrichment(m, s):
    top, box = ref_top_k(m, s), m.astype(bool)
    return (s[box & top].sum() - s[box & ~top].sum()) / box.sum()


def ref_selected(s, percentile):
    """Greedy: take cells by decreasing saliency until p % of the mass, then add ties."""
    total = s.sum()
    if total == 0 or percentile == 0:
        return np.zeros(s.shape, dtype=bool)
    accumulated = 0.0
    for cell in sorted(range(s.size), key=lambda i: -s[i]):
        accumulated += s[cell]
        if accumulated >= percentile / 100 * total * (1 - 1e-12):
            break
    return (s >= s[cell]) & (s > 0)


def ref_precision_recall(m, s, percentile):
    selected, box = ref_selected(s, percentile), m.astype(bool)
    true_positive = s[selected & box].sum()
    selected_mass, box_mass = s[selected].sum(), s[box].sum()
    precision = true_positive / selected_mass if selected_mass > 0 else 0.0
    recall = true_positive / box_mass if box_mass > 0 else 0.0
    return precision, recall


REFERENCES = {
    weighted_jaccard: ref_weighted_jaccard,
    euclidean_distance: ref_euclidean,
    top_k_jaccard: ref_top_k_jaccard,
    saliency_auc: ref_auc,
    enrichment_score: ref_enrichment,
}


def apply_reference(reference, mask, saliency):
    masks = np.broadcast_to(mask, saliency.shape)
    return np.array(
        [
            reference(reference_box(m_row, s_row), reference_scale(s_row))
            for m_row, s_row in zip(masks, saliency)
        ]
    )


def random_problem(seed, n_samples=12, n_timesteps=9, n_features=5, shared_mask=True, pad=True):
    """Saliency with many ties (rounded), NaN padding at the end of some samples, and masks."""
    rng = np.random.RandomState(seed)
    saliency = np.round(rng.normal(size=(n_samples, n_timesteps, n_features)), 1)
    if pad:
        lengths = rng.randint(n_timesteps // 2 + 1, n_timesteps + 1, size=n_samples)
        saliency[np.arange(n_timesteps)[None, :] >= lengths[:, None]] = np.nan
    shape = (n_timesteps, n_features) if shared_mask else saliency.shape
    mask = rng.rand(*shape) < 0.3
    mask[..., 0, 0] = True  # every sample keeps a box cell in its first (never padded) step
    mask[..., 0, 1] = False  # ... and a background cell
    return mask, saliency


# ---------------------------------------------------------------------------
# The five box-accuracy metrics of the paper.
# ---------------------------------------------------------------------------


@pytest.mark.parametrize("metric", list(REFERENCES), ids=lambda f: f.__name__)
@pytest.mark.parametrize("shared_mask", [True, False], ids=["shared_mask", "per_sample_mask"])
@pytest.mark.parametrize("seed", [0, 1, 2])
def test_metric_matches_slow_reference(metric, shared_mask, seed):
    mask, saliency = random_problem(seed, shared_mask=shared_mask)
    expected = apply_reference(REFERENCES[metric], mask, saliency)
    np.testing.assert_allclose(metric(mask, saliency), expected, rtol=1e-12, atol=1e-12)


def test_hand_worked_example():
    # One sample, one time step, five features; box = features 0 and 2.
    mask = np.array([[True, False, True, False, False]])
    saliency = np.array([[[-8.0, 6.0, 4.0, 0.0, 2.0]]])
    # |saliency| = 8, 6, 4, 0, 2 -> min-max scaled s = 1, .75, .5, 0, .25; m = 1, 0, 1, 0, 0; K = 2.
    # WJac = sum(min(m, s)) / sum(max(m, s)) = (1 + 0 + .5 + 0 + 0) / (1 + .75 + 1 + 0 + .25) = 1.5 / 3
    np.testing.assert_allclose(weighted_jaccard(mask, saliency), [0.5])
    # Euc = ||m - s|| / ||m|| = sqrt(0 + .5625 + .25 + 0 + .0625) / sqrt(2) = sqrt(.875 / 2)
    np.testing.assert_allclose(euclidean_distance(mask, saliency), [np.sqrt(0.4375)])
    # top-2 = {0, 1}; box = {0, 2}: Jaccard = |{0}| / |{0, 1, 2}| = 1/3
    np.testing.assert_allclose(top_k_jaccard(mask, saliency), [1 / 3])
    # AUC: box scores {1, .5} vs others {.75, 0, .25}: pairs won 3 + 2 = 5 of 6
    np.testing.assert_allclose(saliency_auc(mask, saliency), [5 / 6])
    # enrichment = (s of box cells in top-2 - s of box cells outside it) / K = (1 - .5) / 2
    np.testing.assert_allclose(enrichment_score(mask, saliency), [0.25])


def test_hand_worked_ties():
    # s = 1, .5, .5, 0 (after scaling |[2, 1, -1, 0]|); box = cells 0 and 2, K = 2.
    mask = np.array([[True, False, True, False]])
    saliency = np.array([[[2.0, 1.0, -1.0, 0.0]]])
    # The 2nd largest value .5 is shared by cells 1 and 2: both are in the "top-K" set {0, 1, 2}.
    # Jaccard = |{0, 2}| / |{0, 1, 2}| = 2/3, whatever the cell order.
    np.testing.assert_allclose(top_k_jaccard(mask, saliency), [2 / 3])
    np.testing.assert_allclose(top_k_jaccard(mask[:, ::-1], saliency[..., ::-1]), [2 / 3])
    # enrichment: both box cells are in the top set -> (1 + .5) / 2
    np.testing.assert_allclose(enrichment_score(mask, saliency), [0.75])
    # AUC: box {1, .5} vs others {.5, 0}: 1 > both (2), .5 ties .5 (1/2), .5 > 0 (1) -> 3.5 / 4
    np.testing.assert_allclose(saliency_auc(mask, saliency), [0.875])


def test_perfect_and_constant_maps():
    mask = np.zeros((6, 4), dtype=bool)
    mask[1:3, 1:3] = True
    perfect = np.repeat(mask[None].astype(float), 2, axis=0)
    np.testing.assert_allclose(weighted_jaccard(mask, perfect), 1.0)
    np.testing.assert_allclose(euclidean_distance(mask, perfect), 0.0)
    np.testing.assert_allclose(top_k_jaccard(mask, perfect), 1.0)
    np.testing.assert_allclose(saliency_auc(mask, perfect), 1.0)
    np.testing.assert_allclose(enrichment_score(mask, perfect), 1.0)
    # A constant map (here 3 everywhere, and 0 everywhere) carries no evidence: scaled to 0.
    constant = np.stack([np.full((6, 4), 3.0), np.zeros((6, 4))])
    np.testing.assert_allclose(weighted_jaccard(mask, constant), 0.0)
    np.testing.assert_allclose(euclidean_distance(mask, constant), 1.0)
    np.testing.assert_allclose(saliency_auc(mask, constant), 0.5)
    np.testing.assert_allclose(top_k_jaccard(mask, constant), 4 / 24)  # chance: K / cells
    np.testing.assert_allclose(enrichment_score(mask, constant), 0.0)


@pytest.mark.parametrize("name", list(SALIENCY_METRICS))
def test_nan_padding_is_ignored(name):
    metric = SALIENCY_METRICS[name].function
    mask, saliency = random_problem(3, n_samples=4, n_timesteps=10, pad=False, shared_mask=False)
    padded = saliency.copy()
    padded[2, 7:] = np.nan  # sample 2 is only 7 steps long
    padded_mask = mask.copy()
    padded_mask[2, 7:] = ~padded_mask[2, 7:]  # what the mask says on padding must not matter
    result = metric(padded_mask, padded)
    np.testing.assert_allclose(result[[0, 1, 3]], metric(mask, saliency)[[0, 1, 3]])
    np.testing.assert_allclose(result[2], metric(mask[2:3, :7], saliency[2:3, :7])[0])


@pytest.mark.parametrize("name", list(SALIENCY_METRICS))
def test_metrics_ignore_sign_and_scale_of_saliency(name):
    metric = SALIENCY_METRICS[name].function
    mask, saliency = random_problem(4)
    np.testing.assert_allclose(metric(mask, -7.0 * saliency), metric(mask, saliency), atol=1e-12)


def test_shared_mask_equals_repeated_mask():
    mask, saliency = random_problem(5)
    repeated = np.repeat(mask[None], saliency.shape[0], axis=0)
    for entry in SALIENCY_METRICS.values():
        np.testing.assert_allclose(entry.function(mask, saliency), entry.function(repeated, saliency))


def test_two_dimensional_saliency_is_n_univariate_series():
    mask = np.array([True, False, False, True])
    saliency = np.array([[3.0, 1.0, 0.0, 2.0], [0.0, 1.0, 2.0, 3.0]])
    np.testing.assert_allclose(saliency_auc(mask, saliency), [1.0, 0.5])


def test_float32_saliency_and_list_inputs():
    mask, saliency = random_problem(6, pad=False)
    np.testing.assert_allclose(
        weighted_jaccard(mask.tolist(), saliency.astype(np.float32).tolist()),
        weighted_jaccard(mask, saliency.astype(np.float32)),
    )


@settings(max_examples=40, deadline=None)
@given(
    seed=st.integers(0, 10_000),
    n_samples=st.integers(1, 5),
    n_timesteps=st.integers(2, 6),
    n_features=st.integers(2, 4),
)
def test_metric_ranges_property(seed, n_samples, n_timesteps, n_features):
    mask, saliency = random_problem(seed, n_samples, n_timesteps, n_features, shared_mask=False)
    for name in ["weighted_jaccard", "top_k_jaccard", "saliency_auc", "area_under_recall"]:
        values = SALIENCY_METRICS[name].function(mask, saliency)
        assert values.shape == (n_samples,)
        assert np.all((values >= 0) & (values <= 1 + 1e-12))
    assert np.all(np.abs(enrichment_score(mask, saliency)) <= 1 + 1e-12)
    assert np.all(euclidean_distance(mask, saliency) >= 0)


@pytest.mark.parametrize(
    "mask, saliency, match",
    [
        (np.ones((3, 4), dtype=bool), np.ones((2, 4, 3)), "does not fit saliency shape"),
        (np.ones((2, 3, 4), dtype=bool), np.ones((5, 3, 4)), "does not fit saliency shape"),
        (np.ones((3, 4), dtype=int), np.ones((2, 3, 4)), "boolean"),
        (np.ones((3, 4)), np.ones((2, 3, 4)), "mask.astype"),
        (np.zeros((3, 4), dtype=bool), np.ones((2, 3, 4)), "no box cell"),
        (np.ones(4, dtype=bool), np.ones(4), "one map per sample"),
        (np.ones((3, 4), dtype=bool), np.full((2, 3, 4), np.inf), "infinite"),
        (np.ones((3, 4), dtype=bool), np.full((2, 3, 4), np.nan), "NaN everywhere"),
        (np.ones((3, 4), dtype=bool), np.array([[["a"] * 4] * 3] * 2), "numeric"),
    ],
)
def test_input_errors(mask, saliency, match):
    with pytest.raises(ValueError, match=match):
        weighted_jaccard(mask, saliency)


def test_box_only_in_padding_is_an_error():
    mask = np.zeros((4, 2), dtype=bool)
    mask[3] = True
    saliency = np.ones((2, 4, 2))
    saliency[1, 3] = np.nan
    with pytest.raises(ValueError, match=r"sample\(s\) \[1\]"):
        euclidean_distance(mask, saliency)


def test_auc_needs_cells_outside_the_box():
    with pytest.raises(ValueError, match="outside the box"):
        saliency_auc(np.ones((3, 4), dtype=bool), np.random.rand(2, 3, 4))
    # The other metrics are defined there.
    np.testing.assert_allclose(top_k_jaccard(np.ones((3, 4), dtype=bool), np.random.rand(2, 3, 4)), 1.0)


def test_metrics_on_box_data_separate_good_from_bad_maps():
    X, y, mask = make_box_dataset("earlier_box", n_samples=20, n_timesteps=20, n_features=10, random_state=0)
    rng = np.random.RandomState(0)
    good = mask + 0.3 * rng.rand(*mask.shape)
    bad = (~mask) + 0.3 * rng.rand(*mask.shape)
    for entry in SALIENCY_METRICS.values():
        good_values, bad_values = entry.function(mask, good), entry.function(mask, bad)
        if entry.greater_is_better:
            assert (good_values > bad_values).all()
        else:
            assert (good_values < bad_values).all()


# ---------------------------------------------------------------------------
# Follow-up benchmark: precision / recall of top-p % saliency, their areas.
# ---------------------------------------------------------------------------

PERCENTILES = list(range(10, 100, 10))


@pytest.mark.parametrize("shared_mask", [True, False], ids=["shared_mask", "per_sample_mask"])
@pytest.mark.parametrize("seed", [0, 1])
def test_precision_recall_match_slow_reference(shared_mask, seed):
    mask, saliency = random_problem(seed, shared_mask=shared_mask)
    precision, recall = precision_recall_curves(mask, saliency, PERCENTILES)
    masks = np.broadcast_to(mask, saliency.shape)
    for i, (m_row, s_row) in enumerate(zip(masks, saliency)):
        m, s = reference_box(m_row, s_row), reference_scale(s_row)
        expected = np.array([ref_precision_recall(m, s, p) for p in PERCENTILES])
        np.testing.assert_allclose(precision[i], expected[:, 0], atol=1e-12)
        np.testing.assert_allclose(recall[i], expected[:, 1], atol=1e-12)
        x = np.array(PERCENTILES) / 100
        np.testing.assert_allclose(area_under_precision(mask, saliency)[i], trapezoid(expected[:, 0], x))
        np.testing.assert_allclose(area_under_recall(mask, saliency)[i], trapezoid(expected[:, 1], x))
        order = np.argsort(expected[:, 1], kind="stable")
        np.testing.assert_allclose(
            area_under_precision_recall(mask, saliency)[i],
            trapezoid(expected[order, 0], expected[order, 1]),
        )


def test_precision_recall_hand_worked():
    # s = 1, .75, .5, .25, 0 (scaled |[4, 3, 2, 1, 0]|), total 2.5; box = cells 1 and 3 (mass 1).
    mask = np.array([[False, True, False, True, False]])
    saliency = np.array([[[4.0, 3.0, 2.0, 1.0, 0.0]]])
    precision, recall = precision_recall_curves(mask, saliency, [0, 30, 50, 80, 100])
    # 0 %: nothing selected -> 0 / 0 := 0.
    # 30 % (.75): {0} reaches 1 >= .75 -> TP 0: precision 0, recall 0.
    # 50 % (1.25): {0, 1} = 1.75 -> TP .75: precision .75 / 1.75, recall .75 / 1.
    # 80 % (2.0): {0, 1, 2} = 2.25 -> TP .75: precision .75 / 2.25, recall .75.
    # 100 % (2.5): {0, 1, 2, 3} (the zero cell is never needed) -> TP 1: precision 1 / 2.5, recall 1.
    np.testing.assert_allclose(precision, [[0, 0, 0.75 / 1.75, 0.75 / 2.25, 0.4]])
    np.testing.assert_allclose(recall, [[0, 0, 0.75, 0.75, 1.0]])


def test_precision_recall_of_perfect_and_constant_maps():
    mask = np.zeros((5, 4), dtype=bool)
    mask[:2, :2] = True
    precision, recall = precision_recall_curves(mask, mask[None].astype(float))
    np.testing.assert_allclose(precision, 1.0)
    np.testing.assert_allclose(recall, 1.0)  # all box cells tie, so they are taken together
    precision, recall = precision_recall_curves(mask, np.full((1, 5, 4), 2.0))
    np.testing.assert_allclose(precision, 0.0)
    np.testing.assert_allclose(recall, 0.0)


@pytest.mark.parametrize("percentiles", [[], [50, 40], [-10, 20], [20, 120], [10, np.nan]])
def test_percentile_errors(percentiles):
    mask, saliency = random_problem(0)
    with pytest.raises(ValueError, match="percentiles"):
        precision_recall_curves(mask, saliency, percentiles)


def test_areas_need_two_percentiles():
    mask, saliency = random_problem(0)
    precision_recall_curves(mask, saliency, [50])
    with pytest.raises(ValueError, match="at least 2"):
        area_under_precision(mask, saliency, [50])


# ---------------------------------------------------------------------------
# Accuracy drop when top-p % saliency cells are replaced by noise.
# ---------------------------------------------------------------------------


class FlatLogisticRegression:
    """A sklearn classifier on flattened series: the tiny stand-in for RNNClassifier."""

    def __init__(self):
        self.model = LogisticRegression(max_iter=1000)

    def fit(self, X, y):
        self.model.fit(X.reshape(len(X), -1), y)
        return self

    def predict(self, X):
        return self.model.predict(np.nan_to_num(X).reshape(len(X), -1))


class ScoreOnly:
    """Has score(X, y) but no predict: accuracy of the sign of the mean of cell (0, 0)."""

    def score(self, X, y):
        return float(np.mean((X[:, 0, 0] > 0) == y))


def reference_accuracy_drop(estimator, X, y, saliency, percentiles, noise):
    accuracy = []
    for percentile in percentiles:
        X_replaced = X.copy()
        for i in range(len(X)):
            row = saliency[i].ravel()
            valid = ~np.isnan(row)
            selected_valid = ref_selected(reference_scale(saliency[i]), percentile)
            selected = np.zeros(row.size, dtype=bool)
            selected[valid] = selected_valid
            flat = X_replaced[i].reshape(-1)
            flat[selected] = noise[i].ravel()[selected]
        accuracy.append(np.mean(estimator.predict(X_replaced) == y))
    return np.array(accuracy)


@pytest.fixture(scope="module")
def fitted_box_problem():
    X, y, mask = make_box_dataset(
        "earlier_box", n_samples=240, n_timesteps=10, n_features=6, random_state=0
    )
    estimator = FlatLogisticRegression().fit(X[:160], y[:160])
    return estimator, X[160:], y[160:], mask[160:]


def test_accuracy_drop_matches_reference(fitted_box_problem):
    estimator, X, y, mask = fitted_box_problem
    rng = np.random.RandomState(1)
    saliency = np.abs(X) * mask + 0.1 * rng.rand(*X.shape)
    saliency[:5, 8:] = np.nan  # padded tails are never replaced
    curve = accuracy_drop_curve(estimator, X, y, saliency, PERCENTILES, random_state=3)
    noise = np.random.RandomState(3).standard_normal(X.shape)
    expected = reference_accuracy_drop(estimator, X, y, saliency, PERCENTILES, noise)
    np.testing.assert_allclose(curve.accuracy, expected)
    np.testing.assert_allclose(curve.percentiles, PERCENTILES)
    np.testing.assert_allclose(curve.area, trapezoid(expected, np.array(PERCENTILES) / 100))


def test_informative_saliency_drops_accuracy_more(fitted_box_problem):
    estimator, X, y, mask = fitted_box_problem
    rng = np.random.RandomState(0)
    unmasked = np.mean(estimator.predict(X) == y)
    assert unmasked > 0.9
    informative = accuracy_drop_curve(estimator, X, y, mask + 0.5 * rng.rand(*X.shape), random_state=0)
    uninformative = accuracy_drop_curve(estimator, X, y, (~mask) + 0.5 * rng.rand(*X.shape), random_state=0)
    assert informative.accuracy[-1] < 0.75
    assert uninformative.accuracy[-1] > 0.85
    assert informative.area < uninformative.area


def test_accuracy_drop_is_deterministic_and_uses_score_when_no_predict(fitted_box_problem):
    _, X, y, _ = fitted_box_problem
    saliency = np.random.RandomState(0).rand(*X.shape)
    first = accuracy_drop_curve(ScoreOnly(), X, y, saliency, [0, 50, 100], random_state=5)
    second = accuracy_drop_curve(ScoreOnly(), X, y, saliency, [0, 50, 100], random_state=5)
    np.testing.assert_array_equal(first.accuracy, second.accuracy)
    assert first.accuracy[0] == ScoreOnly().score(X, y)  # 0 %: nothing replaced


def test_accuracy_drop_custom_replacement(fitted_box_problem):
    estimator, X, y, mask = fitted_box_problem

    def zeros(shape, random_state):
        return np.zeros(shape)

    curve = accuracy_drop_curve(estimator, X, y, mask.astype(float), [50, 100], replacement=zeros)
    # Every box cell ties at 1, so both levels zero the whole box: chance accuracy, no signal.
    assert curve.accuracy[0] == curve.accuracy[1]


def test_accuracy_drop_errors(fitted_box_problem):
    estimator, X, y, _ = fitted_box_problem
    with pytest.raises(ValueError, match="must equal X shape"):
        accuracy_drop_curve(estimator, X, y, X[:, :5])
    with pytest.raises(ValueError, match="labels"):
        accuracy_drop_curve(estimator, X, y[:5], X)
    with pytest.raises(TypeError, match="neither predict"):
        accuracy_drop_curve(object(), X, y, X)
    with pytest.raises(ValueError, match="replacement"):
        accuracy_drop_curve(estimator, X, y, X, replacement=0.0)
    with pytest.raises(ValueError, match="replacement returned shape"):
        accuracy_drop_curve(estimator, X, y, X, replacement=lambda shape, rng: np.zeros(3))


# ---------------------------------------------------------------------------
# Registry, per-sample frame and the Table 1 summary.
# ---------------------------------------------------------------------------


def test_registry_directions():
    assert not SALIENCY_METRICS["euclidean_distance"].greater_is_better
    assert all(
        entry.greater_is_better for name, entry in SALIENCY_METRICS.items() if name != "euclidean_distance"
    )


def test_evaluate_saliency_collects_each_metric():
    mask, saliency = random_problem(0)
    frame = evaluate_saliency(mask, saliency)
    assert list(frame.columns) == list(SALIENCY_METRICS)
    assert len(frame) == saliency.shape[0]
    np.testing.assert_allclose(frame["saliency_auc"], saliency_auc(mask, saliency))
    assert list(evaluate_saliency(mask, saliency, "top_k_jaccard").columns) == ["top_k_jaccard"]
    with pytest.raises(ValueError, match="Unknown metric"):
        evaluate_saliency(mask, saliency, ["jaccard"])


def test_summarize_metrics_table_layout_and_values():
    results = {
        ("earlier_box", "lstm"): {"weighted_jaccard": [0.0, 0.2], "euclidean_distance": [1.0, 1.0]},
        ("earlier_box", "ica_lstm"): {"weighted_jaccard": [0.1, 0.3], "euclidean_distance": [0.9, 0.7]},
        ("middle_box", "lstm"): {"weighted_jaccard": [0.0, np.nan], "euclidean_distance": [1.0, 1.0]},
    }
    table = summarize_metrics(results)
    assert list(table.index) == ["lstm", "ica_lstm"]  # order of first appearance, not sorted
    assert list(table.columns) == [
        ("earlier_box", "weighted_jaccard"),
        ("earlier_box", "euclidean_distance"),
        ("middle_box", "weighted_jaccard"),
        ("middle_box", "euclidean_distance"),
    ]
    assert table.loc["ica_lstm", ("earlier_box", "weighted_jaccard")] == pytest.approx(0.2)
    assert table.loc["ica_lstm", ("earlier_box", "euclidean_distance")] == pytest.approx(0.8)
    assert table.loc["lstm", ("middle_box", "weighted_jaccard")] == 0.0  # NaN sample ignored
    assert np.isnan(table.loc["ica_lstm", ("middle_box", "weighted_jaccard")])


def test_summarize_metrics_std_across_seeds_and_frames():
    mask, saliency = random_problem(0)
    per_seed = [evaluate_saliency(mask, saliency * (1 + seed), ["saliency_auc"]) for seed in range(2)]
    results = {("earlier_box", "lstm", 0): {"accuracy": 0.5}, ("earlier_box", "lstm", 1): {"accuracy": 0.7}}
    results.update({("earlier_box", "ica_lstm", seed): frame for seed, frame in enumerate(per_seed)})
    table = summarize_metrics(results, std=True)
    assert table.columns.names == ["layout", "metric", "statistic"]
    assert table.loc["lstm", ("earlier_box", "accuracy", "mean")] == pytest.approx(0.6)
    assert table.loc["lstm", ("earlier_box", "accuracy", "std")] == pytest.approx(np.std([0.5, 0.7], ddof=1))
    auc_mean = saliency_auc(mask, saliency).mean()
    assert table.loc["ica_lstm", ("earlier_box", "saliency_auc", "mean")] == pytest.approx(auc_mean)
    assert table.loc["ica_lstm", ("earlier_box", "saliency_auc", "std")] == pytest.approx(0.0)


def test_summarize_metrics_from_long_frame():
    long = pd.DataFrame(
        {
            "layout": ["latter_box"] * 4,
            "model": ["lstm", "lstm", "lstm", "gru"],
            "seed": [0, 0, 1, 0],
            "metric": ["weighted_jaccard"] * 4,
            "value": [0.0, 0.2, 0.4, 0.5],
        }
    )
    table = summarize_metrics(long)
    # lstm: seed 0 averages its samples (0.1), seed 1 is 0.4 -> mean of seeds 0.25.
    assert table.loc["lstm", ("latter_box", "weighted_jaccard")] == pytest.approx(0.25)
    assert table.loc["gru", ("latter_box", "weighted_jaccard")] == pytest.approx(0.5)


@pytest.mark.parametrize(
    "results, match",
    [
        ([1, 2], "must be a dict"),
        ({("a",): {"m": [1]}}, "keys must be"),
        ({("a", "b"): [1, 2]}, "must map metric names"),
        ({}, "no metric values"),
        (pd.DataFrame({"layout": ["a"], "value": [1.0]}), "missing"),
    ],
)
def test_summarize_metrics_errors(results, match):
    with pytest.raises(ValueError, match=match):
        summarize_metrics(results)
