"""The skorch net that :class:`~ica_sklearn.RNNClassifier` trains: building
it from the estimator's hyper-parameters, and training it (from scratch, or
resumed from a checkpoint).

Everything here reads the estimator's hyper-parameters (and the fitted
``n_channels_`` and ``device_``) and sets nothing on it.

Random draws
------------
A seeded fit draws every random number from a private ``torch.Generator``
seeded with the fit's seed (see :mod:`ica_sklearn.utils._random`): the
weights (drawn by the layers' constructors, redirected), the shuffling of
the data loader, the base seed every data loader draws, and the dropout
masks.  It never touches torch's global generator, so seeded fits in threads
give the results of serial fits.  The draws come in the order in which they
would come from the global generator after ``torch.manual_seed(seed)``, so a
seed gives the weights, orders and masks that seeding the global generator
gives.  Only torch's fused multi-layer
recurrent kernels (``num_layers > 1`` with ``dropout > 0``) draw their
inter-layer dropout from the global generator; such fits run on a seeded
copy of it, one at a time (:func:`~ica_sklearn.utils._random.seeded_global_state`).
"""

from collections.abc import Mapping
from contextlib import contextmanager

import numpy as np
import torch
from skorch import NeuralNetClassifier
from skorch.callbacks import EpochScoring, ProgressBar
from skorch.dataset import Dataset, ValidSplit
from skorch.utils import to_tensor
from torch.utils.data import BatchSampler, SequentialSampler

from ..nn import RecurrentClassifierModule
from ..nn._cells import get_cell
from ..utils._random import (
    active_generator,
    private_generator,
    redirected_draws,
    seeded_generator,
    seeded_global_state,
)
from ..utils._torch import DTYPES
from ._callbacks import (
    EarlyStopping,
    StopAtPerfectTrainAccuracy,
    StopTraining,
    WholeSetTrainAccuracy,
)

__all__ = [
    "OPTIMIZERS",
    "SAMPLE_WEIGHT",
    "BatchIndexedDataset",
    "ClassifierNet",
    "SeededShuffle",
    "build_net",
    "continue_training",
    "continuation_seed",
    "net_inputs",
    "seeded_training",
    "train_net",
    "update_for_continuation",
]

#: The net's settings that fix its module and optimizer: a warm start or
#: ``partial_fit`` cannot change them without training a new network.
FIXED_WHEN_CONTINUING = ("module__", "optimizer")

#: ``optimizer`` names and the torch optimizer classes they stand for.
OPTIMIZERS = {
    "adam": torch.optim.Adam,
    "adamw": torch.optim.AdamW,
    "sgd": torch.optim.SGD,
    "rmsprop": torch.optim.RMSprop,
}

#: Key of the per-sample training weights in the net's input dict.
SAMPLE_WEIGHT = "sample_weight"


#: Data loader settings that take over how samples are fetched and put
#: together; with any of them the net builds torch's loader as configured.
_CUSTOM_LOADING = frozenset({"sampler", "batch_sampler", "collate_fn"})


class _Interrupted(Exception):
    """Carries a ``KeyboardInterrupt`` past skorch's ``partial_fit``, which
    swallows interrupts."""


class SeededShuffle(torch.utils.data.Sampler):
    """A new random order of ``data_source`` on every pass, drawn by a
    generator that is seeded by one draw from ``generator``.

    These are the draws torch's ``RandomSampler`` makes from the global
    generator when it has none (with a generator it permutes with it
    directly), so seeded fits keep the orders they had on the global
    generator.
    """

    def __init__(self, data_source, generator):
        self.data_source = data_source
        self.generator = generator

    def __len__(self):
        return len(self.data_source)

    def __iter__(self):
        seed = int(torch.empty((), dtype=torch.int64).random_(generator=self.generator).item())
        yield from torch.randperm(len(self.data_source), generator=seeded_generator(seed)).tolist()


class BatchIndexedDataset(Dataset):
    """skorch's ``Dataset``, indexed a whole batch at a time.

    The net's data loaders ask for a list of positions per batch (see
    :meth:`ClassifierNet.get_iterator`); for the dict of arrays the
    classifier passes (:func:`net_inputs`) each array is then indexed once
    with the list.  skorch's generic indexing, which inspects every array
    for its type (DataFrame, sparse, ...) on every call, handles anything
    else.

    Examples
    --------
    >>> import numpy as np
    >>> from ica_sklearn.classifier._net import BatchIndexedDataset
    >>> data = BatchIndexedDataset({"X": np.arange(6.0).reshape(3, 2)}, np.array([0, 1, 0]))
    >>> X, y = data[[2, 0]]
    >>> X["X"], y
    (array([[4., 5.],
           [0., 1.]]), array([0, 0]))
    """

    def __getitem__(self, i):
        if not (isinstance(i, list) and isinstance(self.X, dict)):
            return super().__getitem__(i)
        rows = np.asarray(i, dtype=np.intp)
        return self.transform(
            {key: value[rows] for key, value in self.X.items()},
            None if self.y is None else self.y[rows],
        )


class ClassifierNet(NeuralNetClassifier):
    """skorch's ``NeuralNetClassifier`` with our stop rules, interrupts and random draws.

    * Training ends on :class:`StopTraining`, which the stop rules raise
      rather than skorch's ``KeyboardInterrupt``.
    * A ``KeyboardInterrupt`` (Ctrl-C) ends training and propagates
      (skorch's ``partial_fit`` would swallow it), after the callbacks'
      ``on_train_end``; the weights trained so far stay in ``module_``.
    * The module's weights and the data loaders draw from the thread's
      :func:`~ica_sklearn.utils._random.active_generator` (a throwaway
      generator outside a seeded block), never from torch's global one.
    * Per-sample weights travel in the input dict under
      :data:`SAMPLE_WEIGHT`: the module never sees them, and a batch's loss
      is ``mean(w_i * loss_i)`` (the criterion then has ``reduction="none"``;
      see :mod:`ica_sklearn.classifier._weights` for the weights' scale).
    """

    def infer(self, x, **fit_params):
        if isinstance(x, Mapping) and SAMPLE_WEIGHT in x:
            x = {key: value for key, value in x.items() if key != SAMPLE_WEIGHT}
        return super().infer(x, **fit_params)

    def get_loss(self, y_pred, y_true, X=None, training=False):
        loss = super().get_loss(y_pred, y_true, X=X, training=training)
        if loss.ndim == 0:
            return loss
        weights = X.get(SAMPLE_WEIGHT) if isinstance(X, Mapping) else None
        if weights is None:
            return loss.mean()
        return (loss * to_tensor(weights, device=self.device).to(loss.dtype)).mean()

    def initialize_module(self):
        with redirected_draws(active_generator() or torch.Generator()):
            return super().initialize_module()

    def get_iterator(self, dataset, training=False):
        """A data loader that indexes the dataset once per batch.

        torch's default loader fetches a batch sample by sample and stacks
        the samples (50 indexing calls and a collate per batch of 50); here
        the sampler yields whole batches of positions, the dataset is
        indexed with each list at once and the arrays are only converted to
        tensors.  The batches, their order and every draw from the
        generator are those of the default loader.  A ``sampler``,
        ``batch_sampler`` or ``collate_fn`` set through ``iterator_*__``
        parameters gets torch's loader as configured.
        """
        prefix = "iterator_train" if training else "iterator_valid"
        kwargs = self.get_params_for(prefix)
        generator = kwargs.setdefault("generator", active_generator() or torch.Generator())
        batch_size = kwargs.pop("batch_size", self.batch_size)
        if batch_size == -1:
            batch_size = len(dataset)
        if _CUSTOM_LOADING.isdisjoint(kwargs):
            shuffle = kwargs.pop("shuffle", False)
            order = SeededShuffle(dataset, generator) if shuffle else SequentialSampler(dataset)
            kwargs["sampler"] = BatchSampler(order, batch_size, kwargs.pop("drop_last", False))
            kwargs["batch_size"] = None  # the sampler's items are whole batches
        else:
            if kwargs.get("shuffle") and "sampler" not in kwargs:
                kwargs["shuffle"] = False
                kwargs["sampler"] = SeededShuffle(dataset, generator)
            kwargs["batch_size"] = batch_size
        return getattr(self, prefix)(dataset, **kwargs)

    def fit_loop(self, X, y=None, epochs=None, **fit_params):
        try:
            return super().fit_loop(X, y, epochs=epochs, **fit_params)
        except StopTraining:
            return self
        except KeyboardInterrupt as interrupt:
            raise _Interrupted() from interrupt

    def partial_fit(self, X, y=None, classes=None, **fit_params):
        try:
            return super().partial_fit(X, y, classes, **fit_params)
        except _Interrupted as wrapper:
            self.notify("on_train_end", X=X, y=y)
            raise wrapper.__cause__ from None


def net_inputs(values, lengths, sample_weight=None):
    """The dict skorch passes to ``RecurrentClassifierModule.forward(X, lengths)``,
    with the per-sample training weights (which the net keeps from the module).

    Examples
    --------
    >>> import numpy as np
    >>> from ica_sklearn.classifier._net import net_inputs
    >>> sorted(net_inputs(np.zeros((2, 3, 1)), np.array([3, 2])))
    ['X', 'lengths']
    >>> sorted(net_inputs(np.zeros((2, 3, 1)), np.array([3, 2]), np.ones(2)))
    ['X', 'lengths', 'sample_weight']
    """
    inputs = {"X": values, "lengths": lengths}
    if sample_weight is not None:
        inputs[SAMPLE_WEIGHT] = sample_weight
    return inputs


def _train_split(estimator, seed):
    """A stratified hold-out of ``validation_fraction``, or None (train on all)."""
    if estimator.validation_fraction is None:
        return None
    return ValidSplit(estimator.validation_fraction, stratified=True, random_state=seed)


def _callbacks(estimator, checkpoint):
    """The ``(name, callback)`` list, in the order skorch runs them."""
    if estimator.stop_at_perfect_train_accuracy:
        # The stop rule judges the model as it stands (eval mode, whole set).
        accuracy = WholeSetTrainAccuracy()
    else:
        accuracy = EpochScoring("accuracy", lower_is_better=False, on_train=True, name="train_acc")
    callbacks = [("train_accuracy", accuracy)]
    if checkpoint is not None:
        callbacks.append(("checkpoint", checkpoint))
    if estimator.validation_fraction is not None:
        callbacks.append(("early_stopping", EarlyStopping(patience=estimator.n_iter_no_change)))
    if estimator.verbose:
        callbacks.append(("progress_bar", ProgressBar()))
    callbacks.extend(estimator.callbacks or [])
    if estimator.stop_at_perfect_train_accuracy:
        # Last, so checkpoints and early stopping see the final epoch.
        callbacks.append(("stop_at_perfect", StopAtPerfectTrainAccuracy()))
    return callbacks


def build_net(estimator, n_classes, seed, checkpoint=None, weighted=False):
    """An uninitialised :class:`ClassifierNet` for ``estimator``'s parameters.

    ``seed`` seeds the validation split; the weights are drawn when the net
    is initialised (see :func:`train_net`).  ``checkpoint`` (a
    :class:`~ica_sklearn.classifier._checkpoint.TrainingCheckpoint`) is
    written after every epoch.  ``weighted``: the training inputs carry
    per-sample weights (:data:`SAMPLE_WEIGHT`), so the criterion returns
    per-sample losses.
    """
    optimizer = OPTIMIZERS.get(estimator.optimizer, estimator.optimizer)
    # torch's fused Adam/AdamW: the same update in one kernel for all parameters.
    optimizer_settings = {"fused": True} if estimator.optimizer in ("adam", "adamw") else {}
    optimizer_settings.update(estimator.optimizer_params or {})
    return ClassifierNet(
        RecurrentClassifierModule,
        module__n_features=estimator.n_channels_,
        module__n_classes=n_classes,
        module__cell=estimator.cell,
        module__hidden_size=estimator.hidden_size,
        module__num_layers=estimator.num_layers,
        module__attention_hops=estimator.attention_hops,
        module__attention_dim=estimator.attention_dim,
        module__dropout=estimator.dropout,
        module__pooling=estimator.pooling,
        module__dtype=DTYPES[estimator.dtype][1],
        dataset=BatchIndexedDataset,
        criterion=torch.nn.CrossEntropyLoss,
        **({"criterion__reduction": "none"} if weighted else {}),
        optimizer=optimizer,
        lr=estimator.lr,
        max_epochs=estimator.max_epochs,
        batch_size=estimator.batch_size,
        iterator_train__shuffle=True,
        train_split=_train_split(estimator, seed),
        callbacks=_callbacks(estimator, checkpoint),
        device=estimator.device_,
        classes=list(range(n_classes)),
        verbose=int(estimator.verbose),
        **{f"optimizer__{name}": value for name, value in optimizer_settings.items()},
    )


@contextmanager
def seeded_training(net, seed):
    """Make the fit's random draws come from a generator seeded with ``seed``.

    A private generator, unless the module's fused recurrent layers draw
    dropout from torch's global generator (see the module docstring); the
    TCN and transformer cells draw all their dropout from the private one.
    """
    module_params = net.get_params_for("module")
    if (
        get_cell(module_params.get("cell", "ica_lstm")).recurrent
        and module_params.get("num_layers", 1) > 1
        and module_params.get("dropout", 0) > 0
    ):
        with seeded_global_state(seed, net.device), private_generator(torch.default_generator):
            yield
        return
    with private_generator(seeded_generator(seed)):
        yield


def train_net(net, inputs, targets, *, seed, max_epochs, stop_at_perfect, checkpoint=None):
    """Fit ``net`` with the random draws seeded by ``seed``, or continue its
    checkpointed run up to ``max_epochs`` in all.

    A resumed run that already stopped (``stop_at_perfect`` and 100 % training
    accuracy in its last epoch) or reached ``max_epochs`` is not trained
    further.  ``KeyboardInterrupt`` propagates; the net keeps the weights
    trained so far (and the checkpoint the last finished epoch).
    """
    with seeded_training(net, seed):
        payload = None if checkpoint is None else checkpoint.load()
        if payload is None:
            net.fit(inputs, targets)
            return net
        net.initialize()
        done = checkpoint.restore(net, payload)
        finished = (
            stop_at_perfect and done > 0 and net.history[-1].get("train_acc", 0.0) >= 1.0
        )
        if done < max_epochs and not finished:
            net.partial_fit(inputs, targets, epochs=max_epochs - done)
    return net


def continuation_seed(seed, epochs_done):
    """The seed of a continued run (a warm-started ``fit`` or a ``partial_fit``
    call): a function of the fit's seed and the epochs trained so far, so
    every continuation draws other shuffles and dropout masks than the last,
    reproducibly.

    Examples
    --------
    >>> from ica_sklearn.classifier._net import continuation_seed
    >>> continuation_seed(0, 2) == continuation_seed(0, 2) != continuation_seed(0, 3)
    True
    """
    return int(np.random.SeedSequence([seed, epochs_done]).generate_state(1)[0] >> 1)


def update_for_continuation(net, template, *, weighted):
    """Give the fitted ``net`` the training settings of ``template`` (an
    uninitialised net built from the estimator's current parameters), keeping
    its module, optimizer state and history.

    The learning rate and batch size, the stop rules, early stopping, the
    validation split, callbacks and verbosity follow the current parameters;
    no checkpoint is written (``template`` is built without one).  With
    ``weighted``, the criterion returns per-sample losses (set on the
    criterion itself: skorch's ``set_params`` would re-initialise the
    optimizer).

    Raises
    ------
    ValueError
        When a parameter that shapes the module or picks the optimizer
        differs between ``template`` and ``net``.
    """
    current, built = template.get_params(deep=False), net.get_params(deep=False)
    changed = sorted(
        name for name in set(current) | set(built)
        if name.startswith(FIXED_WHEN_CONTINUING) and bool(current.get(name) != built.get(name))
    )
    if changed:
        raise ValueError(
            "Training can only continue the fitted network with the parameters it was "
            f"built with, but these changed since: {changed}. Set them back, or train a "
            "new network (warm_start=False, or a new partial_fit from an unfitted clone)."
        )
    net.set_params(
        lr=template.lr,
        batch_size=template.batch_size,
        train_split=template.train_split,
        verbose=template.verbose,
    )
    # (skorch's set_params(callbacks=...) builds callbacks_ from the old list)
    net.callbacks = template.callbacks
    net.initialize_callbacks()
    if weighted:
        net.criterion_.reduction = "none"
    return net


def continue_training(net, inputs, targets, *, seed, epochs):
    """Train the fitted ``net`` ``epochs`` more epochs, its random draws seeded
    by ``seed``; weights, optimizer state and history carry on."""
    with seeded_training(net, seed):
        net.partial_fit(inputs, targets, epochs=epochs)
    return net
