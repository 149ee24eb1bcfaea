"""TimeSeriesStandardScaler's per-channel mode: statistics per feature over
all valid time steps, checked against numpy on padded and ragged data."""

import numpy as np
import pytest
from sklearn.pipeline import make_pipeline
from sklearn.utils.estimator_checks import parametrize_with_checks

from ica_sklearn import RNNClassifier, TimeSeriesStandardScaler


@parametrize_with_checks([TimeSeriesStandardScaler(mode="per_channel")])
def test_scikit_learn_contract(estimator, check):
    check(estimator)


@pytest.fixture
def ragged():
    """Ten series of 3 features, 4 to 13 steps long, each feature with its
    own location and scale."""
    rng = np.random.RandomState(0)
    loc, scale = np.array([5.0, -2.0, 0.5]), np.array([3.0, 0.1, 1.0])
    return [loc + scale * rng.normal(size=(4 + i, 3)) for i in range(10)]


def _padded(sequences):
    out = np.full((len(sequences), max(map(len, sequences)), 3), np.nan)
    for index, sequence in enumerate(sequences):
        out[index, : len(sequence)] = sequence
    return out


def test_per_channel_statistics_equal_numpy_over_the_valid_steps(ragged):
    stacked = np.concatenate(ragged)  # every valid step of every sample, as rows
    mean, std = stacked.mean(axis=0), stacked.std(axis=0)
    scaler = TimeSeriesStandardScaler(mode="per_channel").fit(ragged)
    np.testing.assert_allclose(scaler.mean_, mean, rtol=1e-12)
    np.testing.assert_allclose(scaler.scale_, std, rtol=1e-12)
    assert scaler.mean_.shape == (3,) and scaler.n_timesteps_in_ == 13

    scaled = scaler.transform(ragged)
    for index, sequence in enumerate(ragged):
        np.testing.assert_allclose(scaled[index, : len(sequence)], (sequence - mean) / std, rtol=1e-12)
        assert np.isnan(scaled[index, len(sequence):]).all()
    # The same data NaN-padded gives the same statistics and output.
    from_padded = TimeSeriesStandardScaler(mode="per_channel").fit(_padded(ragged))
    np.testing.assert_allclose(from_padded.mean_, mean, rtol=1e-12)
    np.testing.assert_array_equal(from_padded.transform(_padded(ragged)), scaled)
    valid = scaled[~np.isnan(scaled[:, :, 0])]
    np.testing.assert_allclose(valid.mean(axis=0), 0.0, atol=1e-12)
    np.testing.assert_allclose(valid.std(axis=0), 1.0, atol=1e-12)


def test_per_position_differs_from_per_channel(ragged):
    # Each step's own statistics: the first step is scaled by the first
    # steps of the ten samples only.
    first_steps = np.array([sequence[0] for sequence in ragged])
    scaler = TimeSeriesStandardScaler().fit(ragged)
    np.testing.assert_allclose(scaler.mean_[0], first_steps.mean(axis=0), rtol=1e-12)
    assert scaler.mean_.shape == (13, 3)
    assert not np.allclose(scaler.mean_[0], TimeSeriesStandardScaler(mode="per_channel").fit(ragged).mean_)


def test_per_channel_transforms_longer_test_series(ragged):
    scaler = TimeSeriesStandardScaler(mode="per_channel").fit(ragged)
    longer = np.random.RandomState(1).normal(size=(2, 30, 3))
    np.testing.assert_allclose(
        scaler.transform(longer), (longer - scaler.mean_) / scaler.scale_, rtol=1e-12
    )
    with pytest.raises(ValueError, match=r"30 time steps .*\(mode='per_channel'\)"):
        TimeSeriesStandardScaler().fit(ragged).transform(longer)


def test_per_channel_univariate_2d_input_pools_every_value():
    X = np.random.RandomState(0).normal(4.0, 2.0, size=(20, 7))
    scaler = TimeSeriesStandardScaler(mode="per_channel").fit(X)
    np.testing.assert_allclose(scaler.mean_, [X.mean()], rtol=1e-12)
    np.testing.assert_allclose(scaler.transform(X), (X - X.mean()) / X.std(), rtol=1e-12)
    # Other lengths in the 3D form (2D columns are the fitted time steps).
    longer = np.ones((3, 11, 1))
    np.testing.assert_allclose(scaler.transform(longer), (longer - X.mean()) / X.std())


@pytest.mark.parametrize("with_mean, with_std", [(False, True), (True, False)])
def test_per_channel_without_mean_or_std(ragged, with_mean, with_std):
    stacked = np.concatenate(ragged)
    scaler = TimeSeriesStandardScaler(mode="per_channel", with_mean=with_mean, with_std=with_std)
    scaled = scaler.fit_transform(ragged)[0, :4]
    mean = stacked.mean(axis=0) if with_mean else 0.0
    std = stacked.std(axis=0) if with_std else 1.0
    np.testing.assert_allclose(scaled, (ragged[0] - mean) / std, rtol=1e-12)


def test_constant_feature_gets_unit_scale():
    X = np.random.RandomState(0).normal(size=(5, 6, 2))
    X[:, :, 1] = 7.0
    scaler = TimeSeriesStandardScaler(mode="per_channel").fit(X)
    assert scaler.scale_[1] == 1.0
    np.testing.assert_array_equal(scaler.transform(X)[:, :, 1], 0.0)


def test_pipeline_predicts_series_longer_than_the_training_ones():
    rng = np.random.RandomState(0)
    y = np.repeat([0, 1], 10)
    X = rng.normal(100.0, 50.0, size=(20, 8, 2))
    model = make_pipeline(
        TimeSeriesStandardScaler(mode="per_channel"),
        RNNClassifier("gru", max_epochs=1, random_state=0),
    ).fit(X, y)
    assert model.predict(rng.normal(100.0, 50.0, size=(3, 25, 2))).shape == (3,)
