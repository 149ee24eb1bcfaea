"""The command line checks every argument before any work, reports a user
error as one line without a traceback and a nonzero status, keeps the runs
of an interrupted ``reproduce``, and reads and writes models only in the
safe format of ``RNNClassifier.save``."""

import os
import pickle

import numpy as np
import pandas as pd
import pytest

from ica_sklearn.cli import main
from ica_sklearn.reproduce import _table1


@pytest.fixture
def npz(tmp_path):
    path = tmp_path / "data.npz"
    rng = np.random.RandomState(0)
    np.savez(path, X=rng.normal(size=(8, 4, 2)).astype(np.float32), y=np.repeat([0, 1], 4),
             mask=np.zeros((8, 4, 2), bool))
    return path


@pytest.fixture
def no_training(monkeypatch):
    """Fail the test if a run starts: every check must come first."""
    def run_one(*args, **kwargs):
        raise AssertionError("a run started before the arguments were checked")

    monkeypatch.setattr(_table1, "run_one", run_one)


def _one_line_error(capsys):
    err = capsys.readouterr().err
    lines = [line for line in err.splitlines() if "error" in line]
    assert len(lines) == 1 and "Traceback" not in err, err
    return lines[0]


USAGE_ERRORS = [
    ("seeds_zero", ["reproduce", "--seeds", "0"], r"--seeds: must be at least 1, got 0"),
    ("seeds_text", ["reproduce", "--seeds", "two"], r"--seeds: expected an integer"),
    ("bad_model_after_good_ones", ["reproduce", "--models", "lstm", "ica_lstm", "transformer_xl"],
     r"--models: invalid choice: 'transformer_xl'"),
    ("bad_layout", ["reproduce", "--layouts", "top_box"], r"--layouts: invalid choice"),
    ("max_epochs_zero", ["reproduce", "--max-epochs", "0"], r"--max-epochs: must be at least 1"),
    ("validation_fraction_1_5", ["reproduce", "--validation-fraction", "1.5"],
     r"strictly between 0 and 1"),
    ("negative_threads", ["reproduce", "--threads", "-1"], r"--threads: must be at least 0"),
    ("unknown_device", ["reproduce", "--device", "tpu"], r"'tpu' is not a torch device"),
    ("out_is_a_file", ["reproduce", "--out", "{file}"], r"--out folder .* is a file, not a folder"),
    ("n_train_zero", ["make-data", "--n-train", "0"], r"--n-train: must be at least 1"),
    ("features_negative", ["make-data", "--features", "-3"], r"--features: must be at least 1"),
    ("train_missing_data", ["train", "{tmp}/missing.npz"], r"missing.npz' is not a file"),
    ("train_out_in_missing_folder", ["train", "{npz}", "--out", "{tmp}/nowhere/model.pt"],
     r"folder .*nowhere' does not exist"),
    ("train_out_is_a_folder", ["train", "{npz}", "--out", "{tmp}"], r"it is a folder"),
    ("explain_unknown_method", ["explain", "{npz}", "{npz}", "--method", "magic"],
     r"--method: invalid choice"),
    ("evaluate_missing_saliency", ["evaluate", "{tmp}/none.npz", "{npz}"], r"none.npz' is not a file"),
    ("plot_out_is_a_file", ["plot", "{npz}", "{npz}", "--out", "{file}"], r"is a file, not a folder"),
]


@pytest.mark.parametrize("argv, message", [row[1:] for row in USAGE_ERRORS],
                         ids=[row[0] for row in USAGE_ERRORS])
def test_argument_errors_stop_before_any_work(argv, message, tmp_path, npz, capsys, no_training):
    a_file = tmp_path / "a_file"
    a_file.write_text("x")
    argv = [arg.format(tmp=tmp_path, npz=npz, file=a_file) for arg in argv]
    with pytest.raises(SystemExit) as exit_info:
        main(argv)
    assert exit_info.value.code == 2
    line = _one_line_error(capsys)
    assert __import__("re").search(message, line), line
    assert not (tmp_path / "nowhere").exists()


@pytest.mark.skipif(os.name != "posix" or os.geteuid() == 0,
                    reason="needs POSIX permissions that bind this user (root ignores them)")
def test_a_read_only_out_folder_stops_reproduce_before_any_work(tmp_path, capsys, no_training):
    folder = tmp_path / "read_only"
    folder.mkdir()
    folder.chmod(0o500)
    try:
        with pytest.raises(SystemExit):
            main(["reproduce", "--out", str(folder)])
    finally:
        folder.chmod(0o700)
    assert "is not writable" in _one_line_error(capsys)


@pytest.mark.filterwarnings("ignore:Detected pickle protocol")
def test_a_pickled_model_is_refused_with_one_line(tmp_path, npz, capsys):
    model = tmp_path / "model.pkl"
    model.write_bytes(pickle.dumps({"not": "a model"}))
    status = main(["explain", str(model), str(npz), "--out", str(tmp_path / "s.npz")])
    assert status == 1
    assert "is not a file written by RNNClassifier.save" in _one_line_error(capsys)
    assert not (tmp_path / "s.npz").exists()


def test_an_npz_without_the_needed_arrays_is_one_line(tmp_path, capsys):
    path = tmp_path / "only_x.npz"
    np.savez(path, X=np.zeros((4, 3, 2)))
    assert main(["train", str(path), "--out", str(tmp_path / "m.pt")]) == 1
    assert "lacks the array(s) ['y']" in _one_line_error(capsys)


def test_train_writes_a_safe_model_file_that_explain_reads(tmp_path, npz, capsys):
    import torch

    model = tmp_path / "model.pt"
    assert main(["train", str(npz), "--model", "gru", "--max-epochs", "1", "--device", "cpu",
                 "--out", str(model)]) == 0
    assert torch.load(model, weights_only=True)["format"] == "ica_sklearn.RNNClassifier"
    saliency = tmp_path / "s.npz"
    assert main(["explain", str(model), str(npz), "--out", str(saliency)]) == 0
    assert np.load(saliency)["saliency"].shape == (8, 4, 2)


def _fake_run(layout, model, seed, config, device):
    scores = pd.DataFrame({"weighted_jaccard": [0.1, 0.2], "euclidean_distance": [0.9, 0.8],
                           "saliency_auc": [0.5, 0.6], "top_k_jaccard": [0.1, 0.1],
                           "y": [0, 1], "correct": [True, False]})
    info = {"accuracy": 50.0, "n_epochs": 1, "fit_seconds": 0.0, "explain_seconds": 0.0}
    figures = {"maps": {0: np.zeros((3, 2)), 1: np.ones((3, 2))}, "curve": np.zeros(3),
               "mask": np.zeros((3, 2))}
    return scores, info, figures


def test_an_interrupted_reproduce_keeps_the_runs_that_finished(tmp_path, monkeypatch, capsys):
    calls = []

    def interrupted_at_the_third(*args):
        calls.append(args[:3])
        if len(calls) == 3:
            raise KeyboardInterrupt
        return _fake_run(*args)

    monkeypatch.setattr(_table1, "run_one", interrupted_at_the_third)
    status = main(["reproduce", "--quick", "--layouts", "earlier_box", "latter_box",
                   "--models", "lstm", "ica_lstm", "--out", str(tmp_path), "--no-progress"])
    assert status == 130
    assert "interrupted; the runs that finished are in" in capsys.readouterr().err
    runs = pd.read_csv(tmp_path / "runs.csv")
    assert runs[["layout", "model"]].values.tolist() == [["earlier_box", "lstm"],
                                                         ["earlier_box", "ica_lstm"]]
    assert len(pd.read_csv(tmp_path / "per_sample_metrics.csv")) == 4
    assert "| earlier_box | ica_lstm |" in (tmp_path / "table1.md").read_text()
    # The finished layout's figures are written, the interrupted one's are not.
    assert sorted(p.name for p in (tmp_path / "figures").iterdir()) == [
        "saliency_maps_earlier_box.png", "saliency_over_time_earlier_box.png"]
    assert not [p for p in tmp_path.rglob("*.tmp")]


def test_reproduce_table1_checks_its_arguments_before_any_run(tmp_path, no_training):
    with pytest.raises(ValueError, match=r"Unknown model\(s\) \['transformer_xl'\]"):
        _table1.reproduce_table1(["earlier_box"], ["lstm", "transformer_xl"], out_dir=None)
    with pytest.raises(ValueError, match="seeds is the number of runs.*at least 1; got 0"):
        _table1.reproduce_table1(["earlier_box"], ["lstm"], seeds=0, out_dir=None)
    with pytest.raises(ValueError, match=r"config keys \['hiden_size'\]"):
        _table1.reproduce_table1(["earlier_box"], ["lstm"], config={"hiden_size": 3}, out_dir=None)
    with pytest.raises(ValueError, match="'hidden_size' parameter"):
        _table1.reproduce_table1(["earlier_box"], ["lstm"], config={"hidden_size": 0}, out_dir=None)
