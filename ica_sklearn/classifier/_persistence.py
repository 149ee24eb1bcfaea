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
  stored by its dotted name and restored only when it is one of
  :mod:`torch.optim`'s optimizers (or passed to ``load``); a ``class_weight``
  dict is stored as a list of ``[label, weight]`` pairs (labels as plain
  str/int/float/bool);
* ``fitted``: ``classes_``, ``n_features_in_``, ``feature_names_in_``,
  ``n_timesteps_in_``, ``n_channels_``, ``n_epochs_``, ``device_`` and the
  training history;
* ``state_dict``: the torch module's weights, moved to the CPU.

Files from another package version are refused with a ``ValueError`` that
names both versions; ``allow_version_mismatch=True`` loads them anyway with a
``UserWarning`` (the weights load only if the architecture is unchanged).

Writing goes through a temporary file and :func:`os.replace`
(:func:`~ica_sklearn.utils._files.atomic_write`): a failed or killed save
leaves an earlier file at the path as it was.  Reading checks every field's
type before using it, so a crafted or damaged file gives a ``ValueError``
that names the file and the field; nothing named by the file is imported or
called.
"""

import json
import os
import warnings
from pathlib import Path

import numpy as np
import torch

from ..utils._files import atomic_write
from ..utils._torch import resolve_device
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
    if isinstance(params.get("class_weight"), dict):
        params["class_weight"] = _portable_class_weight(params["class_weight"])
    if params.get("checkpoint_dir") is not None:
        params["checkpoint_dir"] = str(params["checkpoint_dir"])
    return params


def _dotted_name(cls):
    return f"{cls.__module__}.{cls.__qualname__}"


def _torch_optimizers():
    """Dotted name -> class of every optimizer in :mod:`torch.optim`."""
    return {
        _dotted_name(value): value
        for value in vars(torch.optim).values()
        if isinstance(value, type) and issubclass(value, torch.optim.Optimizer)
    }


def _restore_params(params, path, optimizer=None):
    """The saved hyper-parameters with the optimizer class looked up in an
    allow-list (never imported by the name in the file)."""
    params = dict(params)
    params["callbacks"] = None
    pairs = params.get("class_weight")
    if isinstance(pairs, list):
        if not all(isinstance(pair, list) and len(pair) == 2 for pair in pairs):
            raise _incomplete(path, "'params.class_weight' must list [label, weight] pairs")
        params["class_weight"] = {label: weight for label, weight in pairs}
    saved = params.get("optimizer")
    if isinstance(saved, dict):
        name = saved.get("class")
        if optimizer is not None and isinstance(optimizer, type) and _dotted_name(optimizer) == name:
            params["optimizer"] = optimizer
        elif name in _torch_optimizers():
            params["optimizer"] = _torch_optimizers()[name]
        else:
            raise ValueError(
                f"{os.fspath(path)!r} was trained with the optimizer class {name!r}, "
                "which load does not import (it restores only torch.optim's "
                "optimizers, so that a file can never make it run code). Pass the "
                "class yourself: RNNClassifier.load(path, optimizer=TheClass)."
            )
    return params


def _checked_plain(labels, what):
    """``labels`` unchanged when all are str/int/float/bool (what a safe load reads)."""
    odd = sorted({type(label).__name__ for label in labels} - {"str", "int", "float", "bool"})
    if odd:
        raise TypeError(
            f"save stores class labels of type str, int, float or bool; {what} "
            f"holds labels of type {odd}. Encode the labels (e.g. as strings) "
            "before fitting, or use pickle/joblib for this model."
        )
    return labels


def _plain_labels(classes):
    """``classes_`` as a list of str/int/float/bool; datetime64/timedelta64
    labels as their int64 counts."""
    classes = np.asarray(classes)
    if classes.dtype.kind in "mM":
        classes = classes.view(np.int64)
    return _checked_plain(classes.tolist(), "classes_")


def _portable_class_weight(class_weight):
    """A ``class_weight`` dict as ``[label, weight]`` pairs of plain values."""
    labels = [label.item() if isinstance(label, np.generic) else label for label in class_weight]
    _checked_plain(labels, "class_weight")
    return [[label, float(weight)] for label, weight in zip(labels, class_weight.values())]


def save_classifier(estimator, path):
    """Write a fitted RNNClassifier to ``path`` (see the module docstring).

    Parameters
    ----------
    estimator : RNNClassifier
        A fitted classifier.
    path : str or os.PathLike
        File to write (conventionally ``*.pt``); its folder must exist.

    Returns
    -------
    path : pathlib.Path

    Raises
    ------
    OSError
        When the folder is missing or not writable, ``path`` is a folder, or
        the write fails; an earlier file at ``path`` is then unchanged.
    """
    from sklearn.utils.validation import check_is_fitted

    check_is_fitted(estimator)
    classes = np.asarray(estimator.classes_)
    fitted = {
        "classes": _plain_labels(classes),
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
    return atomic_write(path, lambda handle: torch.save(payload, handle), what="model")


def _read(path):
    path = Path(path)
    if path.is_dir():
        raise IsADirectoryError(
            f"{os.fspath(path)!r} is a folder; pass the model file written by "
            "RNNClassifier.save (e.g. 'model.pt')."
        )
    if not path.exists():
        raise FileNotFoundError(
            f"No model file at {os.fspath(path)!r}. Check the path, or write one "
            "with clf.save(path)."
        )
    try:
        payload = torch.load(path, map_location="cpu", weights_only=True)
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


#: The fields of ``payload["fitted"]`` and their types.
_FITTED_FIELDS = {
    "classes": list,
    "classes_dtype": str,
    "n_features_in": int,
    "feature_names_in": (list, type(None)),
    "n_timesteps_in": int,
    "n_channels": int,
    "fit_input_ndim": int,
    "n_epochs": int,
    "device": str,
    "history": str,
}


def _incomplete(path, what):
    return ValueError(
        f"{os.fspath(path)!r} is not a complete file written by RNNClassifier.save: "
        f"{what}. Save the model again with clf.save(path)."
    )


def _field(mapping, key, types, path, where=""):
    """``mapping[key]``, checked to be of ``types`` (bools are not ints)."""
    if key not in mapping:
        raise _incomplete(path, f"the field {where}{key!r} is missing")
    value = mapping[key]
    types = types if isinstance(types, tuple) else (types,)
    if not isinstance(value, types) or (isinstance(value, bool) and bool not in types):
        expected = " or ".join(t.__name__ for t in types)
        raise _incomplete(
            path, f"the field {where}{key!r} is a {type(value).__name__}, not a {expected}"
        )
    return value


def _checked_payload(payload, path):
    """The parts of ``payload`` that load reads, each checked."""
    params = _field(payload, "params", dict, path)
    state = _field(payload, "state_dict", dict, path)
    if not all(isinstance(k, str) and isinstance(v, torch.Tensor) for k, v in state.items()):
        raise _incomplete(path, "'state_dict' must map names to tensors")
    fitted_raw = _field(payload, "fitted", dict, path)
    fitted = {
        key: _field(fitted_raw, key, types, path, "fitted.")
        for key, types in _FITTED_FIELDS.items()
    }
    try:
        dtype = object if fitted["classes_dtype"] == "object" else np.dtype(fitted["classes_dtype"])
        if dtype != object and dtype.kind in "mM":  # stored as int64 counts
            fitted["classes"] = np.asarray(fitted["classes"], dtype=np.int64).view(dtype)
        else:
            fitted["classes"] = np.asarray(fitted["classes"], dtype=dtype)
        fitted["history"] = json.loads(fitted["history"])
    except (TypeError, ValueError) as error:
        raise _incomplete(path, f"its classes or history do not read ({error})") from None
    if fitted["classes"].ndim != 1 or len(fitted["classes"]) < 2:
        raise _incomplete(path, "'classes' must list at least 2 labels")
    if fitted["fit_input_ndim"] not in (2, 3) or min(
        fitted["n_features_in"], fitted["n_timesteps_in"], fitted["n_channels"]
    ) < 1:
        raise _incomplete(path, "its input sizes are out of range")
    if not isinstance(fitted["history"], list):
        raise _incomplete(path, "'history' must be a list of epochs")
    return params, fitted, state


def _estimator_from_params(cls, params, path, optimizer):
    params = _restore_params(params, path, optimizer)
    unknown = sorted(set(params) - set(cls._get_param_names()))
    if unknown:
        raise ValueError(
            f"{os.fspath(path)!r} names hyper-parameters {cls.__name__} does not "
            f"have: {unknown}. It was written by another version or edited; refit "
            "and save the model again."
        )
    estimator = cls(**params)
    try:
        estimator._validate_params()
    except ValueError as error:  # (scikit-learn's InvalidParameterError)
        raise ValueError(
            f"{os.fspath(path)!r} holds an invalid hyper-parameter: {error}"
        ) from None
    return estimator


def _load_device(device, saved):
    """``device`` checked; None: ``saved`` when it exists here, else "cpu"."""
    if device is not None:
        return str(resolve_device(device))
    try:
        return str(resolve_device(saved))
    except ValueError:
        return "cpu"


def load_classifier(cls, path, *, device=None, allow_version_mismatch=False, optimizer=None):
    """Read a classifier written by :func:`save_classifier`.

    Parameters
    ----------
    cls : type
        ``RNNClassifier`` (or a subclass).
    path : str or os.PathLike
    device : str or None, default=None
        Where to put the network ("auto", "cpu", "cuda", "cuda:<index>",
        "mps"; checked to exist here).  None: the device it was trained on
        when that is available here, else "cpu" (a GPU-trained model loads
        on a CPU-only machine).
    allow_version_mismatch : bool, default=False
        Load files written by another ica_sklearn version (with a warning)
        instead of raising ``ValueError``.
    optimizer : type or None, default=None
        The optimizer class of a model trained with one that is not in
        :mod:`torch.optim` (load never imports a class named by a file).

    Returns
    -------
    estimator : cls
        Fitted, ready for ``predict`` and ``SaliencyExplainer``.

    Raises
    ------
    FileNotFoundError, IsADirectoryError
        For a missing file or a folder.
    ValueError
        For a file that is not a complete file written by ``save`` (each
        field is checked), of another version, or whose weights do not fit.
    """
    from skorch.history import History

    payload = _read(path)
    _check_versions(payload, path, allow_version_mismatch)
    params, fitted, state = _checked_payload(payload, path)
    estimator = _estimator_from_params(cls, params, path, optimizer)
    estimator.classes_ = fitted["classes"]
    estimator.n_features_in_ = fitted["n_features_in"]
    if fitted["feature_names_in"] is not None:
        estimator.feature_names_in_ = np.asarray(fitted["feature_names_in"], dtype=object)
    estimator.n_timesteps_in_ = fitted["n_timesteps_in"]
    estimator.n_channels_ = fitted["n_channels"]
    estimator._fit_input_ndim = fitted["fit_input_ndim"]
    estimator.n_epochs_ = fitted["n_epochs"]
    estimator.device_ = _load_device(device, fitted["device"])
    net = build_net(estimator, len(estimator.classes_), seed=0)
    net.initialize()  # (draws from a throwaway generator; the weights are then replaced)
    try:
        net.module_.load_state_dict(state)
    except RuntimeError as error:
        raise ValueError(
            f"The weights in {os.fspath(path)!r} do not fit the network these "
            "parameters build (the architecture changed between versions?). "
            "Refit the model with this ica_sklearn version. Details: "
            + str(error).splitlines()[0]
        ) from None
    net.module_.to(estimator.device_)
    net.history = History(fitted["history"])
    estimator.net_ = net
    return estimator
