"""warm_start and partial_fit continue the fitted network: its weights, its
optimizer state and its history, with ``n_epochs_`` counting every epoch.

Full-batch training without dropout draws no random numbers that change the
result, so continued training must equal one uninterrupted fit exactly (up to
float64 round-off): this checks that the weights *and* the optimizer's state
(Adam's moments) carry over."""

import warnings

import numpy as np
import pytest
from sklearn.base import clone

from ica_sklearn import RNNClassifier

#: One batch per epoch, no dropout, float64: a deterministic trajectory.
FULL_BATCH = dict(
    cell="gru", hidden_size=4, dropout=0.0, batch_size=1000, lr=0.01, dtype="float64",
    stop_at_perfect_train_accuracy=False, random_state=0,
)


@pytest.fixture(scope="module")
def data():
    rng = np.random.RandomState(0)
    y = np.repeat(["rest", "task"], 20)
    X = rng.normal(size=(40, 8, 3))
    X[:, :3] += np.where(y == "task", 0.3, -0.3)[:, None, None]
    return X, y


@pytest.fixture(scope="module")
def four_epochs(data):
    return RNNClassifier(max_epochs=4, **FULL_BATCH).fit(*data)


def test_warm_start_fit_twice_equals_one_longer_fit(data, four_epochs):
    X, y = data
    clf = RNNClassifier(max_epochs=2, warm_start=True, **FULL_BATCH).fit(X, y)
    first_losses = list(clf.net_.history[:, "train_loss"])
    assert clf.fit(X, y) is clf and clf.n_epochs_ == 4
    history = clf.net_.history
    assert history[:, "epoch"] == [1, 2, 3, 4]
    assert history[:2, "train_loss"] == first_losses  # the history continues
    np.testing.assert_allclose(history[:, "train_loss"], four_epochs.net_.history[:, "train_loss"], rtol=1e-12)
    np.testing.assert_allclose(clf.predict_proba(X), four_epochs.predict_proba(X), atol=1e-12)
    # Without warm_start a second fit starts over from the same initial weights.
    cold = RNNClassifier(max_epochs=2, **FULL_BATCH).fit(X, y).fit(X, y)
    assert cold.n_epochs_ == 2 and list(cold.net_.history[:, "train_loss"]) == first_losses


def test_partial_fit_calls_are_epochs(data, four_epochs):
    X, y = data
    clf = RNNClassifier(**FULL_BATCH)
    for call in range(1, 5):
        clf.partial_fit(X, y, classes=["task", "rest"])
        assert clf.n_epochs_ == call == len(clf.net_.history)
    np.testing.assert_allclose(clf.predict_proba(X), four_epochs.predict_proba(X), atol=1e-12)
    assert clf.classes_.tolist() == ["rest", "task"]
    # The first call trains as fit(max_epochs=1), random draws included.
    seeded = dict(FULL_BATCH, dropout=0.3, batch_size=8)
    np.testing.assert_array_equal(
        RNNClassifier(**seeded).partial_fit(X, y, classes=["rest", "task"]).predict_proba(X),
        RNNClassifier(max_epochs=1, **seeded).fit(X, y).predict_proba(X),
    )


def test_partial_fit_continues_a_fitted_model_and_batches_of_one_class(data, four_epochs):
    X, y = data
    clf = RNNClassifier(max_epochs=3, **FULL_BATCH).fit(X, y)
    clf.partial_fit(X, y)  # no classes needed once fitted
    np.testing.assert_allclose(clf.predict_proba(X), four_epochs.predict_proba(X), atol=1e-12)
    clf.partial_fit(X[y == "task"], y[y == "task"], classes=["rest", "task"])
    assert clf.n_epochs_ == 5


def test_continued_epochs_draw_new_random_numbers(data):
    # With shuffling and dropout each continuation draws fresh orders and
    # masks (a function of the seed and the epochs done): reproducible, and
    # not the first epoch's draws again.
    X, y = data
    params = dict(FULL_BATCH, dropout=0.5, batch_size=8)
    runs = []
    for _ in range(2):
        clf = RNNClassifier(**params)
        for _ in range(3):
            clf.partial_fit(X, y, classes=["rest", "task"])
        runs.append(clf)
    np.testing.assert_array_equal(runs[0].predict_proba(X), runs[1].predict_proba(X))
    first = RNNClassifier(max_epochs=1, **params).fit(X, y)
    again = RNNClassifier(max_epochs=1, warm_start=True, **params).fit(X, y).fit(X, y)
    # A second epoch with the first epoch's shuffles and masks would repeat its
    # exact batch losses.
    first_batches = [b["train_loss"] for b in first.net_.history[0, "batches"]]
    second_batches = [b["train_loss"] for b in again.net_.history[1, "batches"]]
    assert not np.allclose(first_batches, second_batches)


def test_weights_in_a_continued_fit_weigh_the_loss(data):
    # One full batch without dropout: an epoch's train_loss is the loss of the
    # weights the epoch starts from, so it is checkable against numpy.
    X, y = data
    clf = RNNClassifier(max_epochs=2, warm_start=True, **FULL_BATCH).fit(X, y)  # unweighted net
    weights = np.where(y == "task", 3.0, 1.0)
    log_proba = clf.predict_log_proba(X)
    cross_entropy = -log_proba[np.arange(len(y)), (y == "task").astype(int)]
    expected = np.sum(weights * cross_entropy) / np.sum(weights)
    clf.set_params(max_epochs=1).fit(X, y, sample_weight=weights)
    assert clf.net_.history[-1, "train_loss"] == pytest.approx(expected, rel=1e-10)
    assert clf.net_.history[-1, "train_loss"] != pytest.approx(cross_entropy.mean(), rel=1e-3)
    # partial_fit: weights count within the call; one class may be weighted out.
    clf.partial_fit(X, y, sample_weight=np.where(y == "task", 1.0, 0.0))
    assert clf.n_epochs_ == 4


def test_training_settings_follow_the_current_parameters(data):
    X, y = data
    clf = RNNClassifier(max_epochs=1, warm_start=True, **FULL_BATCH).fit(X, y)
    clf.set_params(lr=0.05, batch_size=10, max_epochs=2, validation_fraction=0.25).fit(X, y)
    assert clf.net_.optimizer_.param_groups[0]["lr"] == 0.05
    history = clf.net_.history
    train_batches = [b for b in history[-1, "batches"] if "train_loss" in b]
    assert clf.n_epochs_ == 3 and len(train_batches) == 3  # 30 training samples
    assert "valid_loss" in history[-1] and "valid_loss" not in history[0]
    assert "early_stopping" in dict(clf.net_.callbacks_)


@pytest.mark.parametrize(
    "change, message",
    [
        (dict(hidden_size=5), r"module__hidden_size"),
        (dict(cell="lstm"), r"module__cell"),
        (dict(optimizer="sgd"), r"'optimizer'"),
        (dict(optimizer_params={"weight_decay": 0.1}), r"optimizer__weight_decay"),
    ],
)
def test_changing_the_network_raises(data, change, message):
    X, y = data
    clf = RNNClassifier(max_epochs=1, warm_start=True, **FULL_BATCH).fit(X, y)
    before = clf.predict_proba(X)
    with pytest.raises(ValueError, match=message + r".*warm_start=False"):
        clf.set_params(**change).fit(X, y)
    with pytest.raises(ValueError, match=message):
        clf.partial_fit(X, y)
    np.testing.assert_array_equal(clf.predict_proba(X), before)
    assert clf.n_epochs_ == 1


def test_other_classes_or_features_raise(data):
    X, y = data
    clf = RNNClassifier(max_epochs=1, warm_start=True, **FULL_BATCH).fit(X, y)
    with pytest.raises(ValueError, match=r"classes \['rest', 'task'\].*\['a', 'task'\].*warm_start=False"):
        clf.fit(X, np.where(y == "rest", "a", y))
    with pytest.raises(ValueError, match=r"fitted with 3.*warm_start=True continues"):
        clf.fit(X[:, :, :2], y)
    with pytest.raises(ValueError, match=r"label\(s\) \['a'\] that are not among the classes"):
        clf.partial_fit(X, np.where(y == "rest", "a", y))
    with pytest.raises(ValueError, match=r"differs from the classes of the first call"):
        clf.partial_fit(X, y, classes=["rest", "task", "other"])
    with pytest.raises(ValueError, match=r"fitted with 3.*partial_fit continues"):
        clf.partial_fit(X[:, :, :2], y)
    assert clf.n_epochs_ == 1
    # Longer sequences are fine: the network reads any length.
    longer = np.concatenate([X, X], axis=1)
    assert clf.partial_fit(longer, y).n_timesteps_in_ == 16


def test_partial_fit_argument_errors(data):
    X, y = data
    with pytest.raises(ValueError, match="classes must be passed on the first call"):
        RNNClassifier(**FULL_BATCH).partial_fit(X, y)
    with pytest.raises(ValueError, match="fewer than 2 classes"):
        RNNClassifier(**FULL_BATCH).partial_fit(X, y, classes=["rest"])
    with pytest.raises(ValueError, match="'balanced' is not supported by partial_fit.*compute_class_weight"):
        RNNClassifier(class_weight="balanced", **FULL_BATCH).partial_fit(X, y, classes=["rest", "task"])
    clf = RNNClassifier(class_weight={"task": 2.0}, **FULL_BATCH)
    assert clf.partial_fit(X, y, classes=["rest", "task"]).n_epochs_ == 1


def test_continued_training_leaves_checkpoints_alone(data, tmp_path):
    X, y = data
    params = dict(FULL_BATCH, max_epochs=2, checkpoint_dir=tmp_path)
    clf = RNNClassifier(warm_start=True, **params).fit(X, y)
    (checkpoint,) = tmp_path.glob("checkpoint-*.pt")
    written = checkpoint.read_bytes()
    with pytest.warns(UserWarning, match="checkpoint_dir is not used by warm_start=True"):
        clf.fit(X, y)
    with pytest.warns(UserWarning, match="checkpoint_dir is not used by partial_fit"):
        clf.partial_fit(X, y)
    assert clf.n_epochs_ == 5
    assert checkpoint.read_bytes() == written and len(list(tmp_path.iterdir())) == 1
    # The checkpoint still holds the 2-epoch fit: a new fit resumes it as such
    # (warm_start is not part of the fingerprint).
    resumed = RNNClassifier(**params).fit(X, y)
    assert resumed.n_epochs_ == 2
    np.testing.assert_array_equal(
        resumed.predict_proba(X), RNNClassifier(**dict(params, checkpoint_dir=None)).fit(X, y).predict_proba(X)
    )
    with pytest.warns(UserWarning, match="checkpoint_dir is not used by partial_fit"):
        RNNClassifier(**params).partial_fit(X, y, classes=["rest", "task"])


def test_clone_forgets_and_save_load_continues(data, tmp_path):
    X, y = data
    clf = RNNClassifier(max_epochs=2, warm_start=True, **FULL_BATCH).fit(X, y)
    assert not hasattr(clone(clf), "net_")
    loaded = RNNClassifier.load(clf.save(tmp_path / "model.pt"))
    assert loaded.warm_start and loaded.n_epochs_ == 2
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        loaded.fit(X, y)
    assert loaded.n_epochs_ == 4
