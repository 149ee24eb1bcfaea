"""Torch helpers shared by the classifier and the explainer: dtype and device
names, thread control, seeded random state, and cuDNN control for backward
passes in eval mode.

Examples
--------
>>> from ica_sklearn.utils._torch import DTYPES, resolve_device
>>> DTYPES["float64"]
(<class 'numpy.float64'>, torch.float64)
>>> resolve_device("cpu")
'cpu'
"""

from contextlib import contextmanager

import numpy as np
import torch

__all__ = [
    "DTYPES",
    "evaluating",
    "forked_random_state",
    "no_cudnn",
    "resolve_device",
    "torch_threads",
]

#: ``dtype`` names and their (numpy, torch) dtypes.
DTYPES = {"float32": (np.float32, torch.float32), "float64": (np.float64, torch.float64)}


def resolve_device(device):
    """Turn ``"auto"`` into ``"cuda"`` when a GPU is visible, else ``"cpu"``;
    check that any other device exists here.

    Raises
    ------
    ValueError
        For a name torch does not know, or a device this machine lacks.
    """
    if device == "auto":
        return "cuda" if torch.cuda.is_available() else "cpu"
    try:
        parsed = torch.device(device)
    except (RuntimeError, TypeError):
        raise ValueError(
            f"device={device!r} is not a torch device. Use 'auto', 'cpu', 'cuda', "
            "'cuda:<index>' or 'mps'."
        ) from None
    if parsed.type == "cuda":
        count = torch.cuda.device_count() if torch.cuda.is_available() else 0
        if count == 0:
            raise ValueError(
                f"device={device!r}, but torch sees no CUDA GPU here "
                "(torch.cuda.is_available() is False). Use device='auto' or 'cpu', "
                "or install a CUDA build of torch."
            )
        if parsed.index is not None and parsed.index >= count:
            raise ValueError(
                f"device={device!r}, but torch sees only {count} GPU(s) "
                f"(cuda:0 to cuda:{count - 1}). Pick one of those."
            )
    if parsed.type == "mps" and not torch.backends.mps.is_available():
        raise ValueError(
            f"device={device!r}, but this torch build or machine has no MPS "
            "(Apple GPU) support. Use device='auto' or 'cpu'."
        )
    return device


@contextmanager
def torch_threads(n_threads):
    """Run a block with ``torch.set_num_threads(n_threads)``; restore after.

    ``None`` leaves torch's setting alone.

    Examples
    --------
    >>> import torch
    >>> from ica_sklearn.utils._torch import torch_threads
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


@contextmanager
def forked_random_state(seed=None, device="cpu", *, numpy_too=False):
    """Run a block on a private copy of torch's global random state.

    Torch's generator (and that of a CUDA ``device``) is saved before the
    block and restored after it, so the block never changes the draws of
    the code around it.  With ``seed``, the generators are seeded inside;
    ``numpy_too`` does the same for NumPy's global generator (Captum draws
    from both).

    Examples
    --------
    >>> import torch
    >>> from ica_sklearn.utils._torch import forked_random_state
    >>> _ = torch.manual_seed(1)
    >>> with forked_random_state(seed=0):
    ...     inside = torch.rand(1)
    >>> after = torch.rand(1)
    >>> _ = torch.manual_seed(1)
    >>> bool(torch.rand(1) == after)
    True
    """
    devices = [torch.device(device)] if str(device).startswith("cuda") else []
    numpy_state = np.random.get_state() if numpy_too else None
    try:
        with torch.random.fork_rng(devices=devices):
            if seed is not None:
                torch.manual_seed(seed)
                if numpy_too:
                    np.random.seed(seed % 2**32)
            yield
    finally:
        if numpy_state is not None:
            np.random.set_state(numpy_state)


@contextmanager
def evaluating(module):
    """Eval mode and no gradients for a block; the module's mode is restored after."""
    was_training = module.training
    module.eval()
    try:
        with torch.no_grad():
            yield
    finally:
        module.train(was_training)


@contextmanager
def no_cudnn(device):
    """Disable cuDNN for a block on a GPU (a no-op on other devices).

    cuDNN's RNN kernels refuse a backward pass in eval mode; switching the
    model to train mode instead would turn dropout on.  The native kernels
    compute the same gradients.
    """
    if not str(device).startswith("cuda"):
        yield
        return
    with torch.backends.cudnn.flags(
        enabled=False,
        benchmark=torch.backends.cudnn.benchmark,
        deterministic=torch.backends.cudnn.deterministic,
    ):
        yield
