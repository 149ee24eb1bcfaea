"""Seeded fits draw from their own generator: threads give the serial
results bit for bit, and the caller's global torch and NumPy generators are
never used."""

import threading

import numpy as np
import pytest
import torch
from joblib import Parallel, delayed
from torch.utils.data import RandomSampler

from ica_sklearn import RNNClassifier
from ica_sklearn.classifier._net import SeededShuffle
from ica_sklearn.utils._random import seeded_generator

SMALL = dict(max_epochs=4, hidden_size=4, attention_hops=3, attention_dim=4, batch_size=8,
             validation_fraction=0.25, stop_at_perfect_train_accuracy=False)


@pytest.fixture(scope="module")
def data():
    rng = np.random.RandomState(0)
    y = np.repeat([0, 1], 20)
    X = rng.normal(size=(40, 10, 3)).astype(np.float32)
    X[:, :3] += np.where(y == 1, 0.5, -0.5)[:, None, None]
    return X, y


def _fit_proba(X, y, seed, **params):
    return RNNClassifier(**{**SMALL, **params}, random_state=seed).fit(X, y).predict_proba(X)


@pytest.mark.parametrize(
    "params",
    [{}, {"num_layers": 2, "cell": "gru"}, {"num_layers": 2, "cell": "transformer"}],
    ids=["private_generator", "fused_dropout_under_the_lock", "transformer_private_generator"],
)
def test_seeded_fits_in_threads_equal_serial_fits(params, data):
    X, y = data
    seeds = [1, 2, 3]
    serial = [_fit_proba(X, y, seed, **params) for seed in seeds]
    threaded = Parallel(n_jobs=3, backend="threading")(
        delayed(_fit_proba)(X, y, seed, **params) for seed in seeds
    )
    for a, b in zip(serial, threaded):
        np.testing.assert_array_equal(a, b)
    assert not np.array_equal(serial[0], serial[1])


@pytest.mark.parametrize("cell", ["ica_lstm", "tcn", "transformer_full"])
def test_fit_and_predict_leave_the_global_generators_alone(cell, data):
    # (the TCN and transformer dropouts, two layers deep, included)
    X, y = data
    torch.manual_seed(7)
    np.random.seed(7)
    torch_state, numpy_state = torch.get_rng_state(), np.random.get_state()
    num_layers = 1 if cell == "ica_lstm" else 2
    clf = RNNClassifier(**SMALL, cell=cell, num_layers=num_layers, random_state=0).fit(X, y)
    clf.predict_proba(X)
    assert torch.equal(torch.get_rng_state(), torch_state)
    assert np.array_equal(np.random.get_state()[1], numpy_state[1])


def test_a_fit_in_another_thread_does_not_change_the_callers_draws(data):
    X, y = data
    done, errors = threading.Event(), []

    def fit():
        try:
            RNNClassifier(**{**SMALL, "max_epochs": 8}, random_state=0).fit(X, y)
        except Exception as error:  # reported below, in the test's thread
            errors.append(error)
        finally:
            done.set()

    torch.manual_seed(5)
    thread = threading.Thread(target=fit)
    thread.start()
    draws = []
    while not done.is_set() or not draws:
        draws.append(torch.rand(1))
        done.wait(0.001)
    thread.join()
    assert not errors and len(draws) > 10
    torch.manual_seed(5)
    assert torch.equal(torch.cat(draws), torch.rand(len(draws)))


def test_seeded_shuffle_gives_the_orders_of_a_sampler_on_the_global_generator():
    data = list(range(37))
    torch.manual_seed(3)
    expected = [list(RandomSampler(data)) for _ in range(3)]
    shuffle = SeededShuffle(data, seeded_generator(3))
    assert [list(shuffle) for _ in range(3)] == expected
    assert len(shuffle) == 37
