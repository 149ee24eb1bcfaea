"""The bad-input matrix: every kind of bad input we can think of gives an
error of a documented type whose message names the problem and the fix, and
never a raw torch error.  ``docs/robustness.md`` lists the same matrix.

Each row: (id, action, exception type, regex the message must match).  The
regex covers the problem *and* the fix (or the allowed values), joined by
``.*``.
"""

import numpy as np
import pytest
from sklearn.exceptions import NotFittedError
from sklearn.utils._param_validation import InvalidParameterError

from ica_sklearn import RNNClassifier, SaliencyExplainer
from ica_sklearn.metrics import euclidean_distance, weighted_jaccard

TINY = dict(max_epochs=2, attention_hops=2, attention_dim=3, lr=0.01, random_state=0)
N, T, F = 12, 6, 3


@pytest.fixture(scope="module")
def data():
    rng = np.random.RandomState(0)
    y = np.repeat([0, 1], N // 2)
    X = rng.normal(size=(N, T, F)).astype(np.float32)
    return X, y


@pytest.fixture(scope="module")
def fitted(data):
    X, y = data
    return RNNClassifier(**TINY).fit(X, y)


def _with(X, step, value):
    X = X.copy()
    X[1, step, 0] = value
    return X


def _fit(X, y, **params):
    return RNNClassifier(**{**TINY, **params}).fit(X, y)


# (id, action(X, y, clf), exception type, message regex)
MATRIX = [
    # ---- X at fit
    ("nan_inside_sequence", lambda X, y, c: _fit(_with(X, 2, np.nan), y),
     ValueError, r"NaN inside a sequence.*sample 1, time step 2.*Impute"),
    ("inf", lambda X, y, c: _fit(_with(X, 4, np.inf), y),
     ValueError, r"infinity.*Remove or clip infinite"),
    ("minus_inf_at_predict", lambda X, y, c: c.predict(_with(X, 0, -np.inf)),
     ValueError, r"infinity.*Remove or clip infinite"),
    ("ndim_4", lambda X, y, c: _fit(X[..., None], y),
     ValueError, r"4 dimensions.*Reshape"),
    ("ndim_1", lambda X, y, c: _fit(X[:, 0, 0], y),
     ValueError, r"Expected 2D array, got 1D array.*[Rr]eshape"),
    ("zero_samples", lambda X, y, c: _fit(X[:0], y[:0]),
     ValueError, r"0 sample\(s\).*minimum of 1 is required"),
    ("zero_time_steps", lambda X, y, c: _fit(X[:, :0], y),
     ValueError, r"shape \(12, 0, 3\).*at least one time step"),
    ("zero_features", lambda X, y, c: _fit(X[:, :, :0], y),
     ValueError, r"at least one time step and one feature"),
    ("all_nan_sample", lambda X, y, c: _fit(np.where(np.arange(N)[:, None, None] == 3,
                                                     np.nan, X), y),
     ValueError, r"Sample 3 .*no valid time step.*Drop empty sequences"),
    ("ragged_mixed_features", lambda X, y, c: _fit([X[0], X[1, :4, :2]] + list(X[2:]), y),
     ValueError, r"same number of features.*\[2, 3\].*Select the same features"),
    ("object_strings", lambda X, y, c: _fit(np.full((N, T, F), "a", dtype=object), y),
     ValueError, r"non-numeric.*Encode categorical features"),
    ("unicode_strings", lambda X, y, c: _fit(np.full((N, T, F), "x"), y),
     ValueError, r"non-numeric.*Encode categorical features"),
    ("ragged_with_strings", lambda X, y, c: _fit([X[0], np.full((3, F), "b")] + list(X[2:]), y),
     ValueError, r"non-numeric.*Encode categorical features"),
    # ---- y
    ("single_class", lambda X, y, c: _fit(X, np.zeros(N)),
     ValueError, r"only 1 class.*at least 2 classes"),
    ("y_wrong_length", lambda X, y, c: _fit(X, y[:5]),
     ValueError, r"inconsistent numbers of samples: \[12, 5\]"),
    ("y_continuous", lambda X, y, c: _fit(X, np.linspace(0, 1, N)),
     ValueError, r"Unknown label type: continuous.*classifier.*discrete classes"),
    ("y_none", lambda X, y, c: _fit(X, None),
     ValueError, r"requires y to be passed"),
    ("y_two_columns", lambda X, y, c: _fit(X, np.c_[y, y]),
     ValueError, r"y should be a 1d array.*shape \(12, 2\)"),
    # ---- X at predict / explain
    ("other_feature_count_at_predict", lambda X, y, c: c.predict(X[:, :, :2]),
     ValueError, r"2 features per time step.*fitted with 3.*same features"),
    ("univariate_at_predict", lambda X, y, c: c.predict(X[:, :, 0]),
     ValueError, r"1 features per time step.*fitted with 3"),
    ("nan_inside_at_predict", lambda X, y, c: c.predict_proba(_with(X, 1, np.nan)),
     ValueError, r"NaN inside a sequence.*Impute"),
    ("other_feature_count_at_explain",
     lambda X, y, c: SaliencyExplainer(c).transform(X[:, :, :2]),
     ValueError, r"2 features per time step.*fitted with 3"),
    ("explain_y_wrong_length", lambda X, y, c: SaliencyExplainer(c).transform(X, y[:3]),
     ValueError, r"3 labels but X has 12 samples.*one label per sample"),
    ("explain_unknown_label", lambda X, y, c: SaliencyExplainer(c).transform(X, y + 5),
     ValueError, r"unknown to the classifier.*classes are \[0, 1\]"),
    # ---- fitted state
    ("unfitted_predict", lambda X, y, c: RNNClassifier().predict(X),
     NotFittedError, r"not fitted yet.*Call 'fit'"),
    ("unfitted_save", lambda X, y, c: RNNClassifier().save("never.pt"),
     NotFittedError, r"not fitted yet.*Call 'fit'"),
    ("unfitted_explainer_estimator",
     lambda X, y, c: SaliencyExplainer(RNNClassifier()).transform(X),
     NotFittedError, r"RNNClassifier instance is not fitted yet.*Call 'fit'"),
    ("unfitted_explainer_prefit_false",
     lambda X, y, c: SaliencyExplainer(RNNClassifier(), prefit=False).transform(X),
     NotFittedError, r"SaliencyExplainer instance is not fitted.*Call 'fit'"),
    ("explainer_of_non_classifier", lambda X, y, c: SaliencyExplainer(object()).fit(X),
     TypeError, r"must be an ica_sklearn.RNNClassifier .*or a Pipeline"),
    # ---- names
    ("unknown_cell", lambda X, y, c: _fit(X, y, cell="transformer"),
     InvalidParameterError, r"'cell' parameter.*among.*ica_lstm.*Got 'transformer'"),
    ("unknown_method", lambda X, y, c: SaliencyExplainer(c, method="magic").transform(X),
     InvalidParameterError, r"'method' parameter.*among.*gradient.*Got 'magic'"),
    ("unknown_pooling", lambda X, y, c: _fit(X, y, pooling="median"),
     InvalidParameterError, r"'pooling' parameter.*among.*Got 'median'"),
    ("unknown_optimizer", lambda X, y, c: _fit(X, y, optimizer="lbfgs"),
     InvalidParameterError, r"'optimizer' parameter.*among.*adam.*Got 'lbfgs'"),
    ("unknown_dtype", lambda X, y, c: _fit(X, y, dtype="float16"),
     InvalidParameterError, r"'dtype' parameter.*float32.*Got 'float16'"),
    ("unknown_device", lambda X, y, c: _fit(X, y, device="tpu"),
     ValueError, r"'tpu' is not a torch device.*Use 'auto', 'cpu'"),
    ("unknown_output", lambda X, y, c: SaliencyExplainer(c, output="odds").transform(X),
     InvalidParameterError, r"'output' parameter.*probability.*Got 'odds'"),
    # ---- hyper-parameter values
    ("negative_hidden_size", lambda X, y, c: _fit(X, y, hidden_size=-1),
     InvalidParameterError, r"'hidden_size' parameter.*range \[1, inf\).*Got -1"),
    ("float_hidden_size", lambda X, y, c: _fit(X, y, hidden_size=2.5),
     InvalidParameterError, r"'hidden_size' parameter.*int.*Got 2.5"),
    ("dropout_1_5", lambda X, y, c: _fit(X, y, dropout=1.5),
     InvalidParameterError, r"'dropout' parameter.*\[0.0, 1.0\).*Got 1.5"),
    ("zero_lr", lambda X, y, c: _fit(X, y, lr=0),
     InvalidParameterError, r"'lr' parameter.*\(0.0, inf\).*Got 0"),
    ("zero_batch_size", lambda X, y, c: _fit(X, y, batch_size=0),
     InvalidParameterError, r"'batch_size' parameter.*\[1, inf\).*Got 0"),
    ("zero_max_epochs", lambda X, y, c: _fit(X, y, max_epochs=0),
     InvalidParameterError, r"'max_epochs' parameter.*Got 0"),
    ("zero_attention_hops", lambda X, y, c: _fit(X, y, attention_hops=0),
     InvalidParameterError, r"'attention_hops' parameter.*Got 0"),
    ("zero_layers", lambda X, y, c: _fit(X, y, num_layers=0),
     InvalidParameterError, r"'num_layers' parameter.*Got 0"),
    ("validation_fraction_1_5", lambda X, y, c: _fit(X, y, validation_fraction=1.5),
     InvalidParameterError, r"'validation_fraction' parameter.*\(0.0, 1.0\).*Got 1.5"),
    ("zero_torch_threads", lambda X, y, c: _fit(X, y, torch_num_threads=0),
     InvalidParameterError, r"'torch_num_threads' parameter.*\[1, inf\).*Got 0"),
    ("explainer_zero_batch", lambda X, y, c: SaliencyExplainer(c, batch_size=0).transform(X),
     InvalidParameterError, r"'batch_size' parameter.*Got 0"),
    # ---- metrics: masks
    ("mask_wrong_shape", lambda X, y, c: weighted_jaccard(np.ones((N, 5, F), bool),
                                                          np.ones((N, T, F))),
     ValueError, r"mask shape \(12, 5, 3\) does not fit saliency shape.*pass either"),
    ("mask_wrong_sample_count", lambda X, y, c: euclidean_distance(
        np.ones((N + 1, T, F), bool), np.ones((N, T, F))),
     ValueError, r"mask shape \(13, 6, 3\) does not fit.*one mask per sample"),
]


@pytest.mark.parametrize(
    "action, error, message", [row[1:] for row in MATRIX], ids=[row[0] for row in MATRIX]
)
def test_bad_input_matrix(action, error, message, data, fitted):
    X, y = data
    with pytest.raises(error, match="(?s)" + message) as info:
        action(X, y, fitted)
    # Never a raw torch error: the exception is raised outside torch's code.
    raise_site = str(info.traceback[-1].path)
    assert "/torch/" not in raise_site, raise_site
    assert not type(info.value).__module__.startswith("torch")


def test_missing_gpu_gives_a_clear_error(data, monkeypatch):
    """device="cuda" on a machine without one: our message, not torch's."""
    import torch

    X, y = data
    monkeypatch.setattr(torch.cuda, "is_available", lambda: False)
    with pytest.raises(ValueError, match=r"torch sees no CUDA GPU.*device='auto' or 'cpu'"):
        _fit(X, y, device="cuda:1")


def test_matrix_is_documented():
    """Every row of the matrix appears in docs/robustness.md."""
    from pathlib import Path

    page = Path(__file__).parents[1] / "docs" / "robustness.md"
    text = page.read_text()
    missing = [row[0] for row in MATRIX if f"`{row[0]}`" not in text]
    assert not missing, missing
