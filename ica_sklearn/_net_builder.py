"""The skorch net that :class:`~ica_sklearn.RNNClassifier` trains: its
callbacks, its validation split, the net itself, and the input dict it reads.

Everything here reads the estimator's hyper-parameters (and the fitted
``n_channels_`` and ``device_``) and sets nothing on it.
"""

import torch
from skorch import NeuralNetClassifier
from skorch.callbacks import EarlyStopping, ProgressBar
from skorch.dataset import ValidSplit

from ._callbacks import StopAtPerfectTrainAccuracy, TrainAccuracy
from ._persistence import checkpoint_callback
from ._torch_options import DTYPES, OPTIMIZERS
from .nn import RecurrentClassifierModule

__all__ = ["net_inputs", "build_callbacks", "build_train_split", "build_net"]


def net_inputs(values, lengths):
    """The dict skorch passes to ``RecurrentClassifierModule.forward(X, lengths)``.

    Examples
    --------
    >>> import numpy as np
    >>> from ica_sklearn._net_builder import net_inputs
    >>> sorted(net_inputs(np.zeros((2, 3, 1)), np.array([3, 2])))
    ['X', 'lengths']
    """
    return {"X": values, "lengths": lengths}


def build_train_split(estimator, seed):
    """A stratified hold-out of ``validation_fraction``, or None (train on all)."""
    if estimator.validation_fraction is None:
        return None
    return ValidSplit(estimator.validation_fraction, stratified=True, random_state=seed)


def build_callbacks(estimator):
    """The ``(name, callback)`` list, in the order skorch runs them."""
    # The stopping rule judges the model as it stands (eval mode, whole
    # training set), every 3 batches and after each epoch; accuracy counted
    # on the batches as they go lags behind and trains longer, which sharpens
    # saliency onto a few cells (see the Table 1 notes).
    accuracy = TrainAccuracy(after_epoch=estimator.stop_at_perfect_train_accuracy)
    callbacks = [("train_accuracy", accuracy)]
    if estimator.checkpoint_dir is not None:
        callbacks.append(("checkpoint", checkpoint_callback(estimator.checkpoint_dir)))
    if estimator.validation_fraction is not None:
        early_stopping = EarlyStopping(patience=estimator.n_iter_no_change, load_best=True)
        callbacks.append(("early_stopping", early_stopping))
    if estimator.verbose:
        callbacks.append(("progress_bar", ProgressBar()))
    callbacks.extend(estimator.callbacks or [])
    if estimator.stop_at_perfect_train_accuracy:
        # Last, so checkpoints and early stopping see the final epoch.
        callbacks.append(("stop_at_perfect", StopAtPerfectTrainAccuracy()))
    return callbacks


def build_net(estimator, n_classes, seed):
    """An uninitialised ``NeuralNetClassifier`` for ``estimator``'s parameters.

    ``seed`` seeds the validation split; the weights are drawn from torch's
    global generator when the net is initialised.
    """
    optimizer = OPTIMIZERS.get(estimator.optimizer, estimator.optimizer)
    # torch's fused Adam/AdamW (one kernel for all parameters) is the same
    # algorithm; it cut 5 % off an ica_lstm training step at the paper's sizes.
    fused = {"optimizer__fused": True} if estimator.optimizer in ("adam", "adamw") else {}
    return NeuralNetClassifier(
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
        train_split=build_train_split(estimator, seed),
        callbacks=build_callbacks(estimator),
        device=estimator.device_,
        classes=list(range(n_classes)),
        verbose=int(estimator.verbose),
        **fused,
    )
