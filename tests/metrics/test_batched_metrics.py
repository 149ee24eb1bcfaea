"""evaluate_saliency computes all metrics together (one scaling, one sort per
sample); its values must equal the metric functions called one by one."""

import numpy as np
import pytest

from ica_sklearn.metrics import SALIENCY_METRICS, evaluate_saliency, precision_recall_curves
from ica_sklearn.metrics._batched import BatchedMetrics, RankedSaliency
from ica_sklearn.metrics._inputs import prepare_saliency


def tied_problem(seed, n_samples=40, n_timesteps=12, n_features=8, shared_mask=True, pad=True):
    """Maps full of ties, some constant or zero, NaN padding, and box masks.

    Saliency is rounded to few levels (so most cells are tied), sample 0 is
    constant, sample 1 is zero, sample 2 has two distinct values only and
    sample 3 is a constant map with padding.
    """
    rng = np.random.RandomState(seed)
    saliency = np.round(rng.normal(size=(n_samples, n_timesteps, n_features)), 1)
    saliency[5:10] = rng.randint(-2, 3, size=(5, n_timesteps, n_features))  # 5 levels of |s|
    saliency[0] = 3.0
    saliency[1] = 0.0
    saliency[2] = np.where(rng.rand(n_timesteps, n_features) < 0.5, 1.0, -2.0)
    saliency[3] = -1.5
    if pad:
        lengths = rng.randint(n_timesteps // 2 + 1, n_timesteps + 1, size=n_samples)
        lengths[3] = n_timesteps // 2
        saliency[np.arange(n_timesteps)[None, :] >= lengths[:, None]] = np.nan
    shape = (n_timesteps, n_features) if shared_mask else saliency.shape
    mask = rng.rand(*shape) < 0.25
    mask[..., 0, 0] = True  # a box cell in the first (never padded) step
    mask[..., 0, 1] = False  # ... and a background cell
    return mask, saliency


def one_by_one(mask, saliency):
    return {name: entry.function(mask, saliency) for name, entry in SALIENCY_METRICS.items()}


@pytest.mark.parametrize("shared_mask", [True, False], ids=["shared_mask", "per_sample_mask"])
@pytest.mark.parametrize("pad", [True, False], ids=["padded", "unpadded"])
@pytest.mark.parametrize("seed", [0, 1, 2])
def test_batched_metrics_equal_the_functions(shared_mask, pad, seed):
    mask, saliency = tied_problem(seed, shared_mask=shared_mask, pad=pad)
    scores = evaluate_saliency(mask, saliency)
    assert list(scores.columns) == list(SALIENCY_METRICS)
    for name, expected in one_by_one(mask, saliency).items():
        np.testing.assert_allclose(
            scores[name].to_numpy(), expected, rtol=0, atol=1e-12, err_msg=name
        )


def test_batched_metrics_equal_the_functions_on_paper_sized_box_maps():
    # The reproduce setting: 100 x 100 maps, the earlier box per sample;
    # continuous maps (no ties) plus maps quantised to 4 levels (many ties).
    rng = np.random.RandomState(0)
    mask = np.zeros((30, 100, 100), dtype=bool)
    mask[:, 0:30, 10:90] = True
    saliency = rng.normal(size=mask.shape) + 2.0 * mask
    saliency[15:] = np.round(saliency[15:] / 2.0)
    scores = evaluate_saliency(mask, saliency)
    for name, expected in one_by_one(mask, saliency).items():
        np.testing.assert_allclose(
            scores[name].to_numpy(), expected, rtol=0, atol=1e-12, err_msg=name
        )


@pytest.mark.parametrize("seed", [0, 3])
def test_ranked_precision_recall_equals_the_curves(seed):
    mask, saliency = tied_problem(seed, shared_mask=False)
    percentiles = [0, 5, 33.3, 50, 99.9, 100]
    ranked = RankedSaliency(prepare_saliency(mask, saliency))
    for got, expected in zip(
        ranked.precision_recall(percentiles), precision_recall_curves(mask, saliency, percentiles)
    ):
        np.testing.assert_allclose(got, expected, rtol=0, atol=1e-12)


def test_ranked_tie_groups_are_the_runs_of_equal_saliency():
    mask, saliency = tied_problem(4)
    prepared = prepare_saliency(mask, saliency)
    ranked = RankedSaliency(prepared)
    assert np.all(np.diff(ranked.values, axis=1) <= 0)
    n_valid = prepared.valid.sum(axis=1)
    for row, values in enumerate(ranked.values):
        # Padding cells (sorted last) form their own group.
        key = list(np.where(np.arange(values.size) < n_valid[row], values, -1.0))
        expected_start = [key.index(value) for value in key]
        expected_end = [len(key) - 1 - key[::-1].index(value) for value in key]
        np.testing.assert_array_equal(ranked.group_start[row], expected_start)
        np.testing.assert_array_equal(ranked.group_end[row], expected_end)


def test_metric_subsets_and_errors_as_the_functions():
    mask, saliency = tied_problem(0)
    subset = evaluate_saliency(mask, saliency, ["area_under_recall", "weighted_jaccard"])
    assert list(subset.columns) == ["area_under_recall", "weighted_jaccard"]
    np.testing.assert_allclose(
        subset["area_under_recall"],
        SALIENCY_METRICS["area_under_recall"].function(mask, saliency),
        rtol=0,
        atol=1e-12,
    )
    # A box that covers a whole sample: only the AUC needs background cells.
    full = np.ones(saliency.shape[1:], dtype=bool)
    with pytest.raises(ValueError, match="at least one cell outside the box"):
        evaluate_saliency(full, saliency)
    assert evaluate_saliency(full, saliency, "weighted_jaccard").notna().all().all()
    # Localisation needs (n_samples, n_timesteps, n_features) maps.
    flat = saliency.reshape(len(saliency), -1)
    with pytest.raises(ValueError, match="localisation metrics"):
        evaluate_saliency(mask.reshape(-1), flat)
    np.testing.assert_allclose(
        evaluate_saliency(mask.reshape(-1), flat, "saliency_auc")["saliency_auc"],
        SALIENCY_METRICS["saliency_auc"].function(mask, saliency),
    )


def test_every_registered_metric_has_a_batched_method():
    assert all(callable(getattr(BatchedMetrics, name, None)) for name in SALIENCY_METRICS)
