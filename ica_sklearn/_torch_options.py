"""The torch objects that :class:`~ica_sklearn.RNNClassifier`'s string
parameters name: optimizers, dtypes and devices.

Examples
--------
>>> from ica_sklearn._torch_options import DTYPES, OPTIMIZERS, resolve_device
>>> OPTIMIZERS["adam"].__name__
'Adam'
>>> DTYPES["float64"][1]
torch.float64
>>> resolve_device("cpu")
'cpu'
"""

import numpy as np
import torch

__all__ = ["OPTIMIZERS", "DTYPES", "resolve_device"]

#: ``optimizer`` names and the torch optimizer classes they stand for.
OPTIMIZERS = {
    "adam": torch.optim.Adam,
    "adamw": torch.optim.AdamW,
    "sgd": torch.optim.SGD,
    "rmsprop": torch.optim.RMSprop,
}
#: ``dtype`` names and their (numpy, torch) dtypes.
DTYPES = {"float32": (np.float32, torch.float32), "float64": (np.float64, torch.float64)}


def resolve_device(device):
    """Turn ``"auto"`` into ``"cuda"`` when a GPU is visible, else ``"cpu"``;
    check that any other device exists here."""
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
    return device
