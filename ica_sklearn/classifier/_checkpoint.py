"""Resumable training checkpoints of :class:`~ica_sklearn.RNNClassifier`
(its ``checkpoint_dir`` parameter).

A checkpoint belongs to one fit.  Its *fingerprint* says what that fit
trains: the hyper-parameters (except those that do not change the training:
``max_epochs``, ``checkpoint_dir``, ``callbacks``, ``device``, ``verbose``,
``torch_num_threads``, ``warm_start``), the shape and a SHA-256 hash of the data (values,
lengths, encoded labels and the per-sample training weights, if any) and the
classes.  The file is named by a hash of
the fingerprint (``checkpoint-<hash>.pt``), so fits of other data or
hyper-parameters (the folds of a cross-validation, the candidates of a grid
search) keep separate files in a shared folder and never resume each other's.
``fit`` resumes the file with its own fingerprint, and otherwise starts a
new one (with a warning when the folder holds other fits' checkpoints).

One file holds everything (weights, optimizer state, history, fingerprint),
written atomically after every epoch (:func:`~ica_sklearn.utils._files.atomic_write`):
a fit killed at any moment leaves the previous epoch's checkpoint intact.
A write that fails raises.  A damaged file (changed by something else) gives
an error naming the file and the fix.
"""

import hashlib
import io
import json
import os
import warnings

import numpy as np
import torch
from skorch.callbacks import Callback

from ..utils._files import atomic_write, check_output_dir

__all__ = ["TrainingCheckpoint", "fit_fingerprint"]

FORMAT = "ica_sklearn.checkpoint"
FORMAT_VERSION = 1

#: Hyper-parameters left out of the fingerprint: they do not change what one
#: epoch trains (``max_epochs`` may grow to train a resumed fit longer).
_NOT_FINGERPRINTED = (
    "callbacks",
    "checkpoint_dir",
    "device",
    "max_epochs",
    "torch_num_threads",
    "verbose",
    "warm_start",
)


def _describe(value):
    """A text standing for a hyper-parameter value, stable across processes."""
    if isinstance(value, type):
        return f"{value.__module__}.{value.__qualname__}"
    if isinstance(value, np.random.RandomState):
        return "a RandomState instance"
    return repr(value)


def _data_hash(*arrays):
    digest = hashlib.sha256()
    for array in arrays:
        array = np.ascontiguousarray(array)
        digest.update(f"{array.dtype.str}{array.shape}".encode())
        digest.update(memoryview(array).cast("B"))
    return digest.hexdigest()


def fit_fingerprint(estimator, values, lengths, targets, sample_weight=None):
    """What one fit of ``estimator`` trains: a JSON-ready dict.

    Parameters
    ----------
    estimator : RNNClassifier
        With ``classes_`` set.
    values, lengths, targets : ndarray
        The validated sequences, their lengths and the encoded labels.
    sample_weight : ndarray or None, default=None
        The per-sample training weights (``class_weight`` and the
        ``sample_weight`` of ``fit`` together); None for none.

    Examples
    --------
    >>> import numpy as np
    >>> from ica_sklearn import RNNClassifier
    >>> from ica_sklearn.classifier._checkpoint import fit_fingerprint
    >>> clf = RNNClassifier(hidden_size=3)
    >>> clf.classes_ = np.array(["a", "b"])
    >>> X, lengths, y = np.zeros((4, 5, 2)), np.full(4, 5), np.array([0, 1, 0, 1])
    >>> print_ = fit_fingerprint(clf, X, lengths, y)
    >>> print_["params"]["hidden_size"], print_["data_shape"], print_["classes"]
    ('3', [4, 5, 2], ["'a'", "'b'"])
    >>> fit_fingerprint(clf, X, lengths, 1 - y)["data_sha256"] == print_["data_sha256"]
    False
    >>> weighted = fit_fingerprint(clf, X, lengths, y, sample_weight=np.ones(4))
    >>> weighted["data_sha256"] == print_["data_sha256"]
    False
    """
    params = estimator.get_params(deep=False)
    return {
        "params": {
            name: _describe(value)
            for name, value in sorted(params.items())
            if name not in _NOT_FINGERPRINTED
        },
        "data_shape": [int(size) for size in np.shape(values)],
        "data_sha256": _data_hash(
            values, lengths, targets, *(() if sample_weight is None else (sample_weight,))
        ),
        "classes": [repr(label) for label in np.asarray(estimator.classes_).tolist()],
    }


def _fingerprint_text(fingerprint):
    return json.dumps(fingerprint, sort_keys=True)


class TrainingCheckpoint(Callback):
    """Write the net's state after every epoch to this fit's checkpoint file,
    and resume a net from it.

    Parameters
    ----------
    directory : str or os.PathLike
        The ``checkpoint_dir``; created when missing.
    fingerprint : dict
        From :func:`fit_fingerprint`.

    Raises
    ------
    OSError
        When ``directory`` cannot be created or written (checked at once,
        before any training).
    """

    def __init__(self, directory, fingerprint):
        self.directory = check_output_dir(directory, what="checkpoint_dir")
        self.fingerprint = fingerprint
        key = hashlib.sha256(_fingerprint_text(fingerprint).encode()).hexdigest()[:16]
        self.path = self.directory / f"checkpoint-{key}.pt"

    # ----------------------------------------------------------- writing
    def on_epoch_end(self, net, **kwargs):
        payload = {
            "format": FORMAT,
            "format_version": FORMAT_VERSION,
            "fingerprint": _fingerprint_text(self.fingerprint),
            "module": net.module_.state_dict(),
            "optimizer": net.optimizer_.state_dict(),
            "history": json.dumps(net.history.to_list(), default=str),
        }
        # (serialised first, so the file is open only for the one write)
        buffer = io.BytesIO()
        torch.save(payload, buffer)
        atomic_write(self.path, lambda handle: handle.write(buffer.getbuffer()),
                     what="checkpoint")

    # ----------------------------------------------------------- reading
    def _damaged(self, reason):
        return ValueError(
            f"The checkpoint file {os.fspath(self.path)!r} is damaged ({reason}); "
            "it was not written completely by this package. Delete that file to "
            "start this fit over (other files in the folder belong to other fits)."
        )

    def load(self):
        """This fit's checkpoint (a dict), or None when there is none.

        Raises
        ------
        ValueError
            When the file exists but cannot be read or is not this fit's.
        """
        if not self.path.is_file():
            others = sorted(self.directory.glob("checkpoint-*.pt"))
            if others:
                warnings.warn(
                    f"checkpoint_dir {os.fspath(self.directory)!r} holds "
                    f"{len(others)} checkpoint(s) of other fits (other "
                    "hyper-parameters or data), none of this one; this fit starts "
                    f"from scratch and writes {self.path.name!r}.",
                    UserWarning,
                    stacklevel=2,
                )
            return None
        try:
            payload = torch.load(self.path, map_location="cpu", weights_only=True)
        except Exception as error:  # torch raises many types for damaged files
            raise self._damaged(f"{type(error).__name__} while reading it") from None
        expected = {"format", "format_version", "fingerprint", "module", "optimizer", "history"}
        if not isinstance(payload, dict) or not expected <= set(payload):
            raise self._damaged("not a complete checkpoint")
        if payload["format"] != FORMAT or payload["format_version"] != FORMAT_VERSION:
            raise ValueError(
                f"{os.fspath(self.path)!r} is not a checkpoint this version of "
                f"ica_sklearn reads (format {payload['format']!r} version "
                f"{payload['format_version']!r}). Delete it to start this fit over."
            )
        if payload["fingerprint"] != _fingerprint_text(self.fingerprint):
            raise self._damaged("it records another fit than its name says")
        return payload

    def restore(self, net, payload):
        """Load ``payload`` into the initialised ``net``; return the epochs done."""
        from skorch.history import History

        try:
            net.module_.load_state_dict(payload["module"])
            net.optimizer_.load_state_dict(payload["optimizer"])
            history = History(json.loads(payload["history"]))
        except (RuntimeError, KeyError, ValueError, TypeError) as error:
            raise self._damaged(
                f"its state does not fit the network: {str(error).splitlines()[0]}"
            ) from None
        net.history = history
        return len(history)

