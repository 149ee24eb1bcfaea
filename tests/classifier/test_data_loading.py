"""The net's data loaders fetch whole batches at once (one index per array per
batch) instead of sample by sample; batches, orders, random draws and so
every seeded fit must be exactly those of torch's per-sample loader."""

import runpy
from pathlib import Path

import numpy as np
import pytest
import torch
from torch.utils.data import default_collate

from ica_sklearn import RNNClassifier
from ica_sklearn.classifier import _net
from ica_sklearn.classifier._net import BatchIndexedDataset, ClassifierNet, net_inputs
from ica_sklearn.utils._random import private_generator, seeded_generator

_LOADER = Path(__file__).parents[2] / "benchmarks" / "_reference_loader.py"
PerSampleNet = runpy.run_path(str(_LOADER))["PerSampleNet"]




@pytest.fixture(scope="module")
def data():
    rng = np.random.RandomState(0)
    y = np.repeat([0, 1], 21)
    X = rng.normal(size=(42, 10, 3)).astype(np.float32)
    X[:, :3] += np.where(y == 1, 0.6, -0.6)[:, None, None]
    X[:4, 7:] = np.nan  # shorter sequences
    return X, y


def _net_for(cls, batch_size=8):
    return cls(
        _net.RecurrentClassifierModule,
        module__n_features=3,
        module__n_classes=2,
        dataset=BatchIndexedDataset,
        batch_size=batch_size,
        iterator_train__shuffle=True,
        classes=[0, 1],
    )


def _batches(net, dataset, training, seed):
    with private_generator(seeded_generator(seed)) as generator:
        batches = list(net.get_iterator(dataset, training=training))
        return batches, generator.get_state()


@pytest.mark.parametrize("training", [True, False], ids=["train", "valid"])
@pytest.mark.parametrize("batch_size", [8, 42, -1, 100])
@pytest.mark.parametrize("with_targets", [True, False], ids=["targets", "no_targets"])
def test_batches_and_draws_equal_torchs_per_sample_loader(data, training, batch_size, with_targets):
    X, y = data
    values = np.nan_to_num(X)
    lengths = np.arange(len(X)) % 10 + 1
    dataset = BatchIndexedDataset(net_inputs(values, lengths), y if with_targets else None)
    # Also a subset, as the validation split and the stop rule's checks make.
    subset = torch.utils.data.Subset(dataset, [5, 0, 41, 17, 3, 3, 20])
    for part in (dataset, subset):
        got, state = _batches(_net_for(ClassifierNet, batch_size), part, training, seed=1)
        expected, expected_state = _batches(
            _net_for(PerSampleNet, batch_size), part, training, seed=1
        )
        assert torch.equal(state, expected_state)  # the same draws from the generator
        assert len(got) == len(expected) > 0
        for (got_X, got_y), (expected_X, expected_y) in zip(got, expected):
            assert got_X.keys() == expected_X.keys()
            for key in got_X:
                assert got_X[key].dtype == expected_X[key].dtype
                assert torch.equal(got_X[key], expected_X[key])
            if with_targets:
                assert got_y.dtype == expected_y.dtype and torch.equal(got_y, expected_y)
    if training:  # shuffled: another seed, another order
        other, _ = _batches(_net_for(ClassifierNet, 8), dataset, training, seed=2)
        assert not torch.equal(other[0][0]["X"], got[0][0]["X"]) or len(got) == 1


@pytest.mark.parametrize(
    "params",
    [
        dict(cell="ica_lstm", stop_at_perfect_train_accuracy=False),
        # Stops mid-epoch 10, after whole-set and misclassified-subset checks.
        dict(cell="lstm", stop_at_perfect_train_accuracy=True, lr=0.1, max_epochs=12),
        dict(cell="lstm", validation_fraction=0.25, n_iter_no_change=2),
        dict(cell="gru", num_layers=2, dtype="float64"),
    ],
    ids=["plain", "stop_rule", "validation_split", "gru_float64"],
)
def test_seeded_fit_equals_the_fit_with_torchs_per_sample_loader(data, params, monkeypatch):
    X, y = data
    settings = dict(max_epochs=3, hidden_size=4, attention_hops=3, attention_dim=4, batch_size=8,
                    random_state=5, torch_num_threads=1)
    settings.update(params)
    ours = RNNClassifier(**settings).fit(X, y)
    with monkeypatch.context() as patch:
        patch.setattr(_net, "ClassifierNet", PerSampleNet)
        before = RNNClassifier(**settings).fit(X, y)
    assert isinstance(before.net_, PerSampleNet) and not isinstance(ours.net_, PerSampleNet)
    np.testing.assert_array_equal(ours.predict_proba(X), before.predict_proba(X))
    for key in ("train_loss", "train_acc"):
        assert ours.net_.history[:, key] == before.net_.history[:, key]
    assert ours.n_epochs_ == before.n_epochs_
    if params.get("stop_at_perfect_train_accuracy"):
        assert ours.net_.history[-1, "stopped_after_batch"] == 3
    for mine, theirs in zip(ours.module_.parameters(), before.module_.parameters()):
        assert torch.equal(mine, theirs)


def test_custom_collate_gets_torchs_loader(data):
    X, y = data
    calls = []

    def collate(samples):
        calls.append(len(samples))
        return default_collate(samples)

    net = _net_for(ClassifierNet).set_params(iterator_valid__collate_fn=collate)
    dataset = BatchIndexedDataset(net_inputs(np.nan_to_num(X), np.full(len(X), 10)), y)
    batches, _ = _batches(net, dataset, training=False, seed=0)
    assert calls == [8, 8, 8, 8, 8, 2] and len(batches) == 6
