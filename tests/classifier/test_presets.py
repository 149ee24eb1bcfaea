"""Named settings: the paper's protocol and the explanation setting, and the
``optimizer_params`` parameter the latter needs."""

import numpy as np
import pytest
import torch
from sklearn.base import clone
from sklearn.utils._param_validation import InvalidParameterError

from ica_sklearn import RNNClassifier
from ica_sklearn.classifier import EXPLANATION_PARAMS, PAPER_PARAMS
from ica_sklearn.classifier._checkpoint import fit_fingerprint


def _data(n=40, seed=0):
    rng = np.random.RandomState(seed)
    y = np.repeat([0, 1], n // 2)
    X = rng.normal(size=(n, 10, 3)).astype("float32")
    X[:, :3, 0] += np.where(y == 1, 1.5, -1.5)[:, None]
    return X, y


def test_defaults_are_the_papers_protocol():
    # reproduce's Table 1 relies on these: a changed default must change PAPER_PARAMS, not Table 1
    params = RNNClassifier().get_params()
    assert {name: params[name] for name in PAPER_PARAMS} == dict(PAPER_PARAMS)
    assert RNNClassifier.paper("lstm", random_state=3).get_params() == {
        **params, "cell": "lstm", "random_state": 3}


def test_explanation_preset_and_its_overrides():
    clf = RNNClassifier.for_explanation(max_epochs=7)
    params = clf.get_params()
    assert {name: params[name] for name in EXPLANATION_PARAMS if name != "max_epochs"} == {
        name: value for name, value in EXPLANATION_PARAMS.items() if name != "max_epochs"}
    assert clf.max_epochs == 7
    clf.optimizer_params["weight_decay"] = 5.0  # the preset is not shared state
    assert EXPLANATION_PARAMS["optimizer_params"] == {"weight_decay": 1e-2}
    assert RNNClassifier.for_explanation().optimizer_params == {"weight_decay": 1e-2}


def test_presets_are_read_only():
    with pytest.raises(TypeError):
        PAPER_PARAMS["hidden_size"] = 64
    with pytest.raises(TypeError):
        EXPLANATION_PARAMS["max_epochs"] = 1


def test_optimizer_params_reach_the_optimizer_and_shrink_the_weights():
    X, y = _data()
    common = dict(cell="lstm", hidden_size=8, max_epochs=20, lr=1e-2,
                  stop_at_perfect_train_accuracy=False, random_state=0)
    plain = RNNClassifier(**common).fit(X, y)
    decayed = RNNClassifier(**common, optimizer_params={"weight_decay": 1.0}).fit(X, y)
    assert decayed.net_.optimizer_.param_groups[0]["weight_decay"] == 1.0
    assert plain.net_.optimizer_.param_groups[0]["weight_decay"] == 0.0

    def norm(clf):
        return float(torch.sqrt(sum((p.detach() ** 2).sum() for p in clf.net_.module_.parameters())))

    assert norm(decayed) < 0.8 * norm(plain)


def test_optimizer_params_for_other_optimizers():
    X, y = _data()
    clf = RNNClassifier("lstm", optimizer="sgd", optimizer_params={"momentum": 0.9}, max_epochs=1,
                        random_state=0).fit(X, y)
    assert clf.net_.optimizer_.param_groups[0]["momentum"] == 0.9


@pytest.mark.parametrize(("bad", "message"), [
    ({"momentum": 0.9}, "Adam does not accept"),
    ({"lr": 0.1}, "use the 'lr' parameter"),
    ({"params": []}, "weights are passed by fit"),
])
def test_bad_optimizer_params_are_named(bad, message):
    X, y = _data()
    with pytest.raises(InvalidParameterError, match=message):
        RNNClassifier(optimizer_params=bad, max_epochs=1).fit(X, y)


def test_optimizer_params_survive_clone_save_and_load(tmp_path):
    X, y = _data()
    clf = RNNClassifier("lstm", optimizer_params={"weight_decay": 0.1}, max_epochs=2,
                        random_state=0).fit(X, y)
    assert clone(clf).optimizer_params == {"weight_decay": 0.1}
    clf.save(tmp_path / "model.pt")
    loaded = RNNClassifier.load(tmp_path / "model.pt")
    assert loaded.optimizer_params == {"weight_decay": 0.1}
    np.testing.assert_array_equal(loaded.predict_proba(X), clf.predict_proba(X))


def test_optimizer_params_are_part_of_a_checkpoints_fingerprint():
    X, y = _data()
    lengths = np.full(len(X), X.shape[1])
    fingerprints = []
    for optimizer_params in (None, {"weight_decay": 0.1}, {"weight_decay": 0.2}):
        clf = RNNClassifier(optimizer_params=optimizer_params)
        clf.classes_ = np.array([0, 1])
        fingerprints.append(fit_fingerprint(clf, X, lengths, y))
    assert fingerprints[0] != fingerprints[1] != fingerprints[2]
