"""Tests of SaliencyExplainer (gradient, Captum methods) and the importance helpers."""

import copy
import warnings

import numpy as np
import pytest
import torch
from sklearn.base import clone
from sklearn.exceptions import NotFittedError
from sklearn.pipeline import Pipeline, make_pipeline

from ica_sklearn import RNNClassifier, TimeSeriesStandardScaler
from ica_sklearn.datasets import make_box_dataset
from ica_sklearn.explain import METHODS
from ica_sklearn.explain._attribution import ScoreModule, make_attribution
from ica_sklearn.explain import SaliencyExplainer, feature_importance, time_importance
from ica_sklearn.nn import CELL_TYPES

TINY = dict(max_epochs=3, hidden_size=4, attention_hops=3, attention_dim=4, random_state=0)
#: Keep every Captum method tiny in the tests.
FAST_PARAMS = {
    "integrated_gradients": {"n_steps": 4},
    "smoothgrad": {"nt_samples": 3},
    "gradient_shap": {"n_samples": 2},
    "shapley_sampling": {"n_samples": 1},
}


def _data(n=20, T=8, F=3, seed=0):
    rng = np.random.RandomState(seed)
    y = np.repeat([0, 1], n // 2)
    X = rng.normal(size=(n, T, F)).astype("float32")
    X[:, :3] += np.where(y == 1, 0.8, -0.8)[:, None, None]
    return X, y


def _ragged(X):
    """NaN-pad the last samples to shorter lengths."""
    X = X.copy()
    X[-3:, 5:] = np.nan
    X[-1, 2:] = np.nan
    return X


@pytest.fixture(scope="module")
def data():
    return _data()


@pytest.fixture(scope="module")
def fitted(data):
    X, y = data
    return {
        cell: RNNClassifier(cell, **TINY).fit(_ragged(X), y)
        for cell in ("ica_lstm", "lstm")
    }


@pytest.fixture(scope="module")
def float64_clf(data):
    X, y = data
    return RNNClassifier("ica_gru", dtype="float64", **TINY).fit(X, y)


def _loop_gradient(clf, X, targets, output="probability"):
    """The paper's way: one sample (truncated to its length) at a time."""
    values, lengths = clf._validate_sequences(X, reset=False)
    module = ScoreModule(clf.net_.module_.eval(), output)
    maps = np.full(values.shape, np.nan)
    for i, (x, length) in enumerate(zip(values, lengths)):
        x = torch.tensor(x[None, :length], requires_grad=True)
        score = module(x, torch.tensor([length]))[0, targets[i]]
        (grad,) = torch.autograd.grad(score, x)
        maps[i, :length] = grad[0].numpy()
    return maps


# ------------------------------------------------------------------ gradient
@pytest.mark.parametrize("output", ["probability", "logit", "log_probability"])
@pytest.mark.parametrize("absolute", [True, False])
def test_gradient_equals_per_sample_loop(fitted, data, output, absolute):
    X, y = _ragged(data[0]), data[1]
    clf = fitted["ica_lstm"]
    explainer = SaliencyExplainer(clf, output=output, absolute=absolute, batch_size=7)
    maps = explainer.transform(X, y)
    expected = _loop_gradient(clf, X, y, output)
    expected = np.abs(expected) if absolute else expected
    np.testing.assert_allclose(maps, expected, atol=1e-6, rtol=0)


@pytest.mark.parametrize("cell", ["ica_gru", "tcn", "transformer", "transformer_full"])
def test_gradient_float64_matches_loop_tightly(float64_clf, data, cell):
    # Ragged batches against each sample alone: padding never reaches a map.
    X, y = _ragged(data[0]), data[1]
    if cell == "ica_gru":
        clf = float64_clf
    else:
        clf = RNNClassifier(cell, dtype="float64", **TINY).fit(X, y)
    maps = SaliencyExplainer(clf, batch_size=7).transform(X, y)
    assert maps.dtype == np.float64
    np.testing.assert_allclose(maps, np.abs(_loop_gradient(clf, X, y)), atol=1e-12)


def test_shapes_and_nan_padding_for_ragged_list(fitted, data):
    X, y = data
    ragged = [X[0], X[1, :5], X[2, :1]]
    maps = SaliencyExplainer(fitted["lstm"]).transform(ragged)
    assert maps.shape == (3, 8, 3)
    assert np.isnan(maps[1, 5:]).all() and np.isnan(maps[2, 1:]).all()
    assert not np.isnan(maps[0]).any() and not np.isnan(maps[1, :5]).any()
    # Padding does not change the valid part of a map.
    alone = SaliencyExplainer(fitted["lstm"]).transform([X[1, :5]])
    np.testing.assert_allclose(maps[1, :5], alone[0], atol=1e-7)


def test_batch_size_does_not_change_maps(fitted, data):
    X, y = data
    big = SaliencyExplainer(fitted["ica_lstm"], batch_size=256).transform(X, y)
    small = SaliencyExplainer(fitted["ica_lstm"], batch_size=3).transform(X, y)
    np.testing.assert_allclose(big, small, atol=1e-7)


# ---------------------------------------------------------------- targets
def test_target_auto_uses_y_else_prediction(fitted, data):
    X, y = data
    clf = fitted["ica_lstm"]
    predicted = clf.predict(X)
    without_y = SaliencyExplainer(clf).transform(X)
    with_pred = SaliencyExplainer(clf).transform(X, predicted)
    np.testing.assert_allclose(without_y, with_pred)
    flipped = SaliencyExplainer(clf, output="logit").transform(X, 1 - y)
    fixed = SaliencyExplainer(clf, output="logit", target=1).transform(X)
    np.testing.assert_allclose(flipped[y == 0], fixed[y == 0])


def test_string_labels(data):
    X, y = data
    labels = np.array(["rest", "task"])[y]
    clf = RNNClassifier("gru", **TINY).fit(X, labels)
    a = SaliencyExplainer(clf, target="task", output="logit").transform(X)
    b = SaliencyExplainer(clf, output="logit").transform(X, np.full(len(X), "task"))
    np.testing.assert_allclose(a, b)
    with pytest.raises(ValueError, match="unknown to the classifier.*'rest', 'task'"):
        SaliencyExplainer(clf, target="sleep").transform(X)
    with pytest.raises(ValueError, match="unknown to the classifier"):
        SaliencyExplainer(clf).transform(X, np.full(len(X), "sleep"))


def test_errors(fitted, data):
    X, y = data
    with pytest.raises(ValueError, match="y has 3 labels but X has 20 samples"):
        SaliencyExplainer(fitted["lstm"]).transform(X, y[:3])
    with pytest.raises(ValueError, match="integrated_gradients"):
        SaliencyExplainer(fitted["lstm"], method="lime").transform(X)
    with pytest.raises(NotFittedError):
        SaliencyExplainer(RNNClassifier()).transform(X)
    with pytest.raises(NotFittedError):
        SaliencyExplainer(RNNClassifier(), prefit=False).transform(X)
    with pytest.raises(NotFittedError):
        SaliencyExplainer(RNNClassifier()).fit(X, y)
    with pytest.raises(TypeError, match="RNNClassifier"):
        SaliencyExplainer(TimeSeriesStandardScaler().fit(X)).transform(X)
    with pytest.raises(ValueError, match="features per time step"):
        SaliencyExplainer(fitted["lstm"]).transform(X[:, :, :2])
    with pytest.raises(ValueError, match="Unknown tsr_params"):
        SaliencyExplainer(fitted["lstm"], tsr=True, tsr_params={"quantile": 0.5}).transform(X)


# ------------------------------------------------------- sklearn composition
def test_clone_pipeline_and_fit_transform(data):
    X, y = data
    explainer = SaliencyExplainer(RNNClassifier("rnn", **TINY), prefit=False)
    pipe = make_pipeline(TimeSeriesStandardScaler(), clone(explainer))
    maps = pipe.fit(X, y).transform(X)
    assert maps.shape == X.shape
    fitted_explainer = pipe[-1]
    assert fitted_explainer.estimator_ is not explainer.estimator
    np.testing.assert_array_equal(fitted_explainer.classes_, [0, 1])
    # fit_transform explains the true labels.
    direct = clone(explainer).fit_transform(X, y)
    expected = clone(explainer).fit(X, y).transform(X, y)
    np.testing.assert_allclose(direct, expected)


def test_wraps_a_pipeline_ending_in_the_classifier(data):
    X, y = data
    model = Pipeline(
        [("scale", TimeSeriesStandardScaler()), ("clf", RNNClassifier("lstm", **TINY))]
    ).fit(X, y)
    maps = SaliencyExplainer(model).transform(X, y)
    scaled = model[0].transform(X)
    np.testing.assert_allclose(maps, SaliencyExplainer(model[-1]).transform(scaled, y))
    explainer = SaliencyExplainer(model).fit(X)
    assert explainer.estimator_ is model


# ------------------------------------------------------------- all methods
@pytest.mark.parametrize("cell", CELL_TYPES)
@pytest.mark.parametrize("method", METHODS)
def test_every_method_runs_on_every_cell(cell, method, data):
    clf = _cell_classifier(cell, data)
    X, y = _ragged(data[0][:6]), data[1][:6]
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", UserWarning)  # the DeepLift notice
        maps = SaliencyExplainer(
            clf, method, method_params=FAST_PARAMS.get(method), random_state=0, batch_size=8
        ).transform(X, y)
    assert maps.shape == X.shape
    padded = np.isnan(X).all(axis=2)
    assert np.isnan(maps[padded]).all()
    assert np.isfinite(maps[~padded]).all() and (maps[~padded] >= 0).all()


_CELL_CACHE = {}


def _cell_classifier(cell, data):
    if cell not in _CELL_CACHE:
        X, y = data
        _CELL_CACHE[cell] = RNNClassifier(cell, **{**TINY, "max_epochs": 1}).fit(X, y)
    return _CELL_CACHE[cell]


@pytest.mark.parametrize("method", ["smoothgrad", "gradient_shap", "feature_permutation"])
def test_random_state_makes_stochastic_methods_reproducible(fitted, data, method):
    X, y = data
    params = FAST_PARAMS.get(method)
    a = SaliencyExplainer(fitted["lstm"], method, method_params=params, random_state=1)
    b = SaliencyExplainer(**a.get_params(deep=False))
    np.testing.assert_array_equal(a.transform(X, y), b.transform(X, y))


def test_integrated_gradients_completeness(float64_clf, data):
    """IG sums to f(x) - f(baseline) per sample (a sanity check of the adapter)."""
    X, y = data
    maps = SaliencyExplainer(
        float64_clf, "integrated_gradients", absolute=False, output="logit",
        method_params={"n_steps": 200}, batch_size=64,
    ).transform(X, y)
    module = float64_clf.net_.module_
    with torch.no_grad():
        full = torch.full((len(X),), X.shape[1])
        logits = module(torch.tensor(X, dtype=torch.float64), full)
        base = module(torch.zeros(X.shape, dtype=torch.float64), full)
    expected = (logits - base)[np.arange(len(X)), y].numpy()
    np.testing.assert_allclose(maps.sum(axis=(1, 2)), expected, atol=2e-3)


# ---------------------------------------------------------------- DeepLift
@pytest.mark.parametrize("cell", ["lstm", "ica_gru"])
def test_deeplift_degrades_to_gradient_times_input_and_warns(cell, data):
    X, y = data
    clf = _cell_classifier(cell, data)
    with pytest.warns(UserWarning, match="gradient x \\(input - baseline\\)"):
        deeplift = SaliencyExplainer(clf, "deeplift", output="logit", absolute=False).transform(X, y)
    expected = _loop_gradient(clf, X, y, "logit") * X
    np.testing.assert_allclose(deeplift, expected, atol=1e-6)


def test_no_deeplift_warning_for_other_methods(fitted, data):
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        SaliencyExplainer(fitted["lstm"], "input_x_gradient").transform(*data)


# ------------------------------------------------------------- helpers
def test_time_and_feature_importance_are_nan_aware():
    maps = np.arange(12, dtype=float).reshape(1, 4, 3)
    maps[0, 3] = np.nan
    np.testing.assert_allclose(time_importance(maps), [[3, 12, 21, np.nan]])
    np.testing.assert_allclose(time_importance(maps, "mean"), [[1, 4, 7, np.nan]])
    np.testing.assert_allclose(feature_importance(maps), [[9, 12, 15]])
    np.testing.assert_allclose(feature_importance(maps, reduce="mean"), [[3, 4, 5]])
    with pytest.raises(ValueError, match="reduce must be"):
        time_importance(maps, "max")
    with pytest.raises(ValueError, match="saliency\\[None\\]"):
        feature_importance(maps[0])


def test_verbose_shows_a_progress_bar(fitted, data, capsys):
    SaliencyExplainer(fitted["lstm"], verbose=1).transform(*data)
    assert "saliency" in capsys.readouterr().err


def test_make_attribution_rejects_unknown_method(fitted):
    module = ScoreModule(fitted["lstm"].net_.module_)
    with pytest.raises(ValueError, match="gradient, integrated_gradients"):
        make_attribution("lime", module)


# ------------------------------------------------------ the paper's claim
def test_input_cell_attention_finds_an_early_box():
    """Seeded: on earlier-box data the ica_lstm's gradient mass lies in the box
    far more than the lstm's (whose gradient vanishes towards early steps)."""
    rng = np.random.RandomState(0)
    n, T, F = 300, 40, 20
    y = rng.randint(0, 2, n)
    X = rng.normal(size=(n, T, F)).astype("float32")
    box = np.zeros((T, F), bool)
    box[0:12, 4:16] = True
    X[:, box] += np.where(y == 1, 1.0, -1.0)[:, None]
    fractions = {}
    for cell in ("ica_lstm", "lstm"):
        clf = RNNClassifier(cell, max_epochs=100, lr=1e-2, random_state=0).fit(X, y)
        assert clf.score(X, y) == 1.0
        maps = SaliencyExplainer(clf).transform(X, y)
        fractions[cell] = np.mean((maps * box).sum(axis=(1, 2)) / maps.sum(axis=(1, 2)))
    assert fractions["ica_lstm"] > 0.1
    assert fractions["ica_lstm"] > 10 * fractions["lstm"]


def test_cudnn_is_disabled_only_for_gpu_attribution():
    from ica_sklearn.utils._torch import no_cudnn

    enabled = torch.backends.cudnn.enabled
    with no_cudnn("cuda:0"):
        assert not torch.backends.cudnn.enabled
    assert torch.backends.cudnn.enabled == enabled
    with no_cudnn("cpu"):
        assert torch.backends.cudnn.enabled == enabled


def test_transform_never_switches_to_train_mode(fitted, data):
    module = fitted["ica_lstm"].net_.module_
    seen = []
    handle = module.register_forward_pre_hook(lambda mod, args: seen.append(mod.training))
    try:
        SaliencyExplainer(fitted["ica_lstm"], "integrated_gradients",
                          method_params={"n_steps": 3}).transform(*data)
    finally:
        handle.remove()
    assert seen and not any(seen)


def test_transform_uses_the_classifiers_torch_threads_and_restores_them(fitted, data):
    clf = copy.deepcopy(fitted["lstm"]).set_params(torch_num_threads=2)
    before = torch.get_num_threads()
    assert before != 2  # conftest runs the session on one thread
    seen = []
    clf.net_.module_.register_forward_pre_hook(
        lambda mod, args: seen.append(torch.get_num_threads())
    )
    X, y = data
    for labels in (None, y):  # the predicted classes, then the true ones
        seen.clear()
        maps = SaliencyExplainer(clf).transform(X, labels)
        assert maps.shape == X.shape
        assert seen and set(seen) == {2}
        assert torch.get_num_threads() == before


@pytest.mark.parametrize("method", ["random", "input"])
def test_model_free_baselines_never_look_at_the_model(method):
    X, y, _ = make_box_dataset("earlier_box", 30, n_timesteps=8, n_features=4, random_state=0)
    first = RNNClassifier("lstm", max_epochs=1, random_state=0).fit(X, y)
    second = RNNClassifier("ica_gru", max_epochs=3, random_state=1).fit(X, y)
    maps = SaliencyExplainer(first, method, random_state=0).transform(X, y)
    np.testing.assert_array_equal(maps, SaliencyExplainer(second, method, random_state=0).transform(X, y))
    again = SaliencyExplainer(first, method, random_state=0, batch_size=7).transform(X, y)
    np.testing.assert_array_equal(maps, again)
    if method == "input":
        np.testing.assert_allclose(maps, np.abs(X))
    else:
        assert 0.0 <= maps.min() and maps.max() <= 1.0 and maps.std() > 0.2


def test_evidence_gated_gradient_is_step_evidence_times_cell_sensitivity(float64_clf, data):
    X, y = data
    X = X.astype(np.float64)
    gradient = SaliencyExplainer(float64_clf, output="logit", absolute=False).transform(X, y)
    maps = SaliencyExplainer(float64_clf, "evidence_gated_gradient", output="logit").transform(X, y)
    evidence = np.maximum((gradient * X).sum(axis=2, keepdims=True), 0.0)
    np.testing.assert_allclose(maps, evidence * np.abs(gradient), rtol=1e-10, atol=1e-14)
    assert (maps >= 0).all() and (maps.sum(axis=2) == 0).any()  # steps against the class
    ragged = SaliencyExplainer(float64_clf, "evidence_gated_gradient").transform(
        [X[0, :5], X[1]], y[:2])
    assert np.isnan(ragged[0, 5:]).all() and not np.isnan(ragged[0, :5]).any()


def test_explanation_preset_of_the_explainer():
    from ica_sklearn import RNNClassifier
    from ica_sklearn.explain import EXPLANATION_EXPLAINER_PARAMS

    clf = RNNClassifier()
    explainer = SaliencyExplainer.for_explanation(clf, batch_size=7, output="probability")
    params = explainer.get_params(deep=False)
    assert params["estimator"] is clf and params["batch_size"] == 7
    assert params["output"] == "probability"  # overrides win
    assert params["method"] == EXPLANATION_EXPLAINER_PARAMS["method"] == "evidence_gated_gradient"
    with pytest.raises(TypeError):
        EXPLANATION_EXPLAINER_PARAMS["method"] = "gradient"
