"""Property tests (hypothesis): for random shapes, lengths, input dtypes and
cells, predictions and saliency maps have the right shapes, are finite on
valid steps and NaN on padded ones, and padding never changes predictions."""

import numpy as np
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from ica_sklearn import RNNClassifier, SaliencyExplainer
from ica_sklearn.nn import CELL_TYPES

FEW = settings(max_examples=15, deadline=None, derandomize=True,
               suppress_health_check=[HealthCheck.too_slow])
TINY = dict(max_epochs=2, attention_hops=2, attention_dim=3, hidden_size=3, lr=0.02,
            random_state=0, dtype="float64")


@st.composite
def sequences(draw):
    """(X padded with NaN, lengths, y, input dtype, cell)."""
    n = draw(st.integers(4, 9))
    n_steps = draw(st.integers(1, 7))
    n_features = draw(st.integers(1, 3))
    dtype = draw(st.sampled_from([np.float16, np.float32, np.float64, np.int64]))
    seed = draw(st.integers(0, 2**16))
    rng = np.random.RandomState(seed)
    lengths = rng.randint(1, n_steps + 1, size=n)
    lengths[0] = n_steps
    if dtype is np.int64:  # integers cannot hold NaN padding: equal lengths
        lengths[:] = n_steps
        X = rng.randint(-3, 4, size=(n, n_steps, n_features)).astype(dtype)
    else:
        X = rng.normal(size=(n, n_steps, n_features)).astype(dtype)
        X[np.arange(n_steps)[None, :] >= lengths[:, None]] = np.nan
    y = np.arange(n) % 2
    return X, lengths, y, draw(st.sampled_from(CELL_TYPES))


@FEW
@given(sequences())
def test_shapes_finiteness_and_padding(case):
    X, lengths, y, cell = case
    n, n_steps, n_features = X.shape
    clf = RNNClassifier(cell, **TINY).fit(X, y)
    proba = clf.predict_proba(X)
    assert proba.shape == (n, 2)
    assert np.isfinite(proba).all()
    np.testing.assert_allclose(proba.sum(axis=1), 1.0, rtol=1e-10)
    assert clf.predict(X).shape == (n,)

    maps = SaliencyExplainer(clf).transform(X, y)
    assert maps.shape == (n, n_steps, n_features)
    valid = np.arange(n_steps)[None, :] < lengths[:, None]
    assert np.isfinite(maps[valid]).all()
    assert np.isnan(maps[~valid]).all()
    assert (maps[valid] >= 0).all()

    # More end padding, the ragged list, and each sample alone: same outputs.
    extra = np.concatenate([X.astype(np.float64), np.full((n, 3, n_features), np.nan)], 1)
    np.testing.assert_allclose(clf.predict_proba(extra), proba, rtol=1e-9, atol=1e-12)
    ragged = [X[i, : lengths[i]] for i in range(n)]
    np.testing.assert_allclose(clf.predict_proba(ragged), proba, rtol=1e-9, atol=1e-12)
    alone = np.vstack([clf.predict_proba(X[i : i + 1, : lengths[i]]) for i in range(n)])
    np.testing.assert_allclose(alone, proba, rtol=1e-9, atol=1e-12)
    extra_maps = SaliencyExplainer(clf).transform(extra, y)
    np.testing.assert_allclose(extra_maps[:, :n_steps], maps, rtol=1e-9, atol=1e-12)


@FEW
@given(
    n_steps=st.integers(2, 8),
    padding=st.integers(1, 5),
    junk=st.floats(-1e6, 1e6),
)
def test_what_lies_beyond_the_padding_never_matters_float32(n_steps, padding, junk):
    """float32 model: predictions do not depend on how much NaN end padding
    follows, nor on the other samples in the batch."""
    rng = np.random.RandomState(n_steps)
    X = rng.normal(size=(6, n_steps, 2)).astype(np.float32)
    y = np.arange(6) % 2
    clf = RNNClassifier("ica_lstm", **{**TINY, "dtype": "float32"}).fit(X, y)
    padded = np.concatenate([X, np.full((6, padding, 2), np.nan, np.float32)], axis=1)
    np.testing.assert_allclose(clf.predict_proba(padded), clf.predict_proba(X),
                               rtol=1e-5, atol=1e-6)
    # A sample's output does not depend on the other samples' values.
    other = padded.copy()
    other[1:, :n_steps] = np.float32(junk)
    np.testing.assert_allclose(clf.predict_proba(other)[0], clf.predict_proba(X)[0],
                               rtol=1e-5, atol=1e-6)
