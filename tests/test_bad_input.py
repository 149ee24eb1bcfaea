"""The bad-input matrix: every kind of bad input we can think of gives an
error of a documented type whose message names the problem and the fix, and
never a raw torch error.  ``docs/robustness.md`` lists the same matrix.

Each row: (id, action, exception type, regex the message must match).  The
regex covers the problem *and* the fix (or the allowed values), joined by
``.*``.
"""

import tempfile
from pathlib import Path

import numpy as np
import pytest
import torch
from sklearn.exceptions import NotFittedError
from sklearn.utils._param_validation import InvalidParameterError

from ica_sklearn import RNNClassifier, SaliencyExplainer
from ica_sklearn.datasets import make_box_dataset
from ica_sklearn.metrics import euclidean_distance, evaluate_saliency, weighted_jaccard

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


def _folder():
    return Path(tempfile.mkdtemp())


def _saved_without(clf, key):
    """A model file with ``payload["fitted"][key]`` removed."""
    path = clf.save(_folder() / "model.pt")
    payload = torch.load(path, weights_only=True)
    del payload["fitted"][key]
    torch.save(payload, path)
    return path


def _a_file():
    path = _folder() / "a_file"
    path.write_text("x")
    return path


def _boxes(**params):
    return make_box_dataset(n_samples=4, n_timesteps=6, n_features=3, random_state=0, **params)


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
    ("empty_sequence_in_ragged_list", lambda X, y, c: _fit([X[0], X[1, :0]] + list(X[2:]), y),
     ValueError, r"X\[1\] is an empty sequence.*Drop it"),
    ("datetime_values", lambda X, y, c: _fit(np.full((N, T, F), np.datetime64("2024-01-01")), y),
     ValueError, r"dates or durations.*Convert them to numbers"),
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
    ("labels_strings_and_none", lambda X, y, c: _fit(X, ["a", "b", None] + ["a", "b", "a"] * 3),
     ValueError, r"missing labels \(None or NaN\) at position\(s\) \[2\].*Drop those samples"),
    ("labels_strings_and_nan", lambda X, y, c: _fit(X, ["a", np.nan] + ["a", "b"] * 5),
     ValueError, r"missing labels.*\[1\].*class of their own"),
    # ---- X at predict / explain
    ("other_feature_count_at_predict", lambda X, y, c: c.predict(X[:, :, :2]),
     ValueError, r"2 features per time step.*fitted with 3.*same features"),
    ("univariate_at_predict", lambda X, y, c: c.predict(X[:, :, 0]),
     ValueError, r"1 features per time step.*fitted with 3"),
    ("other_length_for_a_2d_model", lambda X, y, c: _fit(X[:, :, 0], y).predict(X[:, :4, 0]),
     ValueError, r"X has 4 features, but RNNClassifier is expecting 6.*3D form X\[:, :, np.newaxis\]"),
    ("nan_inside_at_predict", lambda X, y, c: c.predict_proba(_with(X, 1, np.nan)),
     ValueError, r"NaN inside a sequence.*Impute"),
    ("other_feature_count_at_explain",
     lambda X, y, c: SaliencyExplainer(c).transform(X[:, :, :2]),
     ValueError, r"2 features per time step.*fitted with 3"),
    ("explain_y_wrong_length", lambda X, y, c: SaliencyExplainer(c).transform(X, y[:3]),
     ValueError, r"3 labels but X has 12 samples.*one label per sample"),
    ("explain_unknown_label", lambda X, y, c: SaliencyExplainer(c).transform(X, y + 5),
     ValueError, r"unknown to the classifier.*classes are \[0, 1\]"),
    ("explain_target_array", lambda X, y, c: SaliencyExplainer(c, target=y).transform(X),
     ValueError, r"target must be 'auto' or one class label.*pass the labels as y"),
    ("explain_tsr_threshold_1_5",
     lambda X, y, c: SaliencyExplainer(c, tsr=True, tsr_params={"threshold": 1.5}).transform(X),
     ValueError, r"tsr_params\['threshold'\] must be a finite number in \[0.0, 1.0\].*1.5"),
    ("explain_tsr_nan_mask_value",
     lambda X, y, c: SaliencyExplainer(c, tsr=True, tsr_params={"mask_value": np.nan}).transform(X),
     ValueError, r"tsr_params\['mask_value'\] must be a finite number"),
    ("gradient_with_method_params",
     lambda X, y, c: SaliencyExplainer(c, method_params={"n_steps": 5}).transform(X),
     ValueError, r"method='gradient' takes no method_params \(got \['n_steps'\]\).*Captum method"),
    ("captum_unknown_method_param",
     lambda X, y, c: SaliencyExplainer(c, "integrated_gradients", method_params={"steps": 5}).transform(X),
     ValueError, r"does not take method_params \['steps'\]; it accepts.*n_steps"),
    ("feature_permutation_one_sample",
     lambda X, y, c: SaliencyExplainer(c, "feature_permutation").transform(X[:1]),
     ValueError, r"needs at least 2 samples at once; got 1"),
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
    ("unknown_cell", lambda X, y, c: _fit(X, y, cell="transformer_xl"),
     InvalidParameterError, r"'cell' parameter.*among.*ica_lstm.*Got 'transformer_xl'"),
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
    ("optimizer_not_an_optimizer", lambda X, y, c: _fit(X, y, optimizer=dict),
     InvalidParameterError, r"'optimizer' parameter.*subclass of torch.optim.Optimizer.*dict"),
    ("callbacks_not_callbacks", lambda X, y, c: _fit(X, y, callbacks=[object()]),
     InvalidParameterError, r"'callbacks' parameter.*skorch callbacks.*Item 0"),
    ("unknown_output", lambda X, y, c: SaliencyExplainer(c, output="odds").transform(X),
     InvalidParameterError, r"'output' parameter.*probability.*Got 'odds'"),
    # ---- hyper-parameter values
    ("negative_hidden_size", lambda X, y, c: _fit(X, y, hidden_size=-1),
     InvalidParameterError, r"'hidden_size' parameter.*range \[1, inf\).*Got -1"),
    ("float_hidden_size", lambda X, y, c: _fit(X, y, hidden_size=2.5),
     InvalidParameterError, r"'hidden_size' parameter.*int.*Got 2.5"),
    ("bool_hidden_size", lambda X, y, c: _fit(X, y, hidden_size=True),
     InvalidParameterError, r"'hidden_size' parameter.*a number, not a bool.*Got True"),
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
    ("complex_saliency", lambda X, y, c: weighted_jaccard(np.ones((T, F), bool),
                                                          np.ones((N, T, F)) * 1j),
     ValueError, r"saliency is complex.*np.abs\(saliency\).*saliency.real"),
    ("empty_metric_list", lambda X, y, c: evaluate_saliency(np.ones((T, F), bool),
                                                            np.ones((N, T, F)), metrics=[]),
     ValueError, r"metrics is empty.*pass None for all"),
    # ---- files
    ("save_into_missing_folder", lambda X, y, c: c.save(_folder() / "no" / "model.pt"),
     FileNotFoundError, r"the folder .*no' does not exist. Create it first"),
    ("save_onto_a_folder", lambda X, y, c: c.save(_folder()),
     IsADirectoryError, r"it is a folder. Pass a file name"),
    ("load_missing_file", lambda X, y, c: RNNClassifier.load(_folder() / "none.pt"),
     FileNotFoundError, r"No model file at.*clf.save\(path\)"),
    ("load_a_folder", lambda X, y, c: RNNClassifier.load(_folder()),
     IsADirectoryError, r"is a folder; pass the model file"),
    ("load_file_without_a_field", lambda X, y, c: RNNClassifier.load(_saved_without(c, "classes")),
     ValueError, r"not a complete file written by RNNClassifier.save.*fitted.'classes' is missing"),
    ("load_unknown_device", lambda X, y, c: RNNClassifier.load(c.save(_folder() / "m.pt"),
                                                               device="tpu"),
     ValueError, r"'tpu' is not a torch device"),
    ("checkpoint_dir_is_a_file", lambda X, y, c: _fit(X, y, checkpoint_dir=_a_file()),
     NotADirectoryError, r"checkpoint_dir .* is a file, not a folder"),
    # ---- generated data
    ("gp_nan_length_scale", lambda X, y, c: _boxes(background="gaussian_process",
                                                   length_scale=np.nan),
     ValueError, r"length_scale must be a finite number, got nan"),
    ("harmonic_infinite_frequency", lambda X, y, c: _boxes(background="harmonic",
                                                           frequency_range=(1, np.inf)),
     ValueError, r"frequency_range must be \(low, high\) with finite 0 < low <= high"),
    ("narma_fractional_order", lambda X, y, c: _boxes(background="narma", narma_order=2.5),
     ValueError, r"narma_order must be an integer, got 2.5"),
    ("box_data_overflow", lambda X, y, c: _boxes(noise=1e39),
     ValueError, r"overflow float32 with noise=1e\+39.*below 3.4e38"),
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
