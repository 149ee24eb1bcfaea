"""SaliencyExplainer and scikit-learn's wrappers of a fitted classifier:
FrozenEstimator is unwrapped (its maps are the classifier's), a calibrated
ensemble is refused with the reason and what to explain instead, and fit
parameters pass through fit / fit_transform as scikit-learn passes them."""

import numpy as np
import pytest
import sklearn
from sklearn.calibration import CalibratedClassifierCV
from sklearn.frozen import FrozenEstimator
from sklearn.pipeline import make_pipeline

from ica_sklearn import RNNClassifier, SaliencyExplainer, TimeSeriesStandardScaler

TINY = dict(cell="gru", max_epochs=3, hidden_size=4, random_state=0)


@pytest.fixture(scope="module")
def data():
    rng = np.random.RandomState(0)
    y = np.repeat([0, 1], 12)
    X = rng.normal(2.0, 3.0, size=(24, 7, 3))
    X[:, :3] += np.where(y == 1, 2.0, -2.0)[:, None, None]
    X[-2:, 5:] = np.nan  # shorter sequences
    return X, y


@pytest.fixture(scope="module")
def fitted(data):
    return RNNClassifier(**TINY).fit(*data)


def test_frozen_classifier_explains_as_the_classifier(data, fitted):
    X, y = data
    expected = SaliencyExplainer(fitted).transform(X, y)
    for wrapped in (FrozenEstimator(fitted), FrozenEstimator(FrozenEstimator(fitted))):
        explainer = SaliencyExplainer(wrapped).fit(X, y)
        np.testing.assert_array_equal(explainer.transform(X, y), expected)
        np.testing.assert_array_equal(explainer.classes_, fitted.classes_)
    # prefit=False clones the wrapper, which stays the fitted classifier.
    refit = SaliencyExplainer(FrozenEstimator(fitted), prefit=False).fit(X, y)
    np.testing.assert_array_equal(refit.transform(X, y), expected)


def test_frozen_pipeline_applies_its_preprocessing(data):
    X, y = data
    model = make_pipeline(TimeSeriesStandardScaler(mode="per_channel"), RNNClassifier(**TINY)).fit(X, y)
    expected = SaliencyExplainer(model).transform(X, y)
    np.testing.assert_array_equal(SaliencyExplainer(FrozenEstimator(model)).transform(X, y), expected)
    scaled = model[0].transform(X)
    np.testing.assert_array_equal(SaliencyExplainer(model[-1]).transform(scaled, y), expected)
    # A frozen last step of a Pipeline is unwrapped as well.
    frozen_step = make_pipeline(model[0], FrozenEstimator(model[-1]))
    np.testing.assert_array_equal(SaliencyExplainer(frozen_step).transform(X, y), expected)


def test_calibrated_classifier_is_refused_with_what_to_explain(data, fitted):
    X, y = data
    calibrated = CalibratedClassifierCV(FrozenEstimator(fitted), cv=2).fit(X, y)
    message = r"cannot be explained as one network.*calibrated_classifiers_\[i\]\.estimator"
    with pytest.raises(TypeError, match=message):
        SaliencyExplainer(calibrated).transform(X, y)
    with pytest.raises(TypeError, match=message):
        SaliencyExplainer(make_pipeline(TimeSeriesStandardScaler(), calibrated)).fit(X, y)
    with pytest.raises(TypeError, match=message):
        SaliencyExplainer(CalibratedClassifierCV(RNNClassifier(**TINY), cv=2), prefit=False).fit(X, y)
    # What the message advises works, and is the frozen classifier's map.
    inner = calibrated.calibrated_classifiers_[0].estimator
    np.testing.assert_array_equal(
        SaliencyExplainer(inner).transform(X, y), SaliencyExplainer(fitted).transform(X, y)
    )


def test_fit_transform_passes_fit_params_to_the_estimator(data):
    X, y = data
    weights = np.where(y == 1, 4.0, 1.0)
    explainer = SaliencyExplainer(RNNClassifier(**TINY), prefit=False)
    maps = explainer.fit_transform(X, y, sample_weight=weights)
    weighted = RNNClassifier(**TINY).fit(X, y, sample_weight=weights)
    np.testing.assert_array_equal(
        explainer.estimator_.predict_proba(X), weighted.predict_proba(X)
    )
    np.testing.assert_array_equal(maps, SaliencyExplainer(weighted).transform(X, y))
    assert not np.array_equal(
        explainer.estimator_.predict_proba(X), RNNClassifier(**TINY).fit(X, y).predict_proba(X)
    )
    # As a Pipeline step, with the step's name as prefix.
    pipe = make_pipeline(SaliencyExplainer(RNNClassifier(**TINY), prefit=False))
    np.testing.assert_array_equal(pipe.fit_transform(X, y, saliencyexplainer__sample_weight=weights), maps)
    # A prefit explainer fits nothing: the parameters are ignored.
    prefit_maps = SaliencyExplainer(weighted).fit_transform(X, y, sample_weight=weights)
    np.testing.assert_array_equal(prefit_maps, maps)


def test_fit_params_are_routed_with_metadata_routing(data):
    X, y = data
    weights = np.where(y == 1, 4.0, 1.0)
    weighted = RNNClassifier(**TINY).fit(X, y, sample_weight=weights)
    with sklearn.config_context(enable_metadata_routing=True):
        requested = RNNClassifier(**TINY).set_fit_request(sample_weight=True)
        explainer = SaliencyExplainer(requested, prefit=False)
        maps = explainer.fit_transform(X, y, sample_weight=weights)
        np.testing.assert_array_equal(explainer.estimator_.predict_proba(X), weighted.predict_proba(X))
        # ... also as a Pipeline step.
        pipe = make_pipeline(SaliencyExplainer(requested, prefit=False))
        np.testing.assert_array_equal(pipe.fit_transform(X, y, sample_weight=weights), maps)
        with pytest.raises(ValueError, match="sample_weight"):  # not requested: refused
            SaliencyExplainer(RNNClassifier(**TINY), prefit=False).fit(X, y, sample_weight=weights)
