"""Ctrl-C during fit: ``KeyboardInterrupt`` propagates (skorch's own loop
would swallow it), the weights trained so far stay usable, and a
checkpointed fit resumes where it stopped."""

import os
import signal
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest
from skorch.callbacks import Callback

from ica_sklearn import RNNClassifier

ROOT = Path(__file__).parents[2]
PARAMS = dict(max_epochs=8, hidden_size=3, attention_hops=2, attention_dim=3, lr=0.02,
              random_state=0, stop_at_perfect_train_accuracy=False)


def _data():
    rng = np.random.RandomState(3)
    y = np.repeat([0, 1], 8)
    return rng.normal(size=(16, 5, 2)).astype(np.float32), y


class PressCtrlC(Callback):
    def __init__(self, at):
        self.at = at

    def on_epoch_end(self, net, **kwargs):
        if len(net.history) == self.at:
            raise KeyboardInterrupt


class RecordTrainEnd(Callback):
    def initialize(self):
        self.ended_ = False
        return self

    def on_train_end(self, net, **kwargs):
        self.ended_ = True


def test_keyboard_interrupt_propagates_and_leaves_a_usable_model(tmp_path):
    X, y = _data()
    end = RecordTrainEnd()
    clf = RNNClassifier(**PARAMS, checkpoint_dir=tmp_path, callbacks=[end, PressCtrlC(at=3)])
    with pytest.raises(KeyboardInterrupt):
        clf.fit(X, y)
    assert clf.n_epochs_ == 3 and end.ended_
    assert clf.predict_proba(X).shape == (16, 2)
    # Running the same fit again continues from epoch 3.
    resumed = RNNClassifier(**PARAMS, checkpoint_dir=tmp_path).fit(X, y)
    assert resumed.n_epochs_ == 8
    np.testing.assert_array_equal(resumed.net_.history[:3, "train_loss"],
                                  clf.net_.history[:3, "train_loss"])


def test_an_interrupt_while_resuming_propagates_too(tmp_path):
    X, y = _data()
    RNNClassifier(**{**PARAMS, "max_epochs": 2}, checkpoint_dir=tmp_path).fit(X, y)
    clf = RNNClassifier(**PARAMS, checkpoint_dir=tmp_path, callbacks=[PressCtrlC(at=4)])
    with pytest.raises(KeyboardInterrupt):
        clf.fit(X, y)
    assert clf.n_epochs_ == 4


SIGINT_CHILD = """
import sys, time
import numpy as np
from skorch.callbacks import Callback
from ica_sklearn import RNNClassifier

class Announce(Callback):
    def on_epoch_end(self, net, **kwargs):
        print("EPOCH", len(net.history), flush=True)
        time.sleep(0.3)  # Ctrl-C arrives while training runs

rng = np.random.RandomState(3)
X, y = rng.normal(size=(16, 5, 2)).astype(np.float32), np.repeat([0, 1], 8)
clf = RNNClassifier(max_epochs=500, hidden_size=3, attention_hops=2, attention_dim=3,
                    random_state=0, stop_at_perfect_train_accuracy=False,
                    checkpoint_dir=sys.argv[1], callbacks=[Announce()])
try:
    clf.fit(X, y)
except KeyboardInterrupt:
    print("INTERRUPTED", clf.n_epochs_, clf.predict_proba(X).shape, flush=True)
    raise
print("NOT INTERRUPTED", flush=True)
"""


@pytest.mark.slow  # (a fresh Python process imports torch: about 7 s of CPU)
def test_sigint_stops_fit_with_keyboard_interrupt_and_the_fit_resumes(tmp_path):
    env = {**os.environ, "PYTHONPATH": os.pathsep.join([str(ROOT), os.environ.get("PYTHONPATH", "")])}
    child = subprocess.Popen([sys.executable, "-c", SIGINT_CHILD, str(tmp_path)], env=env,
                             stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    lines = []
    for line in child.stdout:
        lines.append(line.strip())
        if line.startswith("EPOCH 2"):
            child.send_signal(signal.SIGINT)
            break
    out, err = child.communicate(timeout=120)
    lines += out.splitlines()
    assert child.returncode != 0, (lines, err)  # the interrupt ended the program
    assert "KeyboardInterrupt" in err and "NOT INTERRUPTED" not in lines
    interrupted = next(line for line in lines if line.startswith("INTERRUPTED"))
    epochs_done = int(interrupted.split()[1])
    assert epochs_done >= 2 and interrupted.endswith("(16, 2)")
    X, y = _data()
    resumed = RNNClassifier(max_epochs=epochs_done + 2, hidden_size=3, attention_hops=2,
                            attention_dim=3, random_state=0,
                            stop_at_perfect_train_accuracy=False,
                            checkpoint_dir=tmp_path).fit(X, y)
    assert resumed.n_epochs_ == epochs_done + 2
