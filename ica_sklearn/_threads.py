"""Torch thread control: :func:`torch_threads`.

:class:`~ica_sklearn.RNNClassifier` trains and predicts, and
:class:`~ica_sklearn.SaliencyExplainer` explains, with the classifier's
``torch_num_threads``; torch's process-wide setting is restored afterwards.
"""

from contextlib import contextmanager

import torch

__all__ = ["torch_threads"]


@contextmanager
def torch_threads(n_threads):
    """Run a block with ``torch.set_num_threads(n_threads)``; restore after.

    ``None`` leaves torch's setting alone.

    Examples
    --------
    >>> import torch
    >>> from ica_sklearn._threads import torch_threads
    >>> before = torch.get_num_threads()
    >>> with torch_threads(1):
    ...     torch.get_num_threads()
    1
    >>> torch.get_num_threads() == before
    True
    """
    if n_threads is None:
        yield
        return
    previous = torch.get_num_threads()
    torch.set_num_threads(int(n_threads))
    try:
        yield
    finally:
        torch.set_num_threads(previous)
