"""The skorch net that :class:`~ica_sklearn.RNNClassifier` trains: building
it from the estimator's hyper-parameters, and training it (from scratch, or
resumed from a checkpoint).

Everything here reads the estimator's hyper-parameters (and the fitted
``n_channels_`` and ``device_``) and sets nothing on it.
"""

import torch
from skorch import NeuralNetClassifier
from skorch.callbacks import EpochScoring, ProgressBar
from skorch.dataset import ValidSplit

from ..nn import RecurrentClassifierModule
from ..utils._torch import DTYPES
from ._callbacks import (
    EarlyStopping,
    StopAtPerfectTrainAccuracy,
    StopTraining,
    WholeSetTrainAccuracy,
)
from ._checkpoint import checkpoint_callback, has_checkpoint, resume_from_checkpoint

__all__ = ["OPTIMIZERS", "ClassifierNet", "build_net", "net_inputs", "train_net"]

#: ``optimizer`` names and the torch optimizer classes they stand for.
OPTIMIZERS = {
    "adam": torch.optim.Adam,
    "adamw": torch.optim.AdamW,
    "sgd": torch.optim.SGD,
    "rmsprop": torch.optim.RMSprop,
}


class ClassifierNet(NeuralNetClassifier):
    """skorch's ``NeuralNetClassifier`` that ends training on :class:`StopTraining`.

    The stop rules raise :class:`StopTraining` rather than skorch's
    ``KeyboardInterrupt``, so that an interrupt pressed by the user is never
    mistaken for a stop rule.
    """

    def fit_loop(self, X, y=None, epochs=None, **fit_params):
        try:
            return super().fit_loop(X, y, epochs=epochs, **fit_params)
        except StopTraining:
            return self


def net_inputs(values, lengths):
    """The dict skorch passes to ``RecurrentClassifierModule.forward(X, lengths)``.

    Examples
    --------
    >>> import numpy as np
    >>> from ica_sklearn.classifier._net import net_inputs
    >>> sorted(net_inputs(np.zeros((2, 3, 1)), np.array([3, 2])))
    ['X', 'lengths']
    """
    return {"X": values, "lengths": lengths}


def _train_split(estimator, seed):
    """A stratified hold-out of ``validation_fraction``, or None (train on all)."""
    if estimator.validation_fraction is None:
        return None
    return ValidSplit(estimator.validation_fraction, stratified=True, random_state=seed)


def _callbacks(estimator):
    """The ``(name, callback)`` list, in the order skorch runs them."""
    if estimator.stop_at_perfect_train_accuracy:
        # The stop rule judges the model as it stands (eval mode, whole set).
        accuracy = WholeSetTrainAccuracy()
    else:
        accuracy = EpochScoring("accuracy", lower_is_better=False, on_train=True, name="train_acc")
    callbacks = [("train_accuracy", accuracy)]
    if estimator.checkpoint_dir is not None:
        callbacks.append(("checkpoint", checkpoint_callback(estimator.checkpoint_dir)))
    if estimator.validation_fraction is not None:
        callbacks.append(("early_stopping", EarlyStopping(patience=estimator.n_iter_no_change)))
    if estimator.verbose:
        callbacks.append(("progress_bar", ProgressBar()))
    callbacks.extend(estimator.callbacks or [])
    if estimator.stop_at_perfect_train_accuracy:
        # Last, so checkpoints and early stopping see the final epoch.
        callbacks.append(("stop_at_perfect", StopAtPerfectTrainAccuracy()))
    return callbacks


def build_net(estimator, n_classes, seed):
    """An uninitialised :class:`ClassifierNet` for ``estimator``'s parameters.

    ``seed`` seeds the validation split; the weights are drawn from torch's
    global generator when the net is initialised.
    """
    optimizer = OPTIMIZERS.get(estimator.optimizer, estimator.optimizer)
    # torch's fused Adam/AdamW: the same update in one kernel for all parameters.
    fused = {"optimizer__fused": True} if estimator.optimizer in ("adam", "adamw") else {}
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
        criterion=torch.nn.CrossEntropyLoss,
        optimizer=optimizer,
        lr=estimator.lr,
        max_epochs=estimator.max_epochs,
        batch_size=estimator.batch_size,
        iterator_train__shuffle=True,
        train_split=_train_split(estimator, seed),
        callbacks=_callbacks(estimator),
        device=estimator.device_,
        classes=list(range(n_classes)),
        verbose=int(estimator.verbose),
        **fused,
    )


def train_net(net, inputs, targets, *, checkpoint_dir, max_epochs, stop_at_perfect):
    """Fit ``net``, or continue a checkpointed run up to ``max_epochs`` in all.

    A resumed run that already stopped (``stop_at_perfect`` and 100 % training
    accuracy in its last epoch) or reached ``max_epochs`` is not trained further.
    """
    if not has_checkpoint(checkpoint_dir):
        net.fit(inputs, targets)
        return net
    net.initialize()
    done = resume_from_checkpoint(net, checkpoint_dir)
    finished = (
        stop_at_perfect and done > 0 and net.history[-1].get("train_acc", 0.0) >= 1.0
    )
    if done < max_epochs and not finished:
        net.partial_fit(inputs, targets, epochs=max_epochs - done)
    return net
