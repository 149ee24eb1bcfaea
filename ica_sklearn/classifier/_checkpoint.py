"""Resumable training checkpoints of :class:`~ica_sklearn.RNNClassifier`
(its ``checkpoint_dir`` parameter): writing them after every epoch, finding
them, and resuming a net from them."""

import os
from pathlib import Path

__all__ = ["checkpoint_callback", "has_checkpoint", "resume_from_checkpoint"]

_CHECKPOINT_FILES = {
    "f_params": "params.pt",
    "f_optimizer": "optimizer.pt",
    "f_criterion": "criterion.pt",
    "f_history": "history.json",
}


def checkpoint_callback(dirname):
    """A skorch ``Checkpoint`` writing weights, optimizer and history to
    ``dirname`` after every epoch."""
    from skorch.callbacks import Checkpoint

    return Checkpoint(monitor=None, dirname=os.fspath(dirname), **_CHECKPOINT_FILES)


def has_checkpoint(dirname):
    """Whether ``dirname`` holds a complete checkpoint."""
    return dirname is not None and all(
        (Path(dirname) / name).is_file() for name in _CHECKPOINT_FILES.values()
    )


def resume_from_checkpoint(net, dirname):
    """Load an initialised skorch net's state from ``dirname``.

    Returns the number of epochs already trained.
    """
    files = {key: str(Path(dirname) / name) for key, name in _CHECKPOINT_FILES.items()}
    try:
        net.load_params(**files)
    except (RuntimeError, KeyError, ValueError) as error:
        raise ValueError(
            f"The checkpoint in {os.fspath(dirname)!r} does not fit this model (was "
            "it written with other hyper-parameters or data?). Use a new "
            "checkpoint_dir, or delete that one to start over. Details: "
            + str(error).splitlines()[0]
        ) from None
    return len(net.history)
