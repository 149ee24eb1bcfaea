"""RNNClassifier's input_layout: aeon's and sktime's channels-first numpy
layout read as such, and the hint when such data meets the default layout."""

import numpy as np
import pytest
from sklearn.utils._param_validation import InvalidParameterError

from ica_sklearn import RNNClassifier

FAST = dict(max_epochs=4, lr=0.02, attention_hops=3, attention_dim=4, random_state=0)
CHANNELS_FIRST = "samples_channels_time"


@pytest.fixture(scope="module")
def time_major():
    """(n, T, F) = (16, 9, 3): more time steps than channels, so a misread shows."""
    rng = np.random.RandomState(0)
    y = np.repeat([0, 1], 8)
    X = rng.normal(size=(16, 9, 3)).astype(np.float32)
    X[:, :3, 0] += np.where(y == 1, 1.0, -1.0)[:, None]
    return X, y


def test_channels_first_array_is_read_as_its_transpose(time_major):
    X, y = time_major
    X_cf = X.transpose(0, 2, 1).copy()  # aeon's (n_cases, n_channels, n_timepoints)
    reference = RNNClassifier("ica_lstm", **FAST).fit(X, y)
    clf = RNNClassifier("ica_lstm", input_layout=CHANNELS_FIRST, **FAST).fit(X_cf, y)
    assert (clf.n_features_in_, clf.n_channels_, clf.n_timesteps_in_) == (3, 3, 9)
    np.testing.assert_array_equal(clf.predict_proba(X_cf), reference.predict_proba(X))
    # Read in the default layout the same array is another model (9 features).
    assert RNNClassifier("lstm", **FAST).fit(X_cf, y).n_features_in_ == 9


def test_channels_first_ragged_list_equals_time_major_list(time_major):
    X, y = time_major
    ragged = [x[: 5 + i % 5] for i, x in enumerate(X)]  # (T_i, F)
    aeon_style = [x.T for x in ragged]  # (C, T_i), as aeon's unequal-length lists
    reference = RNNClassifier("gru", **FAST).fit(ragged, y)
    clf = RNNClassifier("gru", input_layout=CHANNELS_FIRST, **FAST).fit(aeon_style, y)
    np.testing.assert_array_equal(clf.predict_proba(aeon_style), reference.predict_proba(ragged))
    # Unequal lengths in an array: NaN padding at the end of the time axis.
    padded = np.full((len(ragged), 3, 9), np.nan, dtype=np.float32)
    for index, sequence in enumerate(aeon_style):
        padded[index, :, : sequence.shape[1]] = sequence
    np.testing.assert_allclose(clf.predict_proba(padded), clf.predict_proba(aeon_style), atol=1e-6)


def test_two_dimensional_input_reads_the_same_in_both_layouts(time_major):
    X, y = time_major
    series = X[:, :, 0]
    default = RNNClassifier("gru", **FAST).fit(series, y)
    channels_first = RNNClassifier("gru", input_layout=CHANNELS_FIRST, **FAST).fit(series, y)
    np.testing.assert_array_equal(default.predict_proba(series), channels_first.predict_proba(series))


def test_aeon_style_list_in_the_default_layout_names_the_parameter(time_major):
    X, y = time_major
    aeon_style = [x[: 5 + i % 5].T for i, x in enumerate(X)]
    with pytest.raises(ValueError, match=r"feature counts .*Every sequence has 3 rows.*"
                       r"input_layout='samples_channels_time'"):
        RNNClassifier("gru", **FAST).fit(aeon_style, y)
    # Differing channel counts in the right layout get no such hint.
    bad = [x[:, : 2 + i % 2].T for i, x in enumerate(X)]
    with pytest.raises(ValueError, match="feature counts") as error:
        RNNClassifier("gru", input_layout=CHANNELS_FIRST, **FAST).fit(bad, y)
    assert "input_layout" not in str(error.value)


def test_fitted_layout_is_checked_saved_and_loaded(time_major, tmp_path):
    X, y = time_major
    X_cf = X.transpose(0, 2, 1)
    clf = RNNClassifier("gru", input_layout=CHANNELS_FIRST, **FAST).fit(X_cf, y)
    with pytest.raises(ValueError, match="X has 9 features per time step"):
        clf.predict(X)  # time-major data given to a channels-first model
    loaded = RNNClassifier.load(clf.save(tmp_path / "model.pt"), device="cpu")
    assert loaded.input_layout == CHANNELS_FIRST
    np.testing.assert_array_equal(loaded.predict_proba(X_cf), clf.predict_proba(X_cf))


def test_unknown_layout_is_refused(time_major):
    X, y = time_major
    with pytest.raises(InvalidParameterError, match="input_layout"):
        RNNClassifier(input_layout="channels_last").fit(X, y)
