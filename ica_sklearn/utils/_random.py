"""Seeded random draws that leave torch's and NumPy's global generators alone.

Seeding torch's global generator (``torch.manual_seed`` inside
``torch.random.fork_rng``) is not thread-safe: two seeded fits in threads
draw from the same generator, and a fit in one thread changes the draws of
code in another.  Seeded work here draws from a private ``torch.Generator``
instead:

* :func:`private_generator` makes a generator the *active* one of the
  current thread for a block; the code that draws during training (the
  classifier's data loader, :class:`~ica_sklearn.nn.FastDropout`) asks
  :func:`active_generator` for it.
* :func:`redirected_draws` sends every random operation of a block that
  names no generator (such as the initialisers a layer's constructor calls)
  to a generator.  It costs a Python call per torch operation, so it is for
  short blocks: building a module.

A ``torch.Generator`` seeded with ``s`` produces the same numbers as torch's
global generator after ``torch.manual_seed(s)``, so work moved from the
global generator to a private one in the same order of draws gives the same
results.

Some draws cannot be given a generator: the dropout inside torch's fused
multi-layer recurrent kernels, and the methods of Captum that draw from
torch's and NumPy's global generators.  Such work runs under
:func:`seeded_global_state`: a process-wide lock (so seeded blocks never
interleave) around seeded private copies of the global generators.

Examples
--------
>>> import torch
>>> from ica_sklearn.utils._random import redirected_draws
>>> generator = torch.Generator().manual_seed(0)
>>> _ = torch.manual_seed(3)
>>> with redirected_draws(generator):
...     layer = torch.nn.Linear(2, 2)
>>> after = torch.rand(1)
>>> _ = torch.manual_seed(3)
>>> bool(torch.rand(1) == after)  # the global generator was not used
True
"""

import functools
import inspect
import threading
from contextlib import contextmanager

import torch
from torch.overrides import TorchFunctionMode

from ._torch import forked_random_state

__all__ = [
    "GLOBAL_RANDOM_STATE_LOCK",
    "active_generator",
    "private_generator",
    "redirected_draws",
    "seeded_generator",
    "seeded_global_state",
]

#: Held while a block runs on seeded copies of the global generators.
GLOBAL_RANDOM_STATE_LOCK = threading.RLock()

_ACTIVE = threading.local()

#: Random operations that take a ``generator`` keyword.
_RANDOM_OPERATIONS = frozenset(
    {
        torch.Tensor.uniform_,
        torch.Tensor.normal_,
        torch.Tensor.random_,
        torch.Tensor.bernoulli_,
        torch.Tensor.exponential_,
        torch.Tensor.geometric_,
        torch.Tensor.cauchy_,
        torch.Tensor.log_normal_,
        torch.rand,
        torch.randn,
        torch.randint,
        torch.randperm,
        torch.normal,
        torch.bernoulli,
        torch.multinomial,
    }
)


def seeded_generator(seed):
    """A CPU ``torch.Generator`` seeded with ``seed``."""
    generator = torch.Generator()
    generator.manual_seed(int(seed))
    return generator


def active_generator():
    """The generator of the innermost :func:`private_generator` block of this
    thread, or None outside one (torch's global generator)."""
    return getattr(_ACTIVE, "generator", None)


@contextmanager
def private_generator(generator):
    """Make ``generator`` this thread's :func:`active_generator` for a block.

    Examples
    --------
    >>> from ica_sklearn.utils._random import active_generator, private_generator, seeded_generator
    >>> with private_generator(seeded_generator(0)) as generator:
    ...     active_generator() is generator
    True
    >>> active_generator() is None
    True
    """
    previous = active_generator()
    _ACTIVE.generator = generator
    try:
        yield generator
    finally:
        _ACTIVE.generator = previous


@functools.cache
def _random_initialiser(func):
    """Whether ``func`` is an initialiser of :mod:`torch.nn.init` that draws
    (takes a ``generator``; ``constant_``, ``zeros_`` and the like do not)."""
    if getattr(func, "__module__", None) != "torch.nn.init":
        return False
    try:
        return "generator" in inspect.signature(func).parameters
    except (TypeError, ValueError):
        return False


class _RedirectDraws(TorchFunctionMode):
    """Gives every random operation without a generator ``generator``."""

    def __init__(self, generator):
        super().__init__()
        self.generator = generator

    def __torch_function__(self, func, types, args=(), kwargs=None):
        kwargs = kwargs or {}
        if kwargs.get("generator") is None and (
            func in _RANDOM_OPERATIONS or _random_initialiser(func)
        ):
            kwargs = {**kwargs, "generator": self.generator}
        return func(*args, **kwargs)


@contextmanager
def redirected_draws(generator):
    """Send this thread's random draws that name no generator to ``generator``.

    Covers torch's sampling functions and in-place samplers and the
    initialisers of :mod:`torch.nn.init` (torch function modes are
    thread-local, so other threads keep drawing from the global generator).
    Draws made inside fused kernels (dropout) are not covered.
    """
    with _RedirectDraws(generator):
        yield generator


@contextmanager
def seeded_global_state(seed, device="cpu", *, numpy_too=False):
    """Run a block on seeded copies of the global generators, one block at a time.

    For work whose draws cannot be given a generator.  The process-wide
    :data:`GLOBAL_RANDOM_STATE_LOCK` keeps two such blocks (in two threads)
    from drawing from each other's state; the global generators are restored
    afterwards (see :func:`~ica_sklearn.utils._torch.forked_random_state`).
    Code of other threads that draws from the global generators meanwhile is
    not locked out.
    """
    with GLOBAL_RANDOM_STATE_LOCK, forked_random_state(seed, device, numpy_too=numpy_too):
        yield
