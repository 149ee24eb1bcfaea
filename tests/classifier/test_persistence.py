"""Persistence: pickle/joblib round trips, the portable ``save``/``load``
format (GPU-trained models on CPU, version checks), bit-identical results
for the same ``random_state`` (also across GridSearchCV workers), and
checkpoints that let an interrupted fit resume."""

import pickle
from pathlib import Path

import joblib
import numpy as np
import pytest
import torch
from sklearn.model_selection import GridSearchCV
from skorch.callbacks import Callback

from ica_sklearn import RNNClassifier, SaliencyExplainer
from ica_sklearn.classifier import _persistence

TINY = dict(max_epochs=3, attention_hops=2, attention_dim=3, lr=0.02, random_state=0)


@pytest.fixture(scope="module")
def data():
    rng = np.random.RandomState(1)
    y = np.array(["rest", "task"] * 10)
    X = rng.normal(size=(20, 7, 3)).astype(np.float32)
    X[:, :2] += np.where(y == "task", 1.0, -1.0)[:, None, None]
    X[3, 5:] = np.nan  # one shorter sequence
    return X, y


@pytest.fixture(scope="module")
def fitted(data):
    return RNNClassifier(**TINY).fit(*data)


def _same_outputs(a, b, X):
    np.testing.assert_array_equal(a.predict_proba(X), b.predict_proba(X))
    np.testing.assert_array_equal(
        SaliencyExplainer(a).transform(X), SaliencyExplainer(b).transform(X)
    )


@pytest.mark.parametrize("dump, load", [
    (pickle.dumps, pickle.loads),
    (lambda est: _joblib_bytes(est), lambda raw: _joblib_load(raw)),
])
def test_pickle_and_joblib_round_trip(dump, load, data, fitted):
    X, _ = data
    restored = load(dump(fitted))
    _same_outputs(fitted, restored, X)
    np.testing.assert_array_equal(restored.classes_, fitted.classes_)


def _joblib_bytes(estimator):
    import io

    buffer = io.BytesIO()
    joblib.dump(estimator, buffer)
    return buffer.getvalue()


def _joblib_load(raw):
    import io

    return joblib.load(io.BytesIO(raw))


@pytest.mark.parametrize("cell", ["ica_lstm", "lstm_self_attention", "gru"])
def test_save_load_keeps_predictions_params_and_fitted_attributes(cell, data, tmp_path):
    X, y = data
    clf = RNNClassifier(cell, **{**TINY, "optimizer": torch.optim.AdamW}).fit(X, y)
    path = clf.save(tmp_path / "model.pt")
    loaded = RNNClassifier.load(path)
    _same_outputs(clf, loaded, X)
    assert loaded.get_params() == {**clf.get_params(), "callbacks": None}
    for name in ("classes_", "n_features_in_", "n_timesteps_in_", "n_channels_", "n_epochs_"):
        np.testing.assert_array_equal(getattr(loaded, name), getattr(clf, name))
    assert loaded.device_ == "cpu"
    assert len(loaded.net_.history) == clf.n_epochs_
    # The file is plain data: torch's safe loader reads it.
    payload = torch.load(path, weights_only=True)
    assert payload["package_version"] == __import__("ica_sklearn").__version__
    assert set(payload["state_dict"]) == set(clf.net_.module_.state_dict())


def test_save_load_2d_dataframe_keeps_feature_names(tmp_path):
    pd = pytest.importorskip("pandas")
    rng = np.random.RandomState(0)
    X = pd.DataFrame(rng.normal(size=(12, 5)), columns=[f"t{i}" for i in range(5)])
    y = np.repeat([3, 7], 6)
    clf = RNNClassifier("lstm", **TINY).fit(X, y)
    loaded = RNNClassifier.load(clf.save(tmp_path / "m.pt"))
    np.testing.assert_array_equal(loaded.feature_names_in_, clf.feature_names_in_)
    np.testing.assert_array_equal(loaded.predict(X), clf.predict(X))
    assert loaded.classes_.dtype == clf.classes_.dtype


def test_model_trained_on_cuda_loads_on_cpu(data, fitted, tmp_path, monkeypatch):
    """Simulate a file written on a GPU machine: device_ "cuda"; this machine
    has no GPU (forced), so load puts the model on the CPU."""
    X, _ = data
    path = fitted.save(tmp_path / "gpu.pt")
    payload = torch.load(path, weights_only=True)
    payload["fitted"]["device"] = "cuda"
    payload["params"]["device"] = "cuda"
    torch.save(payload, path)
    monkeypatch.setattr(torch.cuda, "is_available", lambda: False)
    loaded = RNNClassifier.load(path)
    assert loaded.device_ == "cpu"
    assert loaded.device == "cuda"  # the parameter is kept; refitting here says no GPU
    assert next(loaded.net_.module_.parameters()).device.type == "cpu"
    np.testing.assert_array_equal(loaded.predict_proba(X), fitted.predict_proba(X))
    explicit = RNNClassifier.load(path, device="cpu")
    assert explicit.device_ == "cpu"


def test_file_from_another_version_is_refused_unless_allowed(data, fitted, tmp_path,
                                                             monkeypatch):
    X, _ = data
    path = fitted.save(tmp_path / "old.pt")
    monkeypatch.setattr(_persistence, "_package_version", lambda: "9.9.0")
    with pytest.raises(ValueError, match=r"saved by ica_sklearn 0\.1\.0.*this is "
                                         r"ica_sklearn 9\.9\.0.*allow_version_mismatch"):
        RNNClassifier.load(path)
    with pytest.warns(UserWarning, match="allow_version_mismatch=True"):
        loaded = RNNClassifier.load(path, allow_version_mismatch=True)
    np.testing.assert_array_equal(loaded.predict_proba(X), fitted.predict_proba(X))


@pytest.mark.filterwarnings("ignore:Detected pickle protocol")
def test_other_file_format_version_and_foreign_files_are_refused(fitted, tmp_path):
    path = fitted.save(tmp_path / "m.pt")
    payload = torch.load(path, weights_only=True)
    payload["format_version"] = 99
    torch.save(payload, path)
    with pytest.raises(ValueError, match="file format version 99.*refit or re-save"):
        RNNClassifier.load(path, allow_version_mismatch=True)
    pickled = tmp_path / "pickled.pkl"
    pickled.write_bytes(pickle.dumps(fitted))
    with pytest.raises(ValueError, match="not a file written by RNNClassifier.save"):
        RNNClassifier.load(pickled)
    torch.save({"weights": torch.zeros(2)}, tmp_path / "other.pt")
    with pytest.raises(ValueError, match="not a file written by RNNClassifier.save"):
        RNNClassifier.load(tmp_path / "other.pt")


def test_weights_that_do_not_fit_the_parameters_are_refused(fitted, tmp_path):
    path = fitted.save(tmp_path / "m.pt")
    payload = torch.load(path, weights_only=True)
    payload["params"]["hidden_size"] = 7
    torch.save(payload, path)
    with pytest.raises(ValueError, match="do not fit the network.*Refit"):
        RNNClassifier.load(path)


# ------------------------------------------------------------- determinism
def test_same_random_state_is_bit_identical_for_predictions_and_saliency(data):
    X, y = data
    params = {**TINY, "cell": "ica_gru", "random_state": 5}
    a = RNNClassifier(**params).fit(X, y)
    b = RNNClassifier(**params).fit(X, y)
    _same_outputs(a, b, X)
    c = RNNClassifier(**{**params, "random_state": 6}).fit(X, y)
    assert not np.array_equal(a.predict_proba(X), c.predict_proba(X))


def _fingerprint(estimator, X, y):
    """Exact sums of the probabilities and saliency: any bit changes them."""
    return float(estimator.predict_proba(X).astype(np.float64).sum())


def _saliency_fingerprint(estimator, X, y):
    return float(np.nansum(SaliencyExplainer(estimator).transform(X, y).astype(np.float64)))


@pytest.mark.slow
def test_grid_search_is_bit_identical_across_n_jobs(data):
    X, y = data
    grid = {"cell": ["lstm", "ica_lstm"], "hidden_size": [3, 5]}
    scoring = {"proba": _fingerprint, "saliency": _saliency_fingerprint}

    def search(n_jobs):
        est = RNNClassifier(**TINY, torch_num_threads=1)
        return GridSearchCV(est, grid, cv=2, scoring=scoring, refit=False,
                            n_jobs=n_jobs).fit(X, y).cv_results_

    serial, parallel = search(1), search(2)
    for key in ("split0_test_proba", "split1_test_proba",
                "split0_test_saliency", "split1_test_saliency"):
        np.testing.assert_array_equal(serial[key], parallel[key])


# -------------------------------------------------------------- threads
def test_torch_num_threads_applies_during_fit_and_predict_and_is_restored(data):
    X, y = data
    seen = []

    class RecordThreads(Callback):
        def on_epoch_end(self, net, **kwargs):
            seen.append(torch.get_num_threads())

    before = torch.get_num_threads()
    target = 2 if before != 2 else 3
    clf = RNNClassifier(**TINY, torch_num_threads=target, callbacks=[RecordThreads()])
    clf.fit(X, y)
    assert seen and set(seen) == {target}
    assert torch.get_num_threads() == before
    clf.predict(X)
    assert torch.get_num_threads() == before


# ------------------------------------------------------------ checkpoints
class Interrupt(Callback):
    """Simulate a crash (a killed job) after ``at`` epochs."""

    def __init__(self, at):
        self.at = at

    def on_epoch_end(self, net, **kwargs):
        if len(net.history) == self.at:
            raise RuntimeError("simulated crash")


class CountEpochs(Callback):
    def initialize(self):
        self.count_ = 0
        return self

    def on_epoch_end(self, net, **kwargs):
        self.count_ += 1


def test_interrupted_fit_resumes_from_checkpoint(data, tmp_path):
    X, y = data
    params = {**TINY, "max_epochs": 6, "stop_at_perfect_train_accuracy": False,
              "checkpoint_dir": tmp_path / "ckpt"}
    with pytest.raises(RuntimeError, match="simulated crash"):
        RNNClassifier(**params, callbacks=[Interrupt(at=4)]).fit(X, y)
    assert len(list((tmp_path / "ckpt").glob("checkpoint-*.pt"))) == 1

    counter = CountEpochs()
    resumed = RNNClassifier(**params, callbacks=[counter]).fit(X, y)
    assert counter.count_ == 2  # only the remaining epochs
    assert resumed.n_epochs_ == 6
    # The first 4 epochs are the interrupted run's, loaded from the checkpoint.
    uninterrupted = RNNClassifier(**{**params, "checkpoint_dir": None}).fit(X, y)
    np.testing.assert_allclose(
        resumed.net_.history[:4, "train_loss"],
        uninterrupted.net_.history[:4, "train_loss"], rtol=1e-6,
    )
    # A finished checkpoint: fitting again trains nothing more.
    again = CountEpochs()
    RNNClassifier(**params, callbacks=[again]).fit(X, y)
    assert again.count_ == 0


def test_checkpoint_keeps_the_stopping_epoch(data, tmp_path):
    """With the paper's stopping rule, the epoch that reached 100 % is saved
    and a later fit sees training as finished."""
    X, y = data
    params = {**TINY, "max_epochs": 40, "checkpoint_dir": tmp_path / "ckpt"}
    clf = RNNClassifier(**params).fit(X, y)
    assert clf.net_.history[-1, "train_acc"] == 1.0 and clf.n_epochs_ < 40
    counter = CountEpochs()
    again = RNNClassifier(**params, callbacks=[counter]).fit(X, y)
    assert counter.count_ == 0 and again.n_epochs_ == clf.n_epochs_
    np.testing.assert_array_equal(again.predict_proba(X), clf.predict_proba(X))


def test_checkpoint_of_another_model_is_never_resumed(data, tmp_path):
    """Other hyper-parameters: a fresh fit beside the first one's checkpoint."""
    X, y = data
    params = {**TINY, "checkpoint_dir": tmp_path / "ckpt"}
    RNNClassifier(**params).fit(X, y)
    counter = CountEpochs()
    with pytest.warns(UserWarning, match="1 checkpoint.*of other fits.*starts from scratch"):
        other = RNNClassifier(**{**params, "hidden_size": 9}, callbacks=[counter]).fit(X, y)
    assert counter.count_ == other.n_epochs_ > 0
    assert len(list((tmp_path / "ckpt").glob("checkpoint-*.pt"))) == 2


@pytest.mark.parametrize("cell", ["ica_lstm", "lstm_self_attention"])
def test_files_saved_before_the_package_was_split_into_subpackages_still_load(cell):
    """Written by ica_sklearn 0.1.0 with the flat layout (commit eff9bf4)."""
    data = Path(__file__).parent / "data"
    expected = np.load(data / f"{cell}_v0.1.0_expected.npz")
    loaded = RNNClassifier.load(data / f"{cell}_v0.1.0.pt", device="cpu")
    assert loaded.cell == cell and loaded.classes_.tolist() == ["rest", "task"]
    np.testing.assert_allclose(loaded.predict_proba(expected["X"]), expected["proba"], rtol=1e-6)
