"""SaliencyExplainer returns maps in the explained classifier's input_layout."""

import numpy as np

from ica_sklearn import RNNClassifier, SaliencyExplainer

TINY = dict(max_epochs=3, hidden_size=4, attention_hops=3, attention_dim=4, random_state=0)


def test_maps_come_back_in_the_channels_first_layout():
    rng = np.random.RandomState(0)
    y = np.repeat([0, 1], 6)
    X = rng.normal(size=(12, 7, 3)).astype(np.float32)  # (n, T, F)
    X[:, :2] += np.where(y == 1, 1.0, -1.0)[:, None, None]
    X[0, 5:] = np.nan  # a shorter sequence
    X_cf = X.transpose(0, 2, 1)  # (n, C, T)
    reference = RNNClassifier("ica_lstm", **TINY).fit(X, y)
    clf = RNNClassifier("ica_lstm", input_layout="samples_channels_time", **TINY).fit(X_cf, y)
    expected = SaliencyExplainer(reference).transform(X, y)
    maps = SaliencyExplainer(clf).transform(X_cf, y)
    assert maps.shape == (12, 3, 7)
    np.testing.assert_array_equal(maps, expected.transpose(0, 2, 1))
    assert np.isnan(maps[0, :, 5:]).all() and not np.isnan(maps[0, :, :5]).any()
    # Ragged lists of (n_channels, n_timesteps_i) give the NaN-padded maps.
    ragged = [x[:, : 5 if i == 0 else 7] for i, x in enumerate(X_cf)]
    np.testing.assert_allclose(SaliencyExplainer(clf).transform(ragged, y), maps, atol=1e-6)
