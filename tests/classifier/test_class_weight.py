"""RNNClassifier's class_weight parameter and the sample_weight of fit:
imbalanced data, the weighted loss, zero weights, validation, persistence."""

import numpy as np
import pytest
import sklearn
from sklearn.base import clone
from sklearn.metrics import balanced_accuracy_score
from sklearn.pipeline import make_pipeline

from ica_sklearn import RNNClassifier, TimeSeriesStandardScaler

FAST = dict(max_epochs=15, lr=0.02, attention_hops=3, attention_dim=4, random_state=0)


def _late_signal(n_per_class, seed, shift=0.5):
    """Class +-``shift`` on the last 3 of 8 steps, in 2 features."""
    rng = np.random.RandomState(seed)
    y = np.repeat(np.arange(len(n_per_class)), n_per_class)
    X = rng.normal(size=(len(y), 8, 2)).astype(np.float32)
    X[:, -3:, :] += np.where(y == 1, shift, -shift)[:, None, None]
    return X, y


@pytest.fixture(scope="module")
def small_data():
    return _late_signal([12, 9], seed=0, shift=1.0)


def test_balanced_class_weight_lifts_balanced_accuracy_on_imbalanced_data():
    X, y = _late_signal([95, 10], seed=0)
    X_test, y_test = _late_signal([300, 300], seed=1)
    params = dict(cell="gru", max_epochs=20, lr=0.01, random_state=0,
                  stop_at_perfect_train_accuracy=False)
    plain = RNNClassifier(**params).fit(X, y)
    balanced = RNNClassifier(class_weight="balanced", **params).fit(X, y)
    plain_score = balanced_accuracy_score(y_test, plain.predict(X_test))
    balanced_score = balanced_accuracy_score(y_test, balanced.predict(X_test))
    assert balanced_score >= plain_score + 0.1, (plain_score, balanced_score)
    # The same weights given per sample train the same model.
    weights = np.where(y == 1, 105 / (2 * 10), 105 / (2 * 95))
    by_sample = RNNClassifier(**params).fit(X, y, sample_weight=weights)
    np.testing.assert_allclose(by_sample.predict_proba(X_test), balanced.predict_proba(X_test))


def _first_loss(X, y, sample_weight=None, class_weight=None):
    """The first epoch's train_loss: one full batch on the initial weights
    (dropout off), so the loss of a fixed model."""
    clf = RNNClassifier(
        "lstm", max_epochs=1, batch_size=1000, dropout=0.0, dtype="float64",
        class_weight=class_weight, stop_at_perfect_train_accuracy=False, random_state=0,
        optimizer="sgd", lr=1e-300,  # (an update below float64's resolution: weights stay)
    ).fit(X, y, sample_weight=sample_weight)
    return clf.net_.history[0, "train_loss"], clf


def test_integer_weights_give_the_loss_of_repeated_rows(small_data):
    X, y = small_data
    weights = np.random.RandomState(0).randint(1, 4, size=len(y))
    weighted, clf = _first_loss(X, y, sample_weight=weights)
    repeated, _ = _first_loss(np.repeat(X, weights, axis=0), np.repeat(y, weights))
    np.testing.assert_allclose(weighted, repeated, rtol=1e-13)
    # ... and it is the weighted mean of the per-sample cross-entropies.
    proba = clf.predict_proba(X)
    cross_entropy = -np.log(proba[np.arange(len(y)), y])
    np.testing.assert_allclose(weighted, np.average(cross_entropy, weights=weights), rtol=1e-13)
    unweighted, _ = _first_loss(X, y)
    assert abs(unweighted - weighted) > 1e-4


def test_class_weight_multiplies_sample_weight(small_data):
    X, y = small_data
    sample_weight = np.random.RandomState(1).uniform(0.5, 2, size=len(y))
    both, _ = _first_loss(X, y, sample_weight=sample_weight, class_weight={1: 3.0})
    combined, _ = _first_loss(X, y, sample_weight=sample_weight * np.where(y == 1, 3.0, 1.0))
    np.testing.assert_allclose(both, combined, rtol=1e-13)


def test_balanced_counts_weighted_samples(small_data):
    # With integer sample weights "balanced" sees the repeated class counts.
    X, y = small_data
    weights = np.random.RandomState(2).randint(1, 4, size=len(y))
    weighted, _ = _first_loss(X, y, sample_weight=weights, class_weight="balanced")
    repeated, _ = _first_loss(
        np.repeat(X, weights, axis=0), np.repeat(y, weights), class_weight="balanced"
    )
    np.testing.assert_allclose(weighted, repeated, rtol=1e-13)


def test_zero_weights_leave_samples_out(small_data):
    X, y = small_data
    weights = np.ones(len(y))
    weights[[0, 3, 15]] = 0.0
    weights[[1, 16]] = 2.0
    kept = weights > 0
    garbage = X.copy()
    garbage[~kept] = 1e3  # values of left-out samples must not matter
    with_zeros = RNNClassifier("ica_gru", **FAST).fit(garbage, y, sample_weight=weights)
    removed = RNNClassifier("ica_gru", **FAST).fit(X[kept], y[kept], sample_weight=weights[kept])
    np.testing.assert_array_equal(with_zeros.predict_proba(X), removed.predict_proba(X))
    assert with_zeros.n_epochs_ == removed.n_epochs_


def test_equal_weights_train_exactly_as_no_weights(small_data):
    X, y = small_data
    plain = RNNClassifier("gru", **FAST).fit(X, y)
    for weights in (np.full(len(y), 3.0), 2.5, [1] * len(y)):
        weighted = RNNClassifier("gru", **FAST).fit(X, y, sample_weight=weights)
        np.testing.assert_array_equal(plain.predict_proba(X), weighted.predict_proba(X))


@pytest.mark.parametrize(
    "weights, message",
    [
        (-np.ones(21), r"non-negative.*position\(s\) \[0, 1, 2"),
        (np.r_[np.ones(20), np.nan], r"finite.*position\(s\) \[20\]"),
        (np.r_[np.ones(20), np.inf], r"finite.*position\(s\) \[20\]"),
        (np.ones(20), r"sample_weight has 20 values, but X has 21 samples"),
        (np.ones((21, 2)), r"sample_weight must be 1D"),
        (np.zeros(21), r"sample_weight is zero for every sample"),
        (np.r_[np.ones(12), np.zeros(9)], r"only 1 class \(0\)"),
        (["a"] * 21, r"sample_weight must hold numbers"),
    ],
)
def test_bad_sample_weights_raise_naming_the_problem(small_data, weights, message):
    X, y = small_data
    with pytest.raises(ValueError, match=message):
        RNNClassifier("gru", **FAST).fit(X, y, sample_weight=weights)


@pytest.mark.parametrize(
    "class_weight, error, message",
    [
        ({0: -1.0}, ValueError, r"non-negative finite numbers; the weight of 0 is -1.0"),
        ({0: np.nan}, ValueError, r"the weight of 0 is nan"),
        ({0: True}, ValueError, r"the weight of 0 is True"),
        ({0: "high"}, ValueError, r"the weight of 0 is 'high'"),
        ({2: 1.0}, ValueError, r"label\(s\) \[2\] that are not classes of y"),
        ({0: 0.0}, ValueError, r"only 1 class"),
        ("weighted", ValueError, r"class_weight"),
        ([1.0, 2.0], ValueError, r"class_weight"),
    ],
)
def test_bad_class_weight_raises_naming_the_problem(small_data, class_weight, error, message):
    X, y = small_data
    with pytest.raises(error, match=message):
        RNNClassifier("gru", class_weight=class_weight, **FAST).fit(X, y)


def test_string_labels_as_class_weight_keys(small_data):
    X, y = small_data
    labels = np.array(["rest", "task"])[y]
    by_label, _ = _first_loss(X, labels, class_weight={"task": 3.0})
    by_sample, _ = _first_loss(X, y, sample_weight=np.where(y == 1, 3.0, 1.0))
    np.testing.assert_allclose(by_label, by_sample, rtol=1e-13)


def test_clone_save_and_load_keep_class_weight(small_data, tmp_path):
    X, y = small_data
    labels = np.array(["rest", "task"])[y]
    class_weight = {np.str_("task"): 2.0}
    clf = RNNClassifier("gru", class_weight=class_weight, **{**FAST, "max_epochs": 2})
    copy = clone(clf)
    assert copy.class_weight == class_weight and copy.class_weight is not class_weight
    clf.fit(X, labels)
    loaded = RNNClassifier.load(clf.save(tmp_path / "model.pt"), device="cpu")
    assert loaded.class_weight == {"task": 2.0}
    assert type(next(iter(loaded.class_weight))) is str
    np.testing.assert_array_equal(loaded.predict_proba(X), clf.predict_proba(X))
    balanced = RNNClassifier("gru", class_weight="balanced", **{**FAST, "max_epochs": 2})
    path = balanced.fit(X, y).save(tmp_path / "balanced.pt")
    assert RNNClassifier.load(path).class_weight == "balanced"


def test_weights_are_part_of_the_checkpoint_fingerprint(small_data, tmp_path):
    X, y = small_data
    clf = RNNClassifier("gru", checkpoint_dir=tmp_path, **{**FAST, "max_epochs": 1})
    clf.fit(X, y)
    with pytest.warns(UserWarning, match="other fits"):
        clf.fit(X, y, sample_weight=np.where(y == 1, 2.0, 1.0))
    with pytest.warns(UserWarning, match="other fits"):
        clone(clf).set_params(class_weight="balanced").fit(X, y)
    assert len(list(tmp_path.glob("checkpoint-*.pt"))) == 3


def test_sample_weight_is_routed_through_a_pipeline(small_data):
    X, y = small_data
    weights = np.where(y == 1, 3.0, 1.0)
    with sklearn.config_context(enable_metadata_routing=True):
        pipe = make_pipeline(
            TimeSeriesStandardScaler(),
            RNNClassifier("gru", **FAST).set_fit_request(sample_weight=True),
        ).fit(X, y, sample_weight=weights)
    scaled = TimeSeriesStandardScaler().fit_transform(X)
    direct = RNNClassifier("gru", **FAST).fit(scaled, y, sample_weight=weights)
    np.testing.assert_array_equal(pipe.predict_proba(X), direct.predict_proba(scaled))
