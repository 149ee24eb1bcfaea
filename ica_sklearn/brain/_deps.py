"""Lazy access to the optional ``nilearn`` dependency.

``import ica_sklearn`` must work without nilearn; only calling a function of
:mod:`ica_sklearn.brain` needs it.
"""

import importlib

_INSTALL_HINT = (
    "ica_sklearn.brain needs nilearn (and nibabel, which comes with it). "
    "Install them with: pip install ica_sklearn[brain]"
)


def require(module_name="nilearn"):
    """Import and return ``module_name``, or raise an ImportError with the fix.

    Parameters
    ----------
    module_name : str, default="nilearn"
        Dotted name of a module of nilearn or nibabel, e.g. ``"nilearn.plotting"``.

    Returns
    -------
    module : module
        The imported module.

    Raises
    ------
    ImportError
        If the module cannot be imported; the message says
        ``pip install ica_sklearn[brain]``.
    """
    try:
        return importlib.import_module(module_name)
    except ImportError as exc:
        raise ImportError(f"{_INSTALL_HINT} (could not import {module_name!r}: {exc})") from exc
