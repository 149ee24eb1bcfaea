"""Saliency maps of recurrent classifiers: :class:`SaliencyExplainer`.

The explainer is a scikit-learn transformer: ``transform(X)`` returns one
(time step x feature) map per sample.
"""

import warnings
from types import MappingProxyType
from contextlib import nullcontext
from numbers import Integral, Real

import numpy as np
import torch
from sklearn import get_config
from sklearn.base import BaseEstimator, TransformerMixin, _fit_context, clone
from sklearn.exceptions import NotFittedError
from sklearn.pipeline import Pipeline
from sklearn.utils import check_random_state
from sklearn.utils._param_validation import Interval, StrOptions
from sklearn.utils.metadata_routing import MetadataRouter, MethodMapping, process_routing

from ..utils._random import seeded_generator, seeded_global_state
from ..utils._sequences import TIME_MAJOR, from_time_major, unpad
from ..utils._torch import DTYPES, no_cudnn, torch_threads
from ._attribution import (
    DEEPLIFT_WARNING,
    ScoreModule,
    absolute,
    check_method_params,
    deeplift_degrades,
    make_attribution,
    random_baselines,
    samples_per_call,
)
from ._method_table import METHODS, N_RANDOM_BASELINES, OUTPUTS
from ._targets import check_fitted_classifier, classifier_of, target_indices, unfrozen
from ._tsr import temporal_saliency_rescaling

__all__ = ["EXPLANATION_EXPLAINER_PARAMS", "SaliencyExplainer"]

EXPLANATION_EXPLAINER_PARAMS = MappingProxyType(
    {"method": "evidence_gated_gradient", "output": "logit", "absolute": True}
)
"""The explainer setting recommended for explanation studies.

Evidence-gated gradient of the target logit, chosen with
:data:`~ica_sklearn.classifier.EXPLANATION_PARAMS` by the localisation study
(``benchmarks/study_localization.py``); see
:meth:`SaliencyExplainer.for_explanation`.
"""

_TSR_DEFAULTS = {"threshold": 0.55, "mask_value": 0.0, "constant": 0.1}


class SaliencyExplainer(TransformerMixin, BaseEstimator):
    """Time-by-feature saliency maps of a recurrent classifier.

    ``transform(X)`` returns, for every sample, a map of shape
    (n_timesteps, n_features) saying how much each input cell drove the
    classifier's output for the explained class.  The default is the
    paper's (Ismail et al., 2019): the absolute gradient of the softmax
    probability of the target class, computed for whole batches at once.

    Parameters
    ----------
    estimator : RNNClassifier or Pipeline ending in one
        The model to explain.  For a Pipeline, the maps are with respect to
        the *classifier's input*, i.e. the output of the preceding steps
        (e.g. standardised values), and have that shape.  Either may be
        wrapped in scikit-learn's ``FrozenEstimator``, which is unwrapped.
        A ``CalibratedClassifierCV`` is refused: it averages several
        calibrated networks, so explain one of its
        ``calibrated_classifiers_[i].estimator`` or the uncalibrated model.
    method : str, default="gradient"
        "gradient" (plain torch; the paper's), "evidence_gated_gradient"
        (``relu(sum_f x g) * |g|`` per step and feature: the evidence each
        time step carries toward the explained class times the sensitivity
        to each of its cells; see the user guide), or a Captum method:
        "integrated_gradients",
        "input_x_gradient", "smoothgrad", "gradient_shap", "deeplift",
        "deeplift_shap", "occlusion", "feature_ablation", "shapley_sampling",
        "feature_permutation"; or a model-free baseline that every
        explanation should beat: "random" (uniform noise, seeded by
        ``random_state``) or "input" (the input; ``|X|`` with
        ``absolute=True``).  Note: on torch's recurrent layers Captum's
        DeepLift equals gradient x (input - baseline); a warning says so.
    target : "auto" or class label, default="auto"
        Class explained.  "auto": the true label when ``y`` is passed to
        ``transform`` (the paper), else the predicted class.  A label of
        ``classes_`` explains that class for every sample.
    output : {"probability", "logit", "log_probability"}, default="probability"
        Model output that is differentiated / attributed.
    absolute : bool, default=True
        Return absolute values (False keeps the sign).
    method_params : dict or None, default=None
        Keyword arguments for the Captum method's ``attribute`` (e.g.
        ``{"n_steps": 50}``, ``{"baselines": ...}``, ``{"sliding_window_shapes":
        (1, 3)}``).  Defaults: smoothgrad 10 samples with noise sd 0.15;
        gradient_shap and deeplift_shap 10 standard-normal baselines;
        occlusion windows of one cell.
    tsr : bool, default=False
        Apply Temporal Saliency Rescaling on top of the method (Ismail et al.,
        2020).  It costs about ``1 + T + (1 - threshold) T F`` attributions per
        sample (batched, see ``batch_size``).  The result is non-negative.
        Not with "feature_permutation", which compares samples rather than
        masked copies of one sample.
    tsr_params : dict or None, default=None
        ``threshold`` (quantile in [0, 1], 0.55), ``mask_value`` (a finite
        number, 0.0) and ``constant`` (a finite number >= 0, 0.1) of TSR.
    prefit : bool, default=True
        True: ``estimator`` is already fitted and used as is (``fit`` only
        checks it; ``transform`` works without ``fit``).  False: ``fit``
        trains a clone, stored as ``estimator_`` (needed with ``clone``, grid
        searches and as a Pipeline step).
    batch_size : int, default=64
        Copies of the input that go through the network at once (samples,
        masked copies of TSR, interpolation steps, perturbations): bounds
        memory.
    random_state : int, RandomState or None, default=None
        Seeds the stochastic methods (smoothgrad, gradient_shap,
        shapley_sampling, feature_permutation) and the default random
        baselines (gradient_shap, deeplift_shap).
    verbose : int, default=0
        > 0 shows a progress bar.

    Attributes
    ----------
    estimator_ : estimator
        The explained (fitted) estimator, set by ``fit``.
    classes_ : ndarray
        The classifier's class labels.

    See Also
    --------
    time_importance, feature_importance : reduce maps to one axis.

    Notes
    -----
    Every deterministic method (all but smoothgrad, gradient_shap,
    shapley_sampling and feature_permutation) gives a sample the map it gets
    alone, in any batch and at any ``batch_size``; deeplift and
    deeplift_shap with ``output="probability"`` therefore attribute one
    sample per call (Captum's softmax rule mixes the samples of a call).
    Stochastic methods draw per call: the same ``random_state``, samples and
    ``batch_size`` give the same maps.  "feature_permutation" permutes each
    feature across all samples of one ``transform`` call, so a sample's map
    depends on the others, and it needs at least two.

    Deterministic methods never touch torch's or NumPy's global random
    generators (so explanations can run in threads); stochastic methods run
    Captum's draws on seeded copies of them, one explanation at a time.

    The maps are in the classifier's ``input_layout``: (n_samples,
    n_channels, n_timesteps) for "samples_channels_time".  The functions that
    reduce or score maps (:func:`time_importance`, the box metrics) read
    (n_samples, n_timesteps, n_features); pass them
    ``maps.transpose(0, 2, 1)`` in that case.

    Saliency is computed with the classifier's ``torch_num_threads`` (torch's
    setting is restored afterwards).  Padded steps of ragged or NaN-padded
    input get NaN.  On a GPU cuDNN is
    disabled during the backward passes (cuDNN RNNs have no backward in
    eval mode); the model is never switched to train mode, so dropout stays
    off.  ``fit_transform(X, y)`` explains the true labels ``y``.

    Examples
    --------
    >>> import numpy as np
    >>> from ica_sklearn import RNNClassifier
    >>> from ica_sklearn.explain import SaliencyExplainer, time_importance
    >>> rng = np.random.RandomState(0)
    >>> X, y = rng.normal(size=(20, 8, 3)).astype("float32"), np.repeat([0, 1], 10)
    >>> clf = RNNClassifier(max_epochs=2, hidden_size=4, attention_hops=3,
    ...                     attention_dim=4, random_state=0).fit(X, y)
    >>> maps = SaliencyExplainer(clf).transform(X, y)
    >>> maps.shape
    (20, 8, 3)
    >>> time_importance(maps).shape
    (20, 8)
    """

    _parameter_constraints = {
        "estimator": [object],
        "method": [StrOptions(set(METHODS))],
        "target": "no_validation",
        "output": [StrOptions(set(OUTPUTS))],
        "absolute": ["boolean"],
        "method_params": [dict, None],
        "tsr": ["boolean"],
        "tsr_params": [dict, None],
        "prefit": ["boolean"],
        "batch_size": [Interval(Integral, 1, None, closed="left")],
        "random_state": ["random_state"],
        "verbose": ["verbose"],
    }

    def __init__(
        self,
        estimator,
        method="gradient",
        *,
        target="auto",
        output="probability",
        absolute=True,
        method_params=None,
        tsr=False,
        tsr_params=None,
        prefit=True,
        batch_size=64,
        random_state=None,
        verbose=0,
    ):
        self.estimator = estimator
        self.method = method
        self.target = target
        self.output = output
        self.absolute = absolute
        self.method_params = method_params
        self.tsr = tsr
        self.tsr_params = tsr_params
        self.prefit = prefit
        self.batch_size = batch_size
        self.random_state = random_state
        self.verbose = verbose

    # ------------------------------------------------------------------ fit
    @classmethod
    def for_explanation(cls, estimator, **overrides):
        """An explainer with the recommended setting (:data:`EXPLANATION_EXPLAINER_PARAMS`).

        The evidence-gated gradient of the target class' logit.  Used with a
        classifier from :meth:`RNNClassifier.for_explanation
        <ica_sklearn.RNNClassifier.for_explanation>`, its maps localise the
        informative cells per sample on the paper's box data; the user guide
        page "What saliency can and cannot tell you" has the numbers, the
        baselines and where it still fails.

        Parameters
        ----------
        estimator : RNNClassifier or Pipeline ending in one
        **overrides
            Further constructor parameters (e.g. ``batch_size``), applied last.

        Returns
        -------
        explainer : SaliencyExplainer

        Examples
        --------
        >>> from ica_sklearn import RNNClassifier, SaliencyExplainer
        >>> explainer = SaliencyExplainer.for_explanation(RNNClassifier(), batch_size=32)
        >>> explainer.method, explainer.output, explainer.batch_size
        ('evidence_gated_gradient', 'logit', 32)
        """
        return cls(estimator, **{**EXPLANATION_EXPLAINER_PARAMS, **overrides})

    @_fit_context(prefer_skip_nested_validation=False)
    def fit(self, X, y=None, **fit_params):
        """Fit a clone of the estimator (``prefit=False``) or check it.

        Parameters
        ----------
        X : array-like of shape (n_samples, n_timesteps, n_features) or list
        y : array-like of shape (n_samples,)
            Needed when ``prefit=False``.
        **fit_params : dict
            With ``prefit=False``, passed to the estimator's ``fit`` (e.g.
            ``sample_weight``, or ``<step>__<param>`` for a Pipeline).  With
            scikit-learn's metadata routing enabled, the metadata the
            estimator requests (``set_fit_request``) are routed to it
            instead.  With ``prefit=True`` nothing is fitted and they are
            ignored, as scikit-learn's ``FrozenEstimator`` ignores them.

        Returns
        -------
        self : SaliencyExplainer
        """
        if self.prefit:
            check_fitted_classifier(self.estimator)
            self.estimator_ = self.estimator
        else:
            if get_config()["enable_metadata_routing"]:
                fit_params = process_routing(self, "fit", **fit_params).estimator.fit
            self.estimator_ = clone(self.estimator).fit(X, y, **fit_params)
            check_fitted_classifier(self.estimator_)
        self.classes_ = classifier_of(self.estimator_).classes_
        return self

    def fit_transform(self, X, y=None, **fit_params):
        """Fit (passing ``fit_params`` on as :meth:`fit` does), then explain
        ``X`` (for the true labels ``y`` when given)."""
        return self.fit(X, y, **fit_params).transform(X, y)

    def get_metadata_routing(self):
        """How metadata reach the explained estimator: ``fit``'s (and
        ``fit_transform``'s) go to its ``fit`` (scikit-learn's metadata
        routing).

        Returns
        -------
        routing : sklearn.utils.metadata_routing.MetadataRouter
        """
        return MetadataRouter(owner=type(self).__name__).add(
            estimator=self.estimator,
            method_mapping=MethodMapping()
            .add(caller="fit", callee="fit")
            .add(caller="fit_transform", callee="fit"),
        )

    # ------------------------------------------------------------ transform
    def transform(self, X, y=None):
        """Saliency maps of ``X``.

        Parameters
        ----------
        X : array-like of shape (n_samples, n_timesteps, n_features) or \
(n_samples, n_timesteps), or list of (n_timesteps_i, n_features) arrays
            Same layouts as the classifier accepts.
        y : array-like of shape (n_samples,), optional
            True labels; with ``target="auto"`` their class is explained.

        Returns
        -------
        maps : ndarray of shape (n_samples, n_timesteps, n_features)
            In the classifier's dtype; NaN at padded steps.  For a classifier
            with ``input_layout="samples_channels_time"``, (n_samples,
            n_channels, n_timesteps), like its input (ragged lists as a
            NaN-padded array).
        """
        self._validate_params()
        self._check_method_arguments()
        estimator = unfrozen(self._explained_estimator())
        classifier = classifier_of(estimator)
        if isinstance(estimator, Pipeline):
            X = estimator[:-1].transform(X)
        values, lengths = classifier._validate_sequences(X, reset=False)
        with torch_threads(classifier.torch_num_threads):
            targets = target_indices(classifier, self.target, values, lengths, y,
                                     batch_size=self.batch_size)
            module = classifier.module_.eval()
            if self.method in ("deeplift", "deeplift_shap") and deeplift_degrades(module):
                warnings.warn(DEEPLIFT_WARNING.format(method=self.method), UserWarning)
            maps = self._attribute_all(classifier, ScoreModule(module, self.output).eval(),
                                       values, lengths, targets)
        return from_time_major(
            unpad(maps, lengths), getattr(classifier, "input_layout", TIME_MAJOR)
        )

    # --------------------------------------------------------------- helpers
    def _check_method_arguments(self):
        """Check ``target``, ``method_params`` and ``tsr_params`` beyond their types."""
        if not (isinstance(self.target, str) and self.target == "auto") and np.ndim(self.target):
            raise ValueError(
                f"target must be 'auto' or one class label; got an array of shape "
                f"{np.shape(self.target)}. To explain a class per sample, pass the labels "
                "as y to transform (with target='auto')."
            )
        check_method_params(self.method, self.method_params)
        if self.tsr and METHODS[self.method].population:
            raise ValueError(
                f"tsr=True does not work with method={self.method!r}, which compares "
                "samples with each other rather than masked copies of one sample."
            )
        if self.tsr and METHODS[self.method].model_free:
            raise ValueError(
                f"tsr=True does not work with method={self.method!r}, a baseline that "
                "never looks at the model; rescaling it would not change what it shows."
            )
        self._tsr_params()

    def _tsr_params(self):
        """``tsr_params`` over the defaults, checked."""
        params = {**_TSR_DEFAULTS, **(self.tsr_params or {})}
        unknown = set(params) - set(_TSR_DEFAULTS)
        if unknown:
            raise ValueError(
                f"Unknown tsr_params {sorted(unknown)}; allowed: {sorted(_TSR_DEFAULTS)}."
            )
        ranges = {"threshold": (0.0, 1.0), "constant": (0.0, np.inf), "mask_value": (-np.inf, np.inf)}
        for name, (low, high) in ranges.items():
            value = params[name]
            if (not isinstance(value, Real) or isinstance(value, bool) or not np.isfinite(value)
                    or not low <= value <= high):
                raise ValueError(
                    f"tsr_params[{name!r}] must be a finite number in [{low}, {high}]; "
                    f"got {value!r}."
                )
        return params

    def _explained_estimator(self):
        if hasattr(self, "estimator_"):
            return self.estimator_
        if not self.prefit:
            raise NotFittedError(
                f"This {type(self).__name__} instance is not fitted yet (prefit=False). "
                "Call 'fit' with appropriate arguments before using this explainer."
            )
        check_fitted_classifier(self.estimator)
        return self.estimator

    def _attribute_all(self, classifier, score_module, values, lengths, targets):
        device, dtype = classifier.device_, DTYPES[classifier.dtype][1]
        spec = METHODS[self.method]
        seed = int(check_random_state(self.random_state).randint(np.iinfo(np.int32).max))
        if spec.model_free:  # drawn for all samples at once: independent of batching
            if spec.name == "random":
                maps = np.random.default_rng(seed).random(values.shape, dtype=np.float64)
            else:
                maps = np.abs(values) if self.absolute else values.copy()
            return maps.astype(values.dtype, copy=False)
        params = dict(self.method_params or {})
        if spec.random_baselines and "baselines" not in params:
            # Once for all samples, from a private generator.
            params["baselines"] = random_baselines(
                N_RANDOM_BASELINES, values.shape[1], values.shape[2],
                generator=seeded_generator(seed), dtype=dtype, device=device,
            )
        attribute = make_attribution(
            self.method, score_module, method_params=params, batch_size=self.batch_size,
        )
        if self.absolute:
            attribute = absolute(attribute)
        chunk = samples_per_call(self.method, self.method_params, self.batch_size, len(values))
        # TSR stacks masked copies of a group of samples; keep a group small.
        group = self.batch_size if self.tsr else chunk
        maps = np.empty(values.shape, dtype=values.dtype)
        bar = _progress_bar(self.verbose, 0 if self.tsr else len(values))
        # Captum's stochastic methods draw from torch's and NumPy's global generators.
        draws = seeded_global_state(seed, device, numpy_too=True) if spec.stochastic else nullcontext()
        with draws, no_cudnn(device):
            for start in range(0, len(values), group):
                part = slice(start, start + group)
                X = torch.as_tensor(values[part], dtype=dtype, device=device)
                L = torch.as_tensor(lengths[part], device=device)
                T = torch.as_tensor(targets[part], device=device)
                maps[part] = self._attribute_group(attribute, X, L, T, chunk, bar)
        if bar is not None:
            bar.close()
        return maps

    def _attribute_group(self, attribute, X, lengths, targets, chunk, bar):
        if self.tsr:
            return temporal_saliency_rescaling(
                attribute, X, lengths, targets, batch_size=chunk, progress=bar,
                **self._tsr_params(),
            )
        result = attribute(X, lengths, targets).cpu().numpy()
        if bar is not None:
            bar.update(len(X))
        return result

    def __sklearn_tags__(self):
        tags = super().__sklearn_tags__()
        tags.input_tags.three_d_array = True
        tags.non_deterministic = True
        return tags


def _progress_bar(verbose, total):
    if not verbose:
        return None
    from tqdm.auto import tqdm

    return tqdm(total=total, desc="saliency", unit="copy")
