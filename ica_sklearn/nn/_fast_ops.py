"""Cheaper CPU versions of two standard operations: dropout and tanh.

Both give the same results as torch's own operations (in distribution for
dropout, to rounding for tanh) at a fraction of the cost on the CPU, where
they dominated an ``ica_lstm`` training step; on other devices they are
torch's operations.

Dropout
-------
torch draws CPU dropout masks with ``bernoulli_`` on its Mersenne Twister
generator, one float per element.  :class:`FastDropout` draws the mask from
16-bit words of NumPy's SFC64 generator, about ten times cheaper, seeded on
every call from the generator of the thread's seeded block
(:func:`~ica_sklearn.utils._random.active_generator`, which a seeded
``RNNClassifier.fit`` sets) or else from torch's global generator, so a seed
still fixes every mask.  On other devices, inside a seeded block, the mask
is drawn by a device generator seeded the same way.  The drop rate is ``p``
rounded to a multiple of 2**-16 (0.1 becomes 0.1000061) and the kept
elements are scaled by the inverse of the rounded keep rate, so the layer's
expected output is exactly its input.

tanh
----
On the CPU torch's ``tanh`` costs several times its ``sigmoid``;
:func:`scoring_tanh` uses ``tanh(z) = 2 sigmoid(2 z) - 1``, within 2e-7
(float32) and 4e-16 (float64) of torch's ``tanh``.
"""

import numpy as np
import torch
from torch import nn

from ..utils._random import active_generator
from ._private_ops import tanh_backward

__all__ = ["FastDropout", "scoring_tanh"]

_WORD = 2**16


class FastDropout(nn.Dropout):
    """``nn.Dropout`` with a faster mask on the CPU (same distribution).

    Each element is kept with probability ``1 - p`` (``p`` rounded to a
    multiple of 2**-16) and scaled by the inverse of that keep rate; dropped
    elements are zero, in the forward pass and in the gradient.

    Examples
    --------
    >>> import torch
    >>> from ica_sklearn.nn import FastDropout
    >>> layer = FastDropout(0.5).train()
    >>> _ = torch.manual_seed(0)
    >>> out = layer(torch.ones(10_000))
    >>> sorted(set(out.tolist()))
    [0.0, 2.0]
    >>> round(float((out == 0).float().mean()), 1)
    0.5
    """

    def forward(self, inputs):
        if not self.training or self.p == 0.0 or self.inplace:
            return super().forward(inputs)
        generator = active_generator()  # None: torch's global generator
        if inputs.device.type != "cpu":
            if generator is None:
                return super().forward(inputs)
            return _seeded_device_dropout(inputs, self.p, generator)
        if self.p == 1.0:
            return inputs * 0.0
        threshold = min(round(self.p * _WORD), _WORD - 1)
        seed = int(torch.randint(0, 2**62, (), generator=generator))
        n_words = -(-inputs.numel() // 4)  # four 16-bit words per 64-bit draw
        words = np.random.SFC64(seed).random_raw(n_words).view(np.uint16)
        keep = words[: inputs.numel()] >= np.uint16(threshold)
        # (through uint8: torch converts bool to float much more slowly)
        scale = torch.from_numpy(keep.view(np.uint8)).view(inputs.shape).to(inputs.dtype)
        scale.mul_(_WORD / (_WORD - threshold))
        return inputs * scale


def _seeded_device_dropout(inputs, p, generator):
    """Dropout whose mask comes from a device generator seeded from ``generator``.

    (torch's dropout takes no generator, so the mask is drawn explicitly.)
    """
    seed = int(torch.randint(0, 2**62, (), generator=generator))
    device_generator = torch.Generator(device=inputs.device)
    device_generator.manual_seed(seed)
    if p == 1.0:
        return inputs * 0.0
    keep = torch.empty_like(inputs).bernoulli_(1.0 - p, generator=device_generator)
    return inputs * keep.div_(1.0 - p)


class _SigmoidTanh(torch.autograd.Function):
    """``2 sigmoid(2 z) - 1`` forward, torch's tanh derivative backward."""

    @staticmethod
    def forward(ctx, z):
        out = torch.sigmoid(z * 2.0).mul_(2.0).sub_(1.0)
        ctx.save_for_backward(out)
        return out

    @staticmethod
    def backward(ctx, grad_output):
        (out,) = ctx.saved_tensors
        return tanh_backward(grad_output, out)


def scoring_tanh(z):
    """Hyperbolic tangent, through the sigmoid on the CPU.

    Examples
    --------
    >>> import torch
    >>> from ica_sklearn.nn._fast_ops import scoring_tanh
    >>> z = torch.linspace(-5, 5, 11, dtype=torch.float64)
    >>> bool((scoring_tanh(z) - torch.tanh(z)).abs().max() < 1e-15)
    True
    """
    if z.device.type != "cpu":
        return torch.tanh(z)
    return _SigmoidTanh.apply(z)
