"""``save`` and ``load`` under faults and attacks: a failed save leaves the
earlier file intact (disk full, file-size limit), path problems give clear
errors, and no file can make ``load`` import or call anything; crafted or
damaged files give a ``ValueError`` naming the field."""

import errno
import os
import subprocess
import sys
from decimal import Decimal
from pathlib import Path

import numpy as np
import pytest
import torch

from ica_sklearn import RNNClassifier
from ica_sklearn.utils import _files

ROOT = Path(__file__).parents[2]
TINY = dict(max_epochs=2, hidden_size=3, attention_hops=2, attention_dim=3, random_state=0)


@pytest.fixture(scope="module")
def data():
    rng = np.random.RandomState(4)
    return rng.normal(size=(12, 5, 2)).astype(np.float32), np.repeat(["rest", "task"], 6)


@pytest.fixture(scope="module")
def fitted(data):
    return RNNClassifier(**TINY).fit(*data)


@pytest.fixture
def saved(fitted, tmp_path):
    return fitted.save(tmp_path / "model.pt")


# ------------------------------------------------------------------- save
def test_a_failed_save_keeps_the_earlier_file(fitted, saved, monkeypatch):
    before = saved.read_bytes()

    def full_disk(path, mode="r", *args, **kwargs):
        raise OSError(errno.ENOSPC, "No space left on device")

    monkeypatch.setattr(_files, "open", full_disk, raising=False)
    with pytest.raises(OSError, match=r"Could not write the model .*model.pt.*No space.*unchanged"):
        fitted.save(saved)
    assert saved.read_bytes() == before
    assert [p.name for p in saved.parent.iterdir()] == ["model.pt"]


@pytest.mark.parametrize("target, error, message", [
    ("missing/model.pt", FileNotFoundError, r"folder .*missing' does not exist.*Create it first"),
    (".", IsADirectoryError, r"it is a folder.*Pass a file name"),
    ("a_file/model.pt", NotADirectoryError, r"a_file' is a file, not a folder"),
])
def test_save_path_problems_give_clear_errors(target, error, message, fitted, tmp_path):
    (tmp_path / "a_file").write_text("x")
    with pytest.raises(error, match=message):
        fitted.save(tmp_path / target)


@pytest.mark.skipif(os.name != "posix" or os.geteuid() == 0,
                    reason="needs POSIX permissions that bind this user (root ignores them)")
def test_save_into_a_read_only_folder_is_refused(fitted, tmp_path):
    folder = tmp_path / "read_only"
    folder.mkdir()
    folder.chmod(0o500)
    try:
        with pytest.raises(PermissionError, match="is not writable"):
            fitted.save(folder / "model.pt")
    finally:
        folder.chmod(0o700)


SIZE_LIMITED_SAVE = """
import os, resource, signal, sys
import numpy as np
from ica_sklearn import RNNClassifier
path, limit, handling = sys.argv[1], int(sys.argv[2]), sys.argv[3]
rng = np.random.RandomState(4)
X, y = rng.normal(size=(12, 5, 2)).astype(np.float32), np.repeat(["rest", "task"], 6)
big = RNNClassifier(max_epochs=1, hidden_size=64, random_state=0).fit(X, y)
if handling == "kill":  # (Python ignores SIGXFSZ, so a write fails with EFBIG instead)
    signal.signal(signal.SIGXFSZ, signal.SIG_DFL)
resource.setrlimit(resource.RLIMIT_FSIZE, (limit, resource.getrlimit(resource.RLIMIT_FSIZE)[1]))
try:
    big.save(path)
except OSError as error:
    print("OSError", error.errno, error)
    sys.exit(3)
"""


@pytest.mark.slow  # (a fresh Python process imports torch: about 7 s of CPU)
@pytest.mark.parametrize("handling", ["raise", "kill"])
def test_a_file_size_limit_mid_save_keeps_the_earlier_file(handling, data, fitted, saved):
    """RLIMIT_FSIZE below the new model's size: save raises EFBIG (Python
    ignores SIGXFSZ), or, with the signal's default action, the kernel kills
    the process mid-write."""
    pytest.importorskip("resource")
    signal = pytest.importorskip("signal")
    before = saved.read_bytes()
    limit = len(before) + 1024  # the earlier file fits, the bigger new model does not
    env = {**os.environ, "PYTHONPATH": os.pathsep.join([str(ROOT), os.environ.get("PYTHONPATH", "")])}
    child = subprocess.run([sys.executable, "-c", SIZE_LIMITED_SAVE, str(saved), str(limit), handling],
                           env=env, capture_output=True, text=True, timeout=180)
    if handling == "raise":
        assert child.returncode == 3, child.stderr
        assert f"OSError {errno.EFBIG} " in child.stdout and "unchanged" in child.stdout
        assert [p.name for p in saved.parent.iterdir()] == ["model.pt"]
    else:
        assert child.returncode == -signal.SIGXFSZ, (child.returncode, child.stderr)
    assert saved.read_bytes() == before
    X, _ = data
    np.testing.assert_array_equal(RNNClassifier.load(saved).predict_proba(X), fitted.predict_proba(X))


# ------------------------------------------------------------------- load
def test_load_path_problems_give_clear_errors(tmp_path):
    with pytest.raises(FileNotFoundError, match=r"No model file at .*nothing.pt.*clf.save"):
        RNNClassifier.load(tmp_path / "nothing.pt")
    with pytest.raises(IsADirectoryError, match="is a folder; pass the model file"):
        RNNClassifier.load(tmp_path)


def test_load_never_imports_a_module_the_file_names(saved, tmp_path, monkeypatch):
    marker = tmp_path / "ran"
    (tmp_path / "planted_module.py").write_text(
        f"open({str(marker)!r}, 'w').close()\nclass Optimizer:\n    pass\n"
    )
    monkeypatch.syspath_prepend(str(tmp_path))
    payload = torch.load(saved, weights_only=True)
    payload["params"]["optimizer"] = {"class": "planted_module.Optimizer"}
    torch.save(payload, saved)
    with pytest.raises(ValueError, match=r"optimizer class 'planted_module.Optimizer'.*does "
                                         r"not import.*load\(path, optimizer=TheClass\)"):
        RNNClassifier.load(saved)
    assert not marker.exists() and "planted_module" not in sys.modules


def test_an_optimizer_class_outside_torch_is_passed_by_the_caller(data, tmp_path):
    class Custom(torch.optim.SGD):
        pass

    X, y = data
    clf = RNNClassifier(**TINY, optimizer=Custom).fit(X, y)
    path = clf.save(tmp_path / "custom.pt")
    with pytest.raises(ValueError, match="Custom"):
        RNNClassifier.load(path)
    loaded = RNNClassifier.load(path, optimizer=Custom)
    assert loaded.optimizer is Custom
    np.testing.assert_array_equal(loaded.predict_proba(X), clf.predict_proba(X))


def _drop(container, key):
    def edit(payload):
        del (payload if container is None else payload[container])[key]
    return edit


def _set(container, key, value):
    def edit(payload):
        (payload if container is None else payload[container])[key] = value
    return edit


CRAFTED = [
    ("no_params", _drop(None, "params"), r"field 'params' is missing"),
    ("no_fitted", _drop(None, "fitted"), r"field 'fitted' is missing"),
    ("no_state_dict", _drop(None, "state_dict"), r"field 'state_dict' is missing"),
    ("no_classes", _drop("fitted", "classes"), r"field fitted.'classes' is missing"),
    ("no_history", _drop("fitted", "history"), r"field fitted.'history' is missing"),
    ("no_n_channels", _drop("fitted", "n_channels"), r"fitted.'n_channels' is missing"),
    ("n_channels_as_text", _set("fitted", "n_channels", "2"), r"'n_channels' is a str, not a int"),
    ("n_epochs_as_bool", _set("fitted", "n_epochs", True), r"'n_epochs' is a bool, not a int"),
    ("params_as_list", _set(None, "params", [1, 2]), r"'params' is a list, not a dict"),
    ("bad_classes_dtype", _set("fitted", "classes_dtype", "no such dtype"), r"classes or history do not read"),
    ("one_class", _set("fitted", "classes", ["rest"]), r"at least 2 labels"),
    ("history_not_json", _set("fitted", "history", "{oops"), r"classes or history do not read"),
    ("negative_sizes", _set("fitted", "n_channels", -1), r"input sizes are out of range"),
    ("state_of_strings", _set(None, "state_dict", {"head.weight": "x"}), r"map names to tensors"),
    ("unknown_param", _set("params", "run_this", "os.system"), r"hyper-parameters RNNClassifier does not have: \['run_this'\]"),
    ("invalid_param", _set("params", "cell", "evil"), r"invalid hyper-parameter.*'cell' parameter"),
    ("callbacks_from_file", _set("params", "callbacks", ["os.system"]), None),
]


@pytest.mark.parametrize("edit, message", [row[1:] for row in CRAFTED], ids=[row[0] for row in CRAFTED])
def test_crafted_files_give_errors_naming_the_field(edit, message, data, fitted, saved):
    payload = torch.load(saved, weights_only=True)
    edit(payload)
    torch.save(payload, saved)
    if message is None:  # harmless: callbacks are never read from a file
        loaded = RNNClassifier.load(saved)
        assert loaded.callbacks is None
        np.testing.assert_array_equal(loaded.predict_proba(data[0]), fitted.predict_proba(data[0]))
        return
    with pytest.raises(ValueError, match=f"(?s)model.pt.*{message}"):
        RNNClassifier.load(saved)


def test_object_dtype_classes_round_trip(data, tmp_path):
    X, _ = data
    y = np.array(["rest", "task"] * 6, dtype=object)
    clf = RNNClassifier(**TINY).fit(X, y)
    assert clf.classes_.dtype == object
    loaded = RNNClassifier.load(clf.save(tmp_path / "m.pt"))
    assert loaded.classes_.dtype == object
    assert loaded.classes_.tolist() == ["rest", "task"]
    assert loaded.predict(X).dtype == object


def test_datetime_labels_round_trip(data, tmp_path):
    X, _ = data
    y = np.array(["2020-01-01", "2021-06-30"] * 6, dtype="datetime64[D]")
    clf = RNNClassifier(**TINY).fit(X, y)
    loaded = RNNClassifier.load(clf.save(tmp_path / "m.pt"))
    assert loaded.classes_.dtype == clf.classes_.dtype
    np.testing.assert_array_equal(loaded.predict(X), clf.predict(X))


def test_labels_a_safe_file_cannot_hold_are_refused_at_save(fitted, tmp_path, monkeypatch):
    """(scikit-learn's label checks let no such labels through; the guard
    keeps save from writing a file that load would refuse.)"""
    monkeypatch.setattr(fitted, "classes_", np.array([Decimal(1), Decimal(2)], dtype=object))
    with pytest.raises(TypeError, match=r"type \['Decimal'\].*Encode the labels"):
        fitted.save(tmp_path / "m.pt")
    assert not (tmp_path / "m.pt").exists()


@pytest.mark.parametrize("device, message", [
    ("cuda", r"torch sees no CUDA GPU"),
    ("cuda:3", r"torch sees no CUDA GPU"),
    ("tpu", r"'tpu' is not a torch device"),
    ("mps", r"no MPS"),
])
def test_load_checks_the_device(device, message, saved, monkeypatch):
    monkeypatch.setattr(torch.cuda, "is_available", lambda: False)
    monkeypatch.setattr(torch.backends.mps, "is_available", lambda: False)
    with pytest.raises(ValueError, match=message):
        RNNClassifier.load(saved, device=device)
