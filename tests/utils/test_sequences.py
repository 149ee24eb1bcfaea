"""split_padding: arrays without NaN take a one-pass shortcut that must give
what the general path gives."""

import numpy as np
import pytest

from ica_sklearn.utils._sequences import split_padding


@pytest.mark.parametrize("dtype", [np.float32, np.float64])
def test_unpadded_shortcut_equals_the_general_path(dtype):
    rng = np.random.RandomState(0)
    finite = rng.normal(size=(6, 7, 3)).astype(dtype)
    finite[0, 0, 0] = -0.0
    # One shorter sample sends the same rows through the general path.
    padded = np.concatenate([finite, np.full((1, 7, 3), np.nan, dtype=dtype)])
    padded[-1, :2] = 1.0
    values, lengths = split_padding(finite)
    general_values, general_lengths = split_padding(padded)
    assert values.dtype == general_values.dtype == dtype
    assert lengths.dtype == general_lengths.dtype == np.int64
    np.testing.assert_array_equal(values, general_values[:-1])
    assert np.signbit(values[0, 0, 0]) == np.signbit(general_values[0, 0, 0])
    np.testing.assert_array_equal(lengths, general_lengths[:-1])
    assert general_lengths[-1] == 2 and not general_values[-1, 2:].any()
    assert not np.shares_memory(values, finite)  # a copy, as documented


def test_infinity_is_still_reported():
    X = np.zeros((2, 3, 1))
    X[1, 2, 0] = np.inf
    with pytest.raises(ValueError, match="infinity"):
        split_padding(X)
