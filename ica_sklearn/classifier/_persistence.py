"""Saving and loading a fitted :class:`~ica_sklearn.RNNClassifier`.

File format
-----------
:func:`save_classifier` writes one file with :func:`torch.save` holding only
plain data (no pickled classes), so :func:`load_classifier` reads it with
``torch.load(weights_only=True)``: loading never runs code from the file.
It holds

* ``format`` / ``format_version``: what the file is;
* ``package_version``: ``ica_sklearn.__version__`` of the writer;
* ``params``: the estimator's hyper-parameters (``get_params``), except
  ``callbacks`` (pass them again with ``set_params``); an optimizer class is
  stored by its dotted name;
* ``fitted``: ``classes_``, ``n_features_in_``, ``feature_names_in_``,
  ``n_timesteps_in_``, ``n_channels_``, ``n_epochs_``, ``device_`` and the
  training history;
* ``state_dict``: the torch module's weights, moved to the CPU.

Files from another package version are refused with a ``ValueError`` that
names both versions; ``allow_version_mismatch=True`` loads them anyway with a
``UserWarning`` (the weights load only if the architecture is unchanged).
"""

import importlib
import json
import os
import warnings
from pathlib import Path

import numpy as np
import torch

from ._net import build_net

__all__ = ["FORMAT", "FORMAT_VERSION", "save_classifier", "load_classifier"]

FORMAT = "ica_sklearn.RNNClassifier"
FORMAT_VERSION = 1


def _package_version():
    from .. import __version__

    return __version__


# ------------------------------------------------------------------ save/load
def _portable_params(estimator):
    params = estimator.get_params(deep=False)
    params["callbacks"] = None
    optimizer = params["optimizer"]
    if isinstance(optimizer, type):
        params["optimizer"] = {"class": f"{optimizer.__module__}.{optimizer.__qualname__}"}
    if not (params["random_state"] is None or isinstance(params["random_state"], int)):
        params["random_state"] = None  # a RandomState instance is not portable
    params["device"] = str(params["device"])
    if params.get("checkpoint_dir") is not None:
        params["checkpoint_dir"] = str(params["checkpoint_dir"])
    return params


def _restore_params(params):
    optimizer = params.get("optimizer")
    if isinstance(optimizer, dict):
        module, _, name = optimizer["class"].rpartition(".")
        params["optimizer"] = getattr(importlib.import_module(module), name)
    return params


def save_classifier(estimator, path):
    """Write a fitted RNNClassifier to ``path`` (see the module docstring).

    Parameters
    ----------
    estimator : RNNClassifier
        A fitted classifier.
    path : str or os.PathLike
        File to write (conventionally ``*.pt``).

    Returns
    -------
    path : pathlib.Path
    """
    from sklearn.utils.validation import check_is_fitted

    check_is_fitted(estimator)
    classes = np.asarray(estimator.classes_)
    fitted = {
        "classes": classes.tolist(),
        "classes_dtype": classes.dtype.str if classes.dtype != object else "object",
        "n_features_in": int(estimator.n_features_in_),
        "feature_names_in": (
            [str(name) for name in estimator.feature_names_in_]
            if hasattr(estimator, "feature_names_in_")
            else None
        ),
        "n_timesteps_in": int(estimator.n_timesteps_in_),
        "n_channels": int(estimator.n_channels_),
        "fit_input_ndim": int(estimator._fit_input_ndim),
        "n_epochs": int(estimator.n_epochs_),
        "device": str(estimator.device_),
        "history": json.dumps(estimator.net_.history.to_list(), default=str),
    }
    state = {
        key: value.detach().cpu()
        for key, value in estimator.net_.module_.state_dict().items()
    }
    payload = {
        "format": FORMAT,
        "format_version": FORMAT_VERSION,
        "package_version": _package_version(),
        "torch_version": str(torch.__version__),
        "params": _portable_params(estimator),
        "fitted": fitted,
        "state_dict": state,
    }
    path = Path(path)
    torch.save(payload, path)
    return path


def _read(path):
    try:
        payload = torch.load(path, map_location="cpu", weights_only=True)
    except FileNotFoundError:
        raise
    except Exception as error:
        raise ValueError(
            f"{os.fspath(path)!r} is not a file written by RNNClassifier.save "
            f"({type(error).__name__} while reading it). Save the model with "
            "clf.save(path), or use pickle/joblib.load for pickled models."
        ) from None
    if not isinstance(payload, dict) or payload.get("format") != FORMAT:
        raise ValueError(
            f"{os.fspath(path)!r} is not a file written by RNNClassifier.save. "
            "Save the model with clf.save(path)."
        )
    return payload


def _check_versions(payload, path, allow_version_mismatch):
    if payload.get("format_version") != FORMAT_VERSION:
        raise ValueError(
            f"{os.fspath(path)!r} uses file format version "
            f"{payload.get('format_version')}, this ica_sklearn reads version "
            f"{FORMAT_VERSION}. Load it with the ica_sklearn version that wrote "
            f"it ({payload.get('package_version')}) and refit or re-save."
        )
    saved, current = payload.get("package_version"), _package_version()
    if saved == current:
        return
    message = (
        f"{os.fspath(path)!r} was saved by ica_sklearn {saved}, but this is "
        f"ica_sklearn {current}; models may behave differently across versions."
    )
    if not allow_version_mismatch:
        raise ValueError(
            message + " Install ica_sklearn=="
            f"{saved} to use it, refit the model, or pass "
            "allow_version_mismatch=True to load it anyway."
        )
    warnings.warn(message + " Loaded because allow_version_mismatch=True.", UserWarning)


def load_classifier(cls, path, *, device=None, allow_version_mismatch=False):
    """Read a classifier written by :func:`save_classifier`.

    Parameters
    ----------
    cls : type
        ``RNNClassifier`` (or a subclass).
    path : str or os.PathLike
    device : str or None, default=None
        Where to put the network.  None: the device it was trained on when
        that is available here, else "cpu" (a GPU-trained model loads on a
        CPU-only machine).
    allow_version_mismatch : bool, default=False
        Load files written by another ica_sklearn version (with a warning)
        instead of raising ``ValueError``.

    Returns
    -------
    estimator : cls
        Fitted, ready for ``predict`` and ``SaliencyExplainer``.
    """
    from skorch.history import History

    payload = _read(path)
    _check_versions(payload, path, allow_version_mismatch)
    fitted = payload["fitted"]
    estimator = cls(**_restore_params(dict(payload["params"])))
    if device is None:
        device = fitted["device"]
        if device.startswith("cuda") and not torch.cuda.is_available():
            device = "cpu"
    dtype = None if fitted["classes_dtype"] == "object" else np.dtype(fitted["classes_dtype"])
    estimator.classes_ = np.asarray(fitted["classes"], dtype=dtype)
    estimator.n_features_in_ = fitted["n_features_in"]
    if fitted["feature_names_in"] is not None:
        estimator.feature_names_in_ = np.asarray(fitted["feature_names_in"], dtype=object)
    estimator.n_timesteps_in_ = fitted["n_timesteps_in"]
    estimator.n_channels_ = fitted["n_channels"]
    estimator._fit_input_ndim = fitted["fit_input_ndim"]
    estimator.n_epochs_ = fitted["n_epochs"]
    estimator.device_ = str(device)
    net = build_net(estimator, len(estimator.classes_), seed=0)
    net.initialize()  # (draws from a throwaway generator; the weights are then replaced)
    try:
        net.module_.load_state_dict(payload["state_dict"])
    except RuntimeError as error:
        raise ValueError(
            f"The weights in {os.fspath(path)!r} do not fit the network these "
            "parameters build (the architecture changed between versions?). "
            "Refit the model with this ica_sklearn version. Details: "
            + str(error).splitlines()[0]
        ) from None
    net.module_.to(estimator.device_)
    net.history = History(json.loads(fitted["history"]))
    estimator.net_ = net
    return estimator
