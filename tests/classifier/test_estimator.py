"""RNNClassifier and TimeSeriesStandardScaler: the scikit-learn contract and
the sequence-specific behaviour (layouts, padding, labels, reproducibility)."""

import pickle

import numpy as np
import pytest
from sklearn.base import clone
from sklearn.model_selection import GridSearchCV
from sklearn.pipeline import make_pipeline
from sklearn.utils.estimator_checks import parametrize_with_checks

from ica_sklearn import RNNClassifier, TimeSeriesStandardScaler
from ica_sklearn.nn import CELL_TYPES

# Small attention and a higher learning rate keep the ~55 checks per cell fast.
# float64: the subset-invariance check compares predictions of different batch
# compositions at 1e-7, below float32's round-off in batched matrix products.
CHECK_PARAMS = dict(
    max_epochs=60,
    lr=0.02,
    attention_hops=4,
    attention_dim=8,
    dtype="float64",
    random_state=0,
)
FAST = dict(max_epochs=15, lr=0.02, attention_hops=3, attention_dim=4, random_state=0)

#: Checks a stochastic-gradient fit cannot pass, and why.
EXPECTED_FAILED_CHECKS = {
    RNNClassifier: {
        "check_sample_weight_equivalence_on_dense_data": (
            "An integer weight gives the loss of repeated rows exactly (see "
            "test_class_weight.py), but repeated rows also change the batches and "
            "their order, so minibatch training with weights equals training on "
            "repeated rows only in expectation, not to numerical precision."
        ),
    },
}


@parametrize_with_checks(
    [RNNClassifier(cell=cell, **CHECK_PARAMS) for cell in CELL_TYPES]
    + [TimeSeriesStandardScaler()],
    expected_failed_checks=lambda estimator: EXPECTED_FAILED_CHECKS.get(type(estimator), {}),
)
def test_scikit_learn_contract(estimator, check):
    check(estimator)


@pytest.fixture(scope="module")
def early_signal_data():
    rng = np.random.RandomState(0)
    y = np.repeat([0, 1], 30)
    X = rng.normal(size=(60, 10, 3)).astype(np.float32)
    X[:, :3, :] += np.where(y == 1, 1.5, -1.5)[:, None, None]
    return X, y


def test_learns_an_early_signal_with_every_cell(early_signal_data):
    X, y = early_signal_data
    cells = ("ica_lstm", "ica_gru", "lstm_self_attention", "tcn", "transformer", "transformer_full")
    for cell in cells:
        clf = RNNClassifier(cell, **{**FAST, "max_epochs": 40}).fit(X, y)
        assert clf.score(X, y) >= 0.9, cell


def test_string_labels_and_fitted_attributes(early_signal_data):
    X, y = early_signal_data
    labels = np.array(["rest", "task"])[y]
    clf = RNNClassifier("lstm", **FAST).fit(X, labels)
    assert list(clf.classes_) == ["rest", "task"]
    assert set(clf.predict(X)) <= {"rest", "task"}
    assert clf.n_features_in_ == 3 and clf.n_channels_ == 3
    assert clf.n_timesteps_in_ == 10
    assert 1 <= clf.n_epochs_ <= 15
    assert "train_acc" in clf.net_.history[-1]


def test_same_random_state_gives_identical_predictions(early_signal_data):
    X, y = early_signal_data
    first = RNNClassifier("ica_lstm", **FAST).fit(X, y).predict_proba(X)
    second = RNNClassifier("ica_lstm", **FAST).fit(X, y).predict_proba(X)
    np.testing.assert_array_equal(first, second)
    other = RNNClassifier("ica_lstm", **{**FAST, "random_state": 1}).fit(X, y)
    assert not np.array_equal(first, other.predict_proba(X))


def test_pickle_round_trip_keeps_predictions(early_signal_data):
    X, y = early_signal_data
    clf = RNNClassifier("ica_gru", **FAST).fit(X, y)
    restored = pickle.loads(pickle.dumps(clf))
    np.testing.assert_array_equal(clf.predict_proba(X), restored.predict_proba(X))


@pytest.mark.parametrize("cell", CELL_TYPES)
def test_ragged_list_equals_nan_padding_equals_alone(cell, early_signal_data):
    X, y = early_signal_data
    clf = RNNClassifier(cell, **{**FAST, "max_epochs": 3}).fit(X, y)
    ragged = [X[0, :4], X[1], X[2, :7]]
    padded = np.full((3, 10, 3), np.nan, dtype=np.float32)
    for index, sequence in enumerate(ragged):
        padded[index, : len(sequence)] = sequence
    from_list = clf.predict_proba(ragged)
    np.testing.assert_allclose(from_list, clf.predict_proba(padded), atol=1e-6)
    for index, sequence in enumerate(ragged):
        alone = clf.predict_proba(sequence[None])
        np.testing.assert_allclose(from_list[index], alone[0], atol=1e-6)


def test_fits_ragged_training_data(early_signal_data):
    X, y = early_signal_data
    ragged = [x[: 5 + i % 6] for i, x in enumerate(X)]
    clf = RNNClassifier("ica_lstm", **{**FAST, "max_epochs": 40}).fit(ragged, y)
    assert clf.n_timesteps_in_ == 10
    assert clf.score(ragged, y) >= 0.9


def test_two_dimensional_input_is_read_as_univariate_series():
    rng = np.random.RandomState(0)
    y = np.repeat([0, 1], 20)
    X = rng.normal(size=(40, 6)) + np.where(y == 1, 1.0, -1.0)[:, None]
    clf = RNNClassifier("gru", **{**FAST, "max_epochs": 30}).fit(X, y)
    assert clf.n_channels_ == 1 and clf.n_features_in_ == 6
    np.testing.assert_allclose(
        clf.predict_proba(X), clf.predict_proba(X[:, :, None]), atol=1e-7
    )


def test_stops_at_perfect_training_accuracy_unless_told_not_to(early_signal_data):
    X, y = early_signal_data
    stopped = RNNClassifier("ica_lstm", **{**FAST, "max_epochs": 100}).fit(X, y)
    assert stopped.n_epochs_ < 100
    assert stopped.net_.history[-1, "train_acc"] == 1.0
    assert all(acc < 1.0 for acc in stopped.net_.history[:-1, "train_acc"])
    # Judged on the final weights: the stopped model fits every training sample.
    assert stopped.score(X, y) == 1.0
    full = RNNClassifier(
        "ica_lstm", stop_at_perfect_train_accuracy=False, **{**FAST, "max_epochs": 20}
    ).fit(X, y)
    assert full.n_epochs_ == 20


def test_validation_fraction_adds_early_stopping(early_signal_data):
    # Labels independent of X: the validation loss soon stops improving (with
    # the real labels it can keep shrinking towards 0 for all 200 epochs).
    X, y = early_signal_data
    y = np.random.RandomState(1).permutation(y)
    clf = RNNClassifier(
        "lstm",
        validation_fraction=0.25,
        n_iter_no_change=2,
        stop_at_perfect_train_accuracy=False,
        **{**FAST, "max_epochs": 200, "lr": 0.05},
    ).fit(X, y)
    assert "valid_loss" in clf.net_.history[-1]
    assert clf.n_epochs_ < 200


def test_verbose_prints_a_training_log(early_signal_data, capsys):
    X, y = early_signal_data
    RNNClassifier("rnn", verbose=1, **{**FAST, "max_epochs": 2}).fit(X, y)
    assert "train_loss" in capsys.readouterr().out


def test_scaler_standardises_each_position_and_keeps_padding():
    rng = np.random.RandomState(0)
    X = rng.normal(3.0, 2.0, size=(50, 6, 4))
    X[0, 4:] = np.nan
    scaled = TimeSeriesStandardScaler().fit_transform(X)
    assert np.isnan(scaled[0, 4:]).all() and not np.isnan(scaled[1:]).any()
    np.testing.assert_allclose(np.nanmean(scaled, axis=0), 0.0, atol=1e-12)
    np.testing.assert_allclose(np.nanstd(scaled, axis=0), 1.0, atol=1e-12)
    flat = X[1:].reshape(49, -1)
    expected = (flat - flat.mean(0)) / flat.std(0)
    refit = TimeSeriesStandardScaler().fit(X[1:]).transform(X[1:])
    np.testing.assert_allclose(refit.reshape(49, -1), expected, atol=1e-12)


def test_pipeline_and_grid_search_over_cells(early_signal_data):
    X, y = early_signal_data
    pipe = make_pipeline(TimeSeriesStandardScaler(), RNNClassifier(**FAST))
    search = GridSearchCV(
        pipe, {"rnnclassifier__cell": ["lstm", "ica_lstm"]}, cv=2, n_jobs=1
    ).fit(X, y)
    assert search.best_params_["rnnclassifier__cell"] in {"lstm", "ica_lstm"}
    assert search.predict(X).shape == (60,)
    assert len(search.cv_results_["mean_test_score"]) == 2
    clone(search.best_estimator_)


@pytest.mark.parametrize(
    "make_X, message",
    [
        (lambda X: np.where(np.arange(10)[None, :, None] == 3, np.nan, X), "NaN inside"),
        (lambda X: np.where(np.arange(10)[None, :, None] == 3, np.inf, X), "infinity"),
        (lambda X: X[:, :, :, None], "2D .* or 3D"),
        (lambda X: X[:0], "0 sample"),
        (lambda X: X[:, :0], "at least one time"),
        (lambda X: [X[0], X[1, :, :2]], "same number of features"),
        (lambda X: np.full_like(X, np.nan), "no valid time step"),
    ],
)
def test_bad_input_gets_a_clear_error(make_X, message, early_signal_data):
    X, y = early_signal_data
    with pytest.raises(ValueError, match=message):
        RNNClassifier(**FAST).fit(make_X(X), y[: len(make_X(X))])


def test_prediction_errors_name_the_problem(early_signal_data):
    X, y = early_signal_data
    clf = RNNClassifier(**{**FAST, "max_epochs": 1}).fit(X, y)
    with pytest.raises(ValueError, match="3 features per time step|fitted with 3"):
        clf.predict(X[:, :, :2])
    with pytest.raises(ValueError, match="only 1 class"):
        RNNClassifier(**FAST).fit(X, np.zeros(60))
    with pytest.raises(ValueError, match="inconsistent numbers of samples"):
        RNNClassifier(**FAST).fit(X, y[:10])
    with pytest.raises(ValueError, match="'cell' parameter"):
        RNNClassifier("transformer_xl").fit(X, y)


def test_early_stopping_sees_the_epoch_that_reaches_perfect_accuracy(
    early_signal_data,
):
    X, y = early_signal_data
    clf = RNNClassifier(
        "ica_lstm", validation_fraction=0.25, **{**FAST, "max_epochs": 100}
    ).fit(X, y)
    history = clf.net_.history
    assert history[-1, "train_acc"] == 1.0 and clf.n_epochs_ < 100
    early_stopping = dict(clf.net_.callbacks_)["early_stopping"]
    valid_losses = history[:, "valid_loss"]
    # The best epoch is chosen among all epochs, the stopping one included.
    assert early_stopping.best_epoch_ == int(np.argmin(valid_losses)) + 1


def test_perfect_accuracy_stops_mid_epoch_and_keeps_that_model(tmp_path):
    # 24 batches per epoch: the rule is checked every 3 batches (as the
    # paper's code), so it can fire long before the epoch ends.
    rng = np.random.RandomState(0)
    y = np.repeat([0, 1], 160)
    X = rng.normal(size=(320, 8, 3)).astype(np.float32)
    X[:, :3, :] += np.where(y == 1, 2.0, -2.0)[:, None, None]
    clf = RNNClassifier(
        "ica_lstm", batch_size=10, validation_fraction=0.25, checkpoint_dir=tmp_path,
        **{**FAST, "max_epochs": 50},
    ).fit(X, y)
    last = clf.net_.history[-1]
    assert "stopped_after_batch" in last and last["stopped_after_batch"] % 3 == 0
    assert last["stopped_after_batch"] < 24 and last["train_acc"] == 1.0
    assert np.isfinite(last["train_loss"])
    # Early stopping does not swap in an earlier epoch's weights, and the
    # checkpoint holds the stopped run, so resuming trains no further.
    assert clf.score(X, y) == 1.0
    resumed = RNNClassifier(
        "ica_lstm", batch_size=10, validation_fraction=0.25, checkpoint_dir=tmp_path,
        **{**FAST, "max_epochs": 50},
    ).fit(X, y)
    assert resumed.n_epochs_ == clf.n_epochs_
    np.testing.assert_array_equal(resumed.predict_proba(X), clf.predict_proba(X))


def test_stop_rule_screens_keep_whole_set_checks_rare_when_100_percent_is_out_of_reach():
    # Two mislabelled samples the small model does not memorise: most batches
    # are perfect, but the samples the last whole-set check got wrong stay
    # wrong, so the whole set is rarely re-evaluated (and training never stops).
    rng = np.random.RandomState(0)
    y = np.repeat([0, 1], 150)
    X = rng.normal(size=(300, 8, 3)).astype(np.float32)
    X[:, :3, :] += np.where(y == 1, 2.0, -2.0)[:, None, None]
    y[[0, 200]] = 1 - y[[0, 200]]
    clf = RNNClassifier("gru", batch_size=10, **{**FAST, "max_epochs": 4}).fit(X, y)
    stop_rule = dict(clf.net_.callbacks_)["stop_at_perfect"]
    check_points = clf.n_epochs_ * (300 // 10) // 3
    assert clf.n_epochs_ == 4 and clf.net_.history[-1, "train_acc"] < 1.0
    assert 1 <= stop_rule.n_whole_set_checks_ <= 3 < check_points


def test_checking_the_stop_rule_never_changes_the_training_trajectory():
    # The whole-set checks draw no random numbers from torch's global state,
    # so training with the rule matches training without it until the stop.
    rng = np.random.RandomState(0)
    y = np.repeat([0, 1], 60)
    X = rng.normal(size=(120, 8, 3)).astype(np.float32)
    X[:, :3, :] += np.where(y == 1, 0.4, -0.4)[:, None, None]
    params = dict(cell="gru", batch_size=10, **{**FAST, "max_epochs": 2})
    with_rule = RNNClassifier(**params).fit(X, y)
    without = RNNClassifier(stop_at_perfect_train_accuracy=False, **params).fit(X, y)
    assert with_rule.n_epochs_ == 2  # the rule was checked but never fired
    np.testing.assert_array_equal(with_rule.predict_proba(X), without.predict_proba(X))
