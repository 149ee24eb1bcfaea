"""Checkpoints belong to one fit: a fingerprint of the hyper-parameters and
data picks the file, so other fits (cross-validation folds, clones fitted on
other labels) never resume it; writes are atomic and failures raise; damaged
files give an error naming the file and the fix.  Fault injection: a process
killed in the middle of a checkpoint write, a disk that fails."""

import errno
import os
import subprocess
import sys
import textwrap
from pathlib import Path

import numpy as np
import pytest
import torch
from sklearn.base import clone
from sklearn.model_selection import cross_validate
from skorch.callbacks import Callback

from ica_sklearn import RNNClassifier
from ica_sklearn.utils import _files

ROOT = Path(__file__).parents[2]
TINY = dict(max_epochs=3, hidden_size=3, attention_hops=2, attention_dim=3, lr=0.02,
            random_state=0, stop_at_perfect_train_accuracy=False)


@pytest.fixture(scope="module")
def data():
    rng = np.random.RandomState(2)
    y = np.array(["rest", "task"] * 9)
    X = rng.normal(size=(18, 6, 3)).astype(np.float32)
    X[:, :2] += np.where(y == "task", 1.0, -1.0)[:, None, None]
    return X, y


class CountEpochs(Callback):
    def initialize(self):
        self.count_ = 0
        return self

    def on_epoch_end(self, net, **kwargs):
        self.count_ += 1


def _checkpoints(folder):
    return sorted(Path(folder).glob("checkpoint-*.pt"))


def _fit(X, y, **params):
    return RNNClassifier(**{**TINY, **params}).fit(X, y)


@pytest.mark.filterwarnings("ignore:checkpoint_dir .* holds")
def test_cross_validation_folds_never_resume_each_other(data, tmp_path):
    X, y = data
    scoring = ["accuracy", "neg_log_loss"]
    plain = cross_validate(RNNClassifier(**TINY), X, y, cv=3, scoring=scoring)
    shared = cross_validate(RNNClassifier(**TINY, checkpoint_dir=tmp_path), X, y, cv=3,
                            scoring=scoring)
    for key in ("test_accuracy", "test_neg_log_loss"):
        np.testing.assert_array_equal(shared[key], plain[key])
    assert len(_checkpoints(tmp_path)) == 3


def test_clone_fitted_on_other_labels_or_data_starts_from_scratch(data, tmp_path):
    X, y = data
    first = _fit(X, y, checkpoint_dir=tmp_path)
    swapped = np.where(y == "rest", "task", "rest")
    counter = CountEpochs()
    with pytest.warns(UserWarning, match="holds 1 checkpoint"):
        other = clone(first).set_params(callbacks=[counter]).fit(X, swapped)
    assert counter.count_ == TINY["max_epochs"]
    np.testing.assert_array_equal(other.predict_proba(X), _fit(X, swapped).predict_proba(X))
    with pytest.warns(UserWarning, match="holds 2 checkpoint"):
        on_less_data = _fit(X[:12], y[:12], checkpoint_dir=tmp_path)
    np.testing.assert_array_equal(on_less_data.predict_proba(X), _fit(X[:12], y[:12]).predict_proba(X))
    assert len(_checkpoints(tmp_path)) == 3


def test_a_larger_max_epochs_continues_the_same_checkpoint(data, tmp_path):
    X, y = data
    _fit(X, y, checkpoint_dir=tmp_path, max_epochs=2)
    counter = CountEpochs()
    longer = _fit(X, y, checkpoint_dir=tmp_path, max_epochs=5, callbacks=[counter])
    assert counter.count_ == 3 and longer.n_epochs_ == 5
    assert len(_checkpoints(tmp_path)) == 1


@pytest.mark.parametrize("damage", ["empty", "truncated", "garbage", "not_a_checkpoint"])
def test_a_damaged_checkpoint_names_the_file_and_the_fix(damage, data, tmp_path):
    X, y = data
    _fit(X, y, checkpoint_dir=tmp_path)
    (path,) = _checkpoints(tmp_path)
    raw = path.read_bytes()
    if damage == "not_a_checkpoint":
        torch.save({"weights": torch.zeros(2)}, path)
    else:
        path.write_bytes({"empty": b"", "truncated": raw[: len(raw) // 2],
                          "garbage": b"\x00garbage" * 50}[damage])
    with pytest.raises(ValueError, match=rf"(?s){path.name}.*damaged.*Delete that file"):
        _fit(X, y, checkpoint_dir=tmp_path)


def test_a_checkpoint_of_another_fit_under_this_name_is_refused(data, tmp_path):
    X, y = data
    _fit(X, y, checkpoint_dir=tmp_path)
    (mine,) = _checkpoints(tmp_path)
    other_folder = tmp_path / "other"
    _fit(X, y, checkpoint_dir=other_folder, hidden_size=4)
    (other,) = _checkpoints(other_folder)
    mine.write_bytes(other.read_bytes())
    with pytest.raises(ValueError, match="records another fit than its name says"):
        _fit(X, y, checkpoint_dir=tmp_path)


def test_a_failed_write_raises_and_keeps_the_previous_checkpoint(data, tmp_path, monkeypatch):
    """A disk that fills up at the third epoch's checkpoint."""
    X, y = data
    real_open, calls = open, []

    def failing_open(path, mode="r", *args, **kwargs):
        if "x" in mode:
            calls.append(path)
            if len(calls) == 3:
                raise OSError(errno.ENOSPC, "No space left on device")
        return real_open(path, mode, *args, **kwargs)

    monkeypatch.setattr(_files, "open", failing_open, raising=False)
    with pytest.raises(OSError, match=r"Could not write the checkpoint.*No space left.*unchanged"):
        _fit(X, y, checkpoint_dir=tmp_path, max_epochs=5)
    (path,) = _checkpoints(tmp_path)
    payload = torch.load(path, weights_only=True)
    assert payload["history"].count('"epoch"') == 2  # the second epoch's checkpoint
    assert sorted(p.name for p in tmp_path.iterdir()) == [path.name]  # no temporary file left


def test_checkpoint_dir_problems_are_reported_before_training(data, tmp_path):
    X, y = data
    a_file = tmp_path / "file"
    a_file.write_text("x")
    counter = CountEpochs()
    with pytest.raises(NotADirectoryError, match="checkpoint_dir .* is a file, not a folder"):
        _fit(X, y, checkpoint_dir=a_file, callbacks=[counter])
    assert not hasattr(counter, "count_")  # raised before the net was built


@pytest.mark.skipif(os.name != "posix" or os.geteuid() == 0,
                    reason="needs POSIX permissions that bind this user (root ignores them)")
def test_a_read_only_checkpoint_dir_is_reported_before_training(data, tmp_path):
    X, y = data
    folder = tmp_path / "read_only"
    folder.mkdir()
    folder.chmod(0o500)
    try:
        with pytest.raises(PermissionError, match="checkpoint_dir .* is not writable"):
            _fit(X, y, checkpoint_dir=folder)
    finally:
        folder.chmod(0o700)


KILLED_MID_WRITE = """
import os, signal, sys
import numpy as np
from ica_sklearn import RNNClassifier
from ica_sklearn.classifier import _checkpoint
folder, kill_at = sys.argv[1], int(sys.argv[2])
real_write, written = _checkpoint.atomic_write, []

def write_then_die(path, write, **kwargs):
    written.append(path)
    if len(written) < kill_at:
        return real_write(path, write, **kwargs)
    def half(handle):  # half the checkpoint on disk, then the process dies
        handle.write(b"\\x80" * 1000)
        handle.flush()
        os.kill(os.getpid(), signal.SIGKILL)
    return real_write(path, half, **kwargs)

_checkpoint.atomic_write = write_then_die
rng = np.random.RandomState(2)
X, y = rng.normal(size=(18, 6, 3)).astype(np.float32), np.array(["rest", "task"] * 9)
RNNClassifier(max_epochs=6, hidden_size=3, attention_hops=2, attention_dim=3, lr=0.02,
              random_state=0, stop_at_perfect_train_accuracy=False,
              checkpoint_dir=folder).fit(X, y)
"""


@pytest.mark.slow  # (a fresh Python process imports torch: about 7 s of CPU)
def test_a_process_killed_while_writing_a_checkpoint_resumes_from_the_last_epoch(tmp_path):
    env = {**os.environ, "PYTHONPATH": os.pathsep.join([str(ROOT), os.environ.get("PYTHONPATH", "")])}
    child = subprocess.run([sys.executable, "-c", KILLED_MID_WRITE, str(tmp_path), "4"],
                           env=env, capture_output=True, text=True, timeout=120)
    assert child.returncode == -9, child.stderr
    (path,) = _checkpoints(tmp_path)
    assert torch.load(path, weights_only=True)["history"].count('"epoch"') == 3
    rng = np.random.RandomState(2)
    X, y = rng.normal(size=(18, 6, 3)).astype(np.float32), np.array(["rest", "task"] * 9)
    counter = CountEpochs()
    resumed = _fit(X, y, max_epochs=6, checkpoint_dir=tmp_path, callbacks=[counter])
    assert counter.count_ == 3 and resumed.n_epochs_ == 6
