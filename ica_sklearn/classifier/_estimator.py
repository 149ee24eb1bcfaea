"""The scikit-learn estimator: :class:`RNNClassifier`.

It keeps its own hyper-parameters and builds a skorch net in
:meth:`RNNClassifier.fit` (composition rather than inheritance, so that
scikit-learn's estimator contract holds).  The net is built and trained in
:mod:`._net`, its stop rules live in :mod:`._callbacks`, and save/load and
checkpoints in :mod:`._persistence` and :mod:`._checkpoint`.
"""

import copy
import inspect
import os
import warnings
from numbers import Integral, Real

import numpy as np
import torch
from sklearn.base import BaseEstimator, ClassifierMixin, _fit_context
from sklearn.preprocessing import LabelEncoder
from sklearn.utils import check_random_state
from sklearn.utils._param_validation import Interval, InvalidParameterError, StrOptions
from sklearn.utils.multiclass import check_classification_targets
from sklearn.utils.validation import check_consistent_length, check_is_fitted, column_or_1d

from ..nn._cells import CELL_TYPES, POOLINGS
from ..utils._sequences import (
    INPUT_LAYOUTS,
    TIME_MAJOR,
    split_padding,
    to_time_major,
    validate_sequences,
)
from ..utils._torch import DTYPES, resolve_device, torch_threads
from . import _presets
from ._checkpoint import TrainingCheckpoint, fit_fingerprint
from ._net import (
    OPTIMIZERS,
    build_net,
    continuation_seed,
    continue_training,
    net_inputs,
    train_net,
    update_for_continuation,
)
from ._persistence import load_classifier, save_classifier
from ._weights import check_sample_weight, rescaled, training_weights

__all__ = ["RNNClassifier"]


def _check_optimizer_params(owner, optimizer, optimizer_params):
    """Reject ``optimizer_params`` names the optimizer's constructor does not take."""
    if not optimizer_params:
        return
    optimizer_class = OPTIMIZERS.get(optimizer, optimizer)
    accepted = inspect.signature(optimizer_class).parameters
    takes_any = any(p.kind is inspect.Parameter.VAR_KEYWORD for p in accepted.values())
    for name in optimizer_params:
        if name in ("params", "lr"):
            raise InvalidParameterError(
                f"The 'optimizer_params' parameter of {owner} cannot set {name!r}: "
                + ("use the 'lr' parameter instead." if name == "lr" else "the model's weights are passed by fit.")
            )
        if not isinstance(name, str) or (name not in accepted and not takes_any):
            raise InvalidParameterError(
                f"The 'optimizer_params' parameter of {owner} names {name!r}, which "
                f"{optimizer_class.__name__} does not accept. It accepts: "
                f"{sorted(set(accepted) - {'params', 'lr'})}."
            )


def _check_parameter_values(estimator):
    """What ``_parameter_constraints`` cannot say: no bools for numbers, an
    optimizer class must be a torch optimizer, class weights must be
    non-negative numbers, callbacks must be skorch's.

    Raises scikit-learn's ``InvalidParameterError`` (a ``ValueError`` and a
    ``TypeError``), like the constraints.
    """
    from skorch.callbacks import Callback

    owner = type(estimator).__name__
    params = estimator.get_params(deep=False)
    for name, constraints in estimator._parameter_constraints.items():
        numeric = any(isinstance(c, Interval) for c in constraints) and "boolean" not in constraints
        if numeric and isinstance(params.get(name), (bool, np.bool_)):
            raise InvalidParameterError(
                f"The {name!r} parameter of {owner} must be a number, not a bool. "
                f"Got {params[name]!r} instead."
            )
    optimizer = params.get("optimizer")
    if isinstance(optimizer, type) and not issubclass(optimizer, torch.optim.Optimizer):
        raise InvalidParameterError(
            f"The 'optimizer' parameter of {owner} must be one of {sorted(OPTIMIZERS)} or a "
            f"subclass of torch.optim.Optimizer. Got {optimizer!r} instead."
        )
    _check_optimizer_params(owner, optimizer, params.get("optimizer_params"))
    class_weight = params.get("class_weight")
    for label, weight in class_weight.items() if isinstance(class_weight, dict) else ():
        if isinstance(weight, (bool, np.bool_)) or not isinstance(weight, Real) or not (
            np.isfinite(weight) and weight >= 0
        ):
            raise InvalidParameterError(
                f"The 'class_weight' parameter of {owner} must map class labels to "
                f"non-negative finite numbers; the weight of {label!r} is {weight!r}."
            )
    for index, item in enumerate(params.get("callbacks") or []):
        callback = item[1] if isinstance(item, tuple) and len(item) == 2 and isinstance(item[0], str) else item
        is_callback = isinstance(callback, Callback) or (
            isinstance(callback, type) and issubclass(callback, Callback)
        )
        if not is_callback:
            raise InvalidParameterError(
                f"The 'callbacks' parameter of {owner} must be a list of skorch callbacks "
                "(instances of skorch.callbacks.Callback, or (name, callback) pairs). "
                f"Item {index} is {item!r}."
            )


def _refuse_missing_labels(y):
    """None or NaN among labels of mixed types would become a class (or fail
    to sort); name their positions instead."""
    # (a list is read as objects: numpy would turn NaN among strings into 'nan')
    values = np.asarray(y, dtype=object if isinstance(y, (list, tuple)) else None)
    if values.dtype != object:
        return  # numeric NaN gets scikit-learn's own message
    missing = [
        i for i, v in enumerate(values.ravel())
        if v is None or (isinstance(v, (float, np.floating)) and v != v)
    ]
    if missing:
        raise ValueError(
            f"y has missing labels (None or NaN) at position(s) {missing[:10]}. Drop those "
            "samples, or give them a class of their own (e.g. the string 'unknown')."
        )


def _check_labels(y, n_samples, owner):
    """``y`` as a 1D array of classification labels, one per sample."""
    if y is None:
        raise ValueError(f"{owner} requires y to be passed, but the target y is None.")
    _refuse_missing_labels(y)
    y = column_or_1d(y, warn=True)
    check_consistent_length(np.empty(n_samples), y)
    check_classification_targets(y)
    return y


def _encode_targets(y, n_samples, owner):
    """Check ``y`` (one label per sample, at least 2 classes) and encode it.

    Parameters
    ----------
    y : array-like of shape (n_samples,) or None
    n_samples : int
        Samples in ``X``.
    owner : str
        Estimator name, for the error messages.

    Returns
    -------
    classes : ndarray of shape (n_classes,)
        The sorted original labels.
    codes : ndarray of shape (n_samples,), int64
        Index of each label in ``classes``.
    """
    encoder = LabelEncoder().fit(_check_labels(y, n_samples, owner))
    if len(encoder.classes_) < 2:
        raise ValueError(
            f"y contains only 1 class ({encoder.classes_[0]!r}); a classifier "
            "needs samples of at least 2 classes."
        )
    return encoder.classes_, encoder.transform(y).astype(np.int64)


def _partial_fit_classes(classes, owner):
    """The sorted labels of ``partial_fit``'s ``classes`` (at least 2)."""
    _refuse_missing_labels(classes)
    classes = np.unique(column_or_1d(classes))
    if len(classes) < 2:
        raise ValueError(
            f"classes={classes.tolist()} names fewer than 2 classes; pass every class "
            f"{owner} is to predict (e.g. classes=np.unique(y_all)) on the first call "
            "to partial_fit."
        )
    return classes


def _codes_of(labels, classes):
    """Index of each of ``labels`` in ``classes``; unknown labels raise."""
    index = {label: code for code, label in enumerate(classes.tolist())}
    unknown = sorted({label for label in labels.tolist() if label not in index}, key=repr)
    if unknown:
        raise ValueError(
            f"y has label(s) {unknown[:10]} that are not among the classes "
            f"{classes.tolist()} given on the first call to partial_fit. Pass every class "
            "on the first call (classes=...), or fit a new classifier."
        )
    return np.array([index[label] for label in labels.tolist()], dtype=np.int64)


class RNNClassifier(ClassifierMixin, BaseEstimator):
    """Recurrent classifier for multivariate time series, with a selectable cell.

    Wraps a :class:`~ica_sklearn.nn.RecurrentClassifierModule` trained with
    skorch.  The defaults are those of Ismail et al. (2019): one layer of 5
    hidden units, input-cell attention with 20 hops of dimension 50, dropout
    0.1, Adam with learning rate 1e-3, batches of 50, up to 400 epochs,
    stopping once the training accuracy reaches 100 %.

    Parameters
    ----------
    cell : str, default="ica_lstm"
        One of "lstm", "gru", "rnn", "bilstm", "lstm_self_attention",
        "ica_lstm", "ica_gru", "ica_rnn" ("ica" = input-cell attention),
        "tcn" (temporal convolutional network), "transformer" (causal
        attention) and "transformer_full" (full attention); see
        :data:`~ica_sklearn.nn.CELLS`.
    hidden_size : int, default=5
        Hidden units of the recurrent layer (channels of a TCN, ``d_model``
        of a transformer).
    num_layers : int, default=1
        Stacked recurrent or transformer layers; for "tcn", stacks of six
        residual blocks (dilations 1 to 32; the output at a step sees the
        ``1 + 252 * num_layers`` steps up to it).
    attention_hops : int, default=20
        Hops ``r`` of the input-cell (or self-) attention.
    attention_dim : int, default=50
        Size ``d_a`` of the attention's scoring layer.
    dropout : float, default=0.1
        Dropout on the inputs (before any attention, as in the paper's code)
        and on the recurrent layer's output.
    pooling : {"last", "mean", "max"}, default="last"
        How the recurrent outputs are reduced over time: the output at the
        last valid step (the paper), or mean / max over the valid steps.
        Unused by "lstm_self_attention", which pools with its attention.
    max_epochs : int, default=400
        Upper bound on training epochs.
    batch_size : int, default=50
    lr : float, default=1e-3
        Learning rate.
    optimizer : {"adam", "adamw", "sgd", "rmsprop"} or torch optimizer class, default="adam"
        "adam" and "adamw" use torch's fused implementation (``fused=True``:
        the same update in one kernel for all parameters).  A class is used
        with its own defaults.
    optimizer_params : dict or None, default=None
        Further keyword arguments of the optimizer, e.g.
        ``{"weight_decay": 1e-2}`` for an L2 penalty in Adam, or
        ``{"momentum": 0.9}`` for SGD.  Names the optimizer does not accept,
        and ``lr`` (a parameter of its own), are rejected when fitting.
    stop_at_perfect_train_accuracy : bool, default=True
        Stop once the model classifies every training sample correctly (the
        paper's rule), judged on the whole training set in eval mode every 3
        training batches (as the paper's code) and after each epoch; the
        whole-set pass runs only when the batch just trained on and the
        samples the previous pass got wrong are all classified correctly, so
        the rule stays cheap, even on large training sets that never reach
        100 %.  Checking draws no random numbers: until it fires, training
        goes exactly as with the rule off.  Stopping this early
        matters for explanations: on the paper's box data ica_lstm's saliency
        overlaps the box less the longer it trains, while test accuracy stays
        at 100 %.  When False, ``train_acc`` is counted on the batches.
    validation_fraction : float or None, default=None
        Fraction of the training data held out (stratified) to monitor
        ``valid_loss``.  When set, training also stops early after
        ``n_iter_no_change`` epochs without improvement, and the best weights
        are restored.  None trains on all data.
    n_iter_no_change : int, default=10
        Patience of early stopping (used with ``validation_fraction``).
    class_weight : None, "balanced" or dict, default=None
        Weights of the classes in the loss, scikit-learn's convention: a dict
        maps labels of ``y`` to weights (1 for classes it leaves out);
        "balanced" weighs each class by ``n_samples / (n_classes *
        class_count)``, counted with the ``sample_weight`` of ``fit``.  They
        multiply ``sample_weight``.  The loss is then the weighted mean of the
        per-sample cross-entropies; the weights also apply to ``valid_loss``
        (early stopping), while ``train_acc`` and the stop rule count every
        sample with a positive weight alike (100 % is 100 % whatever the
        weights).  Samples of weight 0 are left out of training.
    warm_start : bool, default=False
        When True and the classifier is fitted, ``fit`` continues training the
        fitted network (its weights, optimizer state and history) for
        ``max_epochs`` more epochs, instead of training a new one.  The data
        must have the classes and the features per time step of the first
        fit (else a ``ValueError``), and the parameters that shape the
        network or pick the optimizer (``cell``, the sizes, ``dropout``,
        ``pooling``, ``dtype``, ``optimizer``, ``optimizer_params``) must be
        unchanged; the training settings (``lr``, ``batch_size``, the stop
        rule, ``validation_fraction``, ``class_weight``, ``callbacks``,
        ``verbose``) are the current ones.  The stop rule applies within each
        fit: a model already at 100 % training accuracy stops in the first
        epoch of the next.  ``checkpoint_dir`` is not used by a continued
        fit.  See also :meth:`partial_fit`.
    callbacks : list of skorch callbacks or None, default=None
        Extra callbacks (learning-rate schedules, checkpoints, ...).
    device : str, default="auto"
        Torch device; "auto" picks "cuda" when available.
    dtype : {"float32", "float64"}, default="float32"
        Precision of the weights and computations.
    input_layout : {"samples_time_features", "samples_channels_time"}, \
default="samples_time_features"
        How ``fit``, ``predict`` and :class:`~ica_sklearn.SaliencyExplainer`
        read a 3D ``X``, and the sequences of a list:
        "samples_time_features" is ``(n_samples, n_timesteps, n_features)``
        (torch's ``batch_first``, tslearn, the paper);
        "samples_channels_time" is ``(n_samples, n_channels, n_timesteps)``,
        with lists of ``(n_channels, n_timesteps_i)`` arrays for unequal
        lengths: the numpy layout of aeon and sktime.  The array's shape
        alone cannot tell them apart, so say which one yours is.  2D input
        (univariate series) reads the same in both.  Saliency maps come back
        in the same layout as ``X``.
    random_state : int, RandomState instance or None, default=None
        Seeds weight initialisation, shuffling and dropout; the same value
        gives identical predictions.  The fit draws from a private torch
        generator, never from torch's global one, so seeded fits in threads
        give the results of serial fits.
    verbose : int, default=0
        0 is silent; 1 or more prints a table per epoch and a progress bar.
    torch_num_threads : int or None, default=None
        Torch CPU threads used during ``fit`` and prediction (torch's global
        setting is restored afterwards).  None leaves torch's setting alone.
        Set 1 when running many fits in parallel (``GridSearchCV(n_jobs=...)``,
        dask workers) so they do not oversubscribe the cores.
    checkpoint_dir : str, path or None, default=None
        When set, the weights, optimizer state and history are written there
        after every epoch (atomically; a failed write raises), and ``fit``
        *resumes* from this fit's checkpoint when there is one (training only
        the remaining ``max_epochs``).  A checkpoint is named by a
        fingerprint of the hyper-parameters (except ``max_epochs`` and other
        run settings), the data and the classes, so fits of other data or
        parameters (cross-validation folds, grid-search candidates) never
        resume it and can share the folder.  Delete a checkpoint to start
        over.  A resumed fit continues with a fresh shuffling order, so it is
        not bit-identical to an uninterrupted one.  Ctrl-C during ``fit``
        raises ``KeyboardInterrupt`` and keeps the weights trained so far.
        Checkpoints belong to fits from scratch: training continued by
        ``warm_start`` or :meth:`partial_fit` neither resumes nor writes one
        (a warning says so), so a checkpoint always holds the fit its
        fingerprint names.

    Attributes
    ----------
    classes_ : ndarray of shape (n_classes,)
        The original class labels.
    n_features_in_ : int
        Features per time step for 3D or ragged input.  For 2D input (read as
        univariate series) scikit-learn's convention applies: the number of
        columns, i.e. of time steps.
    feature_names_in_ : ndarray of str
        Column names, when fitted on a pandas DataFrame (2D input).
    n_timesteps_in_ : int
        Longest sequence seen during fit.
    n_channels_ : int
        Features per time step seen by the network (1 for 2D input).
    net_ : skorch.NeuralNetClassifier
        The trained network; ``net_.module_`` is the torch module and
        ``net_.history`` the per-epoch log (``train_loss``, ``train_acc``,
        ``valid_loss``).
    n_epochs_ : int
        Epochs actually trained, in all: continued training (``warm_start``,
        :meth:`partial_fit`) adds its epochs, as ``net_.history`` its rows.
    device_ : str
        Device the network was trained on.

    See Also
    --------
    ica_sklearn.nn.RecurrentClassifierModule : the torch module trained here.
    RNNClassifier.save, RNNClassifier.load : portable save/load of the weights.

    Examples
    --------
    >>> import numpy as np
    >>> from ica_sklearn import RNNClassifier
    >>> rng = np.random.RandomState(0)
    >>> y = np.repeat([0, 1], 20)
    >>> X = rng.normal(size=(40, 12, 3)).astype("float32")
    >>> X[:, :4, :] += np.where(y == 1, 1.0, -1.0)[:, None, None]
    >>> clf = RNNClassifier(cell="ica_lstm", max_epochs=30, lr=1e-2, random_state=0)
    >>> clf.fit(X, y).score(X, y)
    1.0
    >>> proba = clf.predict_proba(X[:2])
    >>> proba.shape, proba.dtype
    ((2, 2), dtype('float64'))
    >>> bool(np.allclose(np.exp(clf.predict_log_proba(X[:2])), proba))
    True
    """

    _parameter_constraints = {
        "cell": [StrOptions(set(CELL_TYPES))],
        "hidden_size": [Interval(Integral, 1, None, closed="left")],
        "num_layers": [Interval(Integral, 1, None, closed="left")],
        "attention_hops": [Interval(Integral, 1, None, closed="left")],
        "attention_dim": [Interval(Integral, 1, None, closed="left")],
        "dropout": [Interval(Real, 0, 1, closed="left")],
        "pooling": [StrOptions(set(POOLINGS))],
        "max_epochs": [Interval(Integral, 1, None, closed="left")],
        "batch_size": [Interval(Integral, 1, None, closed="left")],
        "lr": [Interval(Real, 0, None, closed="neither")],
        "optimizer": [StrOptions(set(OPTIMIZERS)), type],
        "optimizer_params": [dict, None],
        "stop_at_perfect_train_accuracy": ["boolean"],
        "validation_fraction": [Interval(Real, 0, 1, closed="neither"), None],
        "n_iter_no_change": [Interval(Integral, 1, None, closed="left")],
        "class_weight": [StrOptions({"balanced"}), dict, None],
        "warm_start": ["boolean"],
        "callbacks": [list, None],
        "device": [str, torch.device],
        "dtype": [StrOptions(set(DTYPES))],
        "input_layout": [StrOptions(set(INPUT_LAYOUTS))],
        "random_state": ["random_state"],
        "verbose": ["verbose"],
        "torch_num_threads": [Interval(Integral, 1, None, closed="left"), None],
        "checkpoint_dir": [str, os.PathLike, None],
    }

    def __init__(
        self,
        cell="ica_lstm",
        *,
        hidden_size=5,
        num_layers=1,
        attention_hops=20,
        attention_dim=50,
        dropout=0.1,
        pooling="last",
        max_epochs=400,
        batch_size=50,
        lr=1e-3,
        optimizer="adam",
        optimizer_params=None,
        stop_at_perfect_train_accuracy=True,
        validation_fraction=None,
        n_iter_no_change=10,
        class_weight=None,
        warm_start=False,
        callbacks=None,
        device="auto",
        dtype="float32",
        input_layout=TIME_MAJOR,
        random_state=None,
        verbose=0,
        torch_num_threads=None,
        checkpoint_dir=None,
    ):
        self.cell = cell
        self.hidden_size = hidden_size
        self.num_layers = num_layers
        self.attention_hops = attention_hops
        self.attention_dim = attention_dim
        self.dropout = dropout
        self.pooling = pooling
        self.max_epochs = max_epochs
        self.batch_size = batch_size
        self.lr = lr
        self.optimizer = optimizer
        self.optimizer_params = optimizer_params
        self.stop_at_perfect_train_accuracy = stop_at_perfect_train_accuracy
        self.validation_fraction = validation_fraction
        self.n_iter_no_change = n_iter_no_change
        self.class_weight = class_weight
        self.warm_start = warm_start
        self.callbacks = callbacks
        self.device = device
        self.dtype = dtype
        self.input_layout = input_layout
        self.random_state = random_state
        self.verbose = verbose
        self.torch_num_threads = torch_num_threads
        self.checkpoint_dir = checkpoint_dir

    @classmethod
    def paper(cls, cell="ica_lstm", **overrides):
        """A classifier with the paper's training protocol (:data:`PAPER_PARAMS`).

        The protocol of Ismail et al. (2019) that ``ica-sklearn reproduce``
        uses for Table 1.

        Parameters
        ----------
        cell : str, default="ica_lstm"
        **overrides
            Further constructor parameters (e.g. ``random_state``), applied last.

        Returns
        -------
        classifier : RNNClassifier

        Examples
        --------
        >>> from ica_sklearn import RNNClassifier
        >>> clf = RNNClassifier.paper("lstm", random_state=0)
        >>> clf.hidden_size, clf.stop_at_perfect_train_accuracy, clf.random_state
        (5, True, 0)
        """
        return cls(cell=cell, **{**_presets.PAPER_PARAMS, **overrides})

    @classmethod
    def for_explanation(cls, **overrides):
        """A classifier with the recommended setting for explanation studies.

        :data:`EXPLANATION_PARAMS`: input-cell attention, 32 hidden units,
        30 epochs without the stop rule, Adam with ``weight_decay=1e-2``.
        Explain it with :meth:`SaliencyExplainer.for_explanation`.  See the
        user guide page "What saliency can and cannot tell you" for the
        numbers behind the choice and where it still fails.

        Parameters
        ----------
        **overrides
            Further constructor parameters, applied last.

        Returns
        -------
        classifier : RNNClassifier

        Examples
        --------
        >>> from ica_sklearn import RNNClassifier
        >>> clf = RNNClassifier.for_explanation(random_state=0)
        >>> clf.cell, clf.hidden_size, clf.max_epochs, clf.optimizer_params
        ('ica_lstm', 32, 30, {'weight_decay': 0.01})
        """
        params = {**_presets.EXPLANATION_PARAMS, **overrides}
        return cls(**copy.deepcopy(params))

    def _validate_params(self):
        super()._validate_params()
        _check_parameter_values(self)

    # ------------------------------------------------------------------ input
    def _validate_sequences(self, X, *, reset):
        """Check X against the fit-time layout; return (values, lengths).

        ``values`` is (n, T, F) in the estimator's dtype with padded steps
        zeroed (whatever ``input_layout``), ``lengths`` the valid steps per
        sample.
        """
        padded, _ = validate_sequences(
            self, to_time_major(X, self.input_layout), reset=reset, dtype=DTYPES[self.dtype][0]
        )
        return split_padding(padded)

    @_fit_context(prefer_skip_nested_validation=True)
    def fit(self, X, y, sample_weight=None):
        """Train the network.

        Parameters
        ----------
        X : array-like of shape (n_samples, n_timesteps, n_features) or \
(n_samples, n_timesteps), or list of (n_timesteps_i, n_features) arrays
            Sequences; shorter ones may be NaN-padded at the end.  With
            ``input_layout="samples_channels_time"``: (n_samples, n_channels,
            n_timesteps), or a list of (n_channels, n_timesteps_i) arrays.
        y : array-like of shape (n_samples,)
            Class labels of any type.
        sample_weight : array-like of shape (n_samples,) or None, default=None
            Non-negative weight of each sample in the loss (multiplied by
            ``class_weight``); the loss is the weighted mean of the per-sample
            cross-entropies, so an integer weight acts as that many copies of
            the sample, and only the ratios of the weights matter.  Samples
            of weight 0 are left out of training (as if removed).  Pass it
            through a ``Pipeline`` or ``GridSearchCV`` with scikit-learn's
            metadata routing (``set_fit_request(sample_weight=True)``).

        Returns
        -------
        self : RNNClassifier
        """
        owner = type(self).__name__
        if self.warm_start and self._is_trained():
            values, lengths = self._validate_continued(X, "warm_start=True")
            classes, targets = _encode_targets(y, len(values), owner)
            if not np.array_equal(classes, self.classes_):
                raise ValueError(
                    "warm_start=True continues training the fitted network, which "
                    f"predicts the classes {self.classes_.tolist()}, but y has the classes "
                    f"{classes.tolist()}. Pass data of these classes, or set "
                    "warm_start=False to train a new network."
                )
            return self._continue(
                *self._weighted(values, lengths, targets, sample_weight),
                epochs=self.max_epochs, how="warm_start=True",
            )
        values, lengths = self._validate_sequences(X, reset=True)
        self.classes_, targets = _encode_targets(y, len(values), owner)
        values, lengths, targets, weights = self._weighted(values, lengths, targets, sample_weight)
        self.device_ = str(resolve_device(self.device))
        seed = self._seed()
        checkpoint = None
        if self.checkpoint_dir is not None:
            fingerprint = fit_fingerprint(self, values, lengths, targets, weights)
            checkpoint = TrainingCheckpoint(self.checkpoint_dir, fingerprint)
        with torch_threads(self.torch_num_threads):
            self.net_ = build_net(
                self, len(self.classes_), seed, checkpoint, weighted=weights is not None
            )
            try:
                train_net(
                    self.net_, net_inputs(values, lengths, weights), targets, seed=seed,
                    max_epochs=self.max_epochs, checkpoint=checkpoint,
                    stop_at_perfect=self.stop_at_perfect_train_accuracy,
                )
            finally:
                self.n_epochs_ = len(self.net_.history or ())  # (None before initialisation)
        return self

    @_fit_context(prefer_skip_nested_validation=True)
    def partial_fit(self, X, y, classes=None, sample_weight=None):
        """Train the network for one epoch on ``X, y``.

        The first call (on an unfitted classifier) builds the network, and
        then trains as :meth:`fit` with ``max_epochs=1`` does; every later
        call continues training the fitted network (also one fitted by
        :meth:`fit`), its weights, optimizer state and history, for one more
        epoch.  ``n_epochs_`` counts the epochs in all.  As for
        ``warm_start``, the parameters that shape the network or pick the
        optimizer must stay unchanged, the training settings are the current
        ones, and the stop rule may end an epoch early.  ``checkpoint_dir`` is
        not used.

        Parameters
        ----------
        X : array-like, same layouts as in :meth:`fit`
            Later calls need the features per time step of the first; the
            sequences may have any length.
        y : array-like of shape (n_samples,)
            Labels among ``classes``; one call's data may hold one class only.
        classes : array-like of shape (n_classes,) or None, default=None
            Every class the classifier is to predict (at least 2).  Required
            on the first call, as in scikit-learn; later calls may omit it or
            pass the same classes.
        sample_weight : array-like of shape (n_samples,) or None, default=None
            As in :meth:`fit`; the weights are rescaled to mean 1 within each
            call.  ``class_weight="balanced"`` needs the whole data's class
            counts, which one call does not see, so it is refused here; pass
            a dict (e.g. from
            :func:`sklearn.utils.class_weight.compute_class_weight`).

        Returns
        -------
        self : RNNClassifier

        Examples
        --------
        >>> import numpy as np
        >>> from ica_sklearn import RNNClassifier
        >>> rng = np.random.RandomState(0)
        >>> X, y = rng.normal(size=(20, 6, 2)), np.repeat(["a", "b"], 10)
        >>> clf = RNNClassifier("gru", random_state=0)
        >>> for epoch in range(3):
        ...     _ = clf.partial_fit(X, y, classes=["a", "b"])
        >>> clf.n_epochs_, clf.classes_.tolist()
        (3, ['a', 'b'])
        """
        owner = type(self).__name__
        first_call = not self._is_trained()
        if first_call and classes is None:
            raise ValueError(
                f"classes must be passed on the first call to {owner}.partial_fit: every "
                "class it is to predict (e.g. classes=np.unique(y_all)), since one call's "
                "data may not hold them all."
            )
        if self.class_weight == "balanced":
            raise ValueError(
                "class_weight='balanced' is not supported by partial_fit: the balanced "
                "weights need the class counts of all the data, which one call does not "
                "see. Compute them with sklearn.utils.class_weight.compute_class_weight("
                "'balanced', classes=..., y=y_all) and pass them as a dict."
            )
        if first_call:
            values, lengths = self._validate_sequences(X, reset=True)
            labels = _check_labels(y, len(values), owner)
            self.classes_ = _partial_fit_classes(classes, owner)
        else:
            values, lengths = self._validate_continued(X, "partial_fit")
            labels = _check_labels(y, len(values), owner)
            if classes is not None and not np.array_equal(
                _partial_fit_classes(classes, owner), self.classes_
            ):
                raise ValueError(
                    f"classes={np.unique(classes).tolist()} differs from the classes of "
                    f"the first call to partial_fit, {self.classes_.tolist()}. Pass the "
                    "same classes, or none after the first call."
                )
        targets = _codes_of(labels, self.classes_)
        values, lengths, targets, weights = self._weighted(
            values, lengths, targets, sample_weight, min_classes=1
        )
        if not first_call:
            return self._continue(values, lengths, targets, weights, epochs=1, how="partial_fit")
        self._warn_checkpoint_unused("partial_fit")
        self.device_ = str(resolve_device(self.device))
        seed = self._seed()
        with torch_threads(self.torch_num_threads):
            self.net_ = build_net(self, len(self.classes_), seed, weighted=weights is not None)
            try:
                continue_training(
                    self.net_, net_inputs(values, lengths, weights), targets, seed=seed, epochs=1
                )
            finally:
                self.n_epochs_ = len(self.net_.history or ())
        return self

    # ------------------------------------------------------ training helpers
    def _is_trained(self):
        """Whether there is a fitted network to continue training."""
        return bool(getattr(getattr(self, "net_", None), "initialized_", False))

    def _seed(self):
        """The seed of a fit's random draws, from ``random_state``."""
        return int(check_random_state(self.random_state).randint(np.iinfo(np.int32).max))

    def _weighted(self, values, lengths, targets, sample_weight, min_classes=2):
        """The training data with per-sample weights (``class_weight`` times
        ``sample_weight``, rescaled to mean 1), samples of weight 0 left out;
        the weights are None when all are equal."""
        weights = training_weights(
            self.class_weight, check_sample_weight(sample_weight, len(values)),
            self.classes_, targets, min_classes=min_classes,
        )
        if weights is None:
            return values, lengths, targets, None
        kept, weights = rescaled(weights)
        values, lengths, targets = values[kept], lengths[kept], targets[kept]
        return values, lengths, targets, None if weights is None else weights.astype(values.dtype)

    def _validate_continued(self, X, how):
        """``X`` validated against the fitted network, for continued training."""
        try:
            values, lengths = self._validate_sequences(X, reset=False)
        except ValueError as error:
            raise ValueError(
                f"{error} ({how} continues training the fitted network, which needs "
                "these features; train a new network to change them.)"
            ) from None
        return values, lengths

    def _warn_checkpoint_unused(self, how):
        if self.checkpoint_dir is not None:
            warnings.warn(
                f"checkpoint_dir is not used by {how}: a checkpoint holds one fit from "
                "scratch, so training that continues a network neither resumes nor "
                "writes one. Fit from scratch (warm_start=False) to use checkpoints.",
                UserWarning,
                stacklevel=3,
            )

    def _continue(self, values, lengths, targets, weights, *, epochs, how):
        """Train the fitted network ``epochs`` more epochs with the current
        training settings (see ``warm_start``); ``how`` names the caller."""
        self._warn_checkpoint_unused(how)
        self.n_timesteps_in_ = max(self.n_timesteps_in_, values.shape[1])
        seed = continuation_seed(self._seed(), len(self.net_.history))
        with torch_threads(self.torch_num_threads):
            template = build_net(self, len(self.classes_), seed, weighted=weights is not None)
            update_for_continuation(self.net_, template, weighted=weights is not None)
            try:
                continue_training(
                    self.net_, net_inputs(values, lengths, weights), targets,
                    seed=seed, epochs=epochs,
                )
            finally:
                self.n_epochs_ = len(self.net_.history)
        return self

    @property
    def module_(self):
        """The trained torch module, ``net_.module_`` (what explainers read)."""
        return self.net_.module_

    # ------------------------------------------------------------- prediction
    def _logits(self, X):
        """The network's outputs for ``X``, as a float64 tensor on the CPU."""
        check_is_fitted(self)
        values, lengths = self._validate_sequences(X, reset=False)
        with torch_threads(self.torch_num_threads):
            return self.net_.forward(net_inputs(values, lengths)).to(torch.float64)

    def predict_proba(self, X):
        """Class probabilities (softmax of the logits), in float64.

        The softmax is taken in float64 whatever the model's ``dtype``, as
        scikit-learn's classifiers return float64 probabilities.

        Parameters
        ----------
        X : array-like, same layouts as in :meth:`fit`

        Returns
        -------
        proba : ndarray of shape (n_samples, n_classes), float64
            Columns in the order of ``classes_``.
        """
        return torch.softmax(self._logits(X), dim=1).numpy()

    def predict_log_proba(self, X):
        """Logarithm of the class probabilities, in float64.

        Computed from the logits (``log_softmax``), not as the log of
        :meth:`predict_proba`, so it stays finite and accurate where a
        probability rounds to 0.

        Parameters
        ----------
        X : array-like, same layouts as in :meth:`fit`

        Returns
        -------
        log_proba : ndarray of shape (n_samples, n_classes), float64
            Columns in the order of ``classes_``.
        """
        return torch.log_softmax(self._logits(X), dim=1).numpy()

    def predict(self, X):
        """Predicted class labels (of the original type).

        Parameters
        ----------
        X : array-like, same layouts as in :meth:`fit`

        Returns
        -------
        labels : ndarray of shape (n_samples,)
        """
        proba = self.predict_proba(X)
        return self.classes_[np.argmax(proba, axis=1)]

    # ------------------------------------------------------------ persistence
    def save(self, path):
        """Save the fitted classifier: parameters, classes, weights, version.

        The file holds plain data only (read back with
        ``torch.load(weights_only=True)``); weights are stored on the CPU.
        Callbacks are not saved.  Pickle and joblib work too, but are tied
        to the pickling environment; this format is portable across devices.
        The file is written through a temporary file and moved into place,
        so a failed save leaves an earlier file at ``path`` unchanged.

        Parameters
        ----------
        path : str or os.PathLike
            The file; its folder must exist.

        Returns
        -------
        path : pathlib.Path

        Examples
        --------
        >>> import os, tempfile
        >>> import numpy as np
        >>> from ica_sklearn import RNNClassifier
        >>> X = np.random.RandomState(0).normal(size=(8, 5, 2))
        >>> y = np.repeat(["rest", "task"], 4)
        >>> clf = RNNClassifier("lstm", max_epochs=2, random_state=0).fit(X, y)
        >>> path = os.path.join(tempfile.mkdtemp(), "model.pt")
        >>> loaded = RNNClassifier.load(clf.save(path), device="cpu")
        >>> bool((loaded.predict_proba(X) == clf.predict_proba(X)).all())
        True
        >>> loaded.classes_
        array(['rest', 'task'], dtype='<U4')
        """
        return save_classifier(self, path)

    @classmethod
    def load(cls, path, *, device=None, allow_version_mismatch=False, optimizer=None):
        """Load a classifier written by :meth:`save`.

        Loading reads plain data only: it never runs code from the file, nor
        imports or calls anything the file names.  Every field is checked; a
        damaged or crafted file gives a ``ValueError`` naming the field.

        Parameters
        ----------
        path : str or os.PathLike
        device : str or None, default=None
            Where to put the network ("auto", "cpu", "cuda", "cuda:<index>"
            or "mps"; a device this machine lacks raises ``ValueError``).
            None: where it was trained when that device exists here, else
            "cpu" (GPU-trained models load on CPU-only machines).
            ``device_`` reports the result.
        allow_version_mismatch : bool, default=False
            A file saved by another ica_sklearn version raises ``ValueError``
            naming both versions; True loads it anyway, with a warning.
        optimizer : type or None, default=None
            Only for a model trained with an optimizer class outside
            :mod:`torch.optim`: that class (load restores torch's optimizers
            by name, and never imports other classes a file names).

        Returns
        -------
        classifier : RNNClassifier
            Fitted, ready to predict and explain.
        """
        return load_classifier(
            cls, path, device=device, allow_version_mismatch=allow_version_mismatch,
            optimizer=optimizer,
        )

    def __sklearn_tags__(self):
        tags = super().__sklearn_tags__()
        tags.input_tags.three_d_array = True
        tags.non_deterministic = self.random_state is None
        return tags
