"""Transformer encoder over time steps, the sequence layer of the
``"transformer"`` (causal attention) and ``"transformer_full"`` cells.

The inputs are projected to ``d_model`` channels, the sinusoidal positional
encoding of Vaswani et al. (2017) is added, and pre-norm encoder layers
(self-attention, then a feed-forward network, each inside a residual branch
that starts with a layer norm) follow, with a final layer norm.

Masks
-----
Padded steps are masked as keys (``key_padding_mask``): no valid step
attends to them, so their values never matter.  With causal attention a step
also attends to no later step, so the output at step ``t`` depends on the
inputs up to ``t`` only.  Every query keeps at least one key (the first step
is valid in every sequence), so no softmax row is empty.

Dropout
-------
Dropout (:class:`~ica_sklearn.nn.FastDropout`) acts on the output of each
residual branch, before it is added.  The attention weights themselves are
not dropped: torch's attention draws that mask from the global generator,
which a seeded fit never uses.  This is also why the layers are written out
here rather than taken from :class:`torch.nn.TransformerEncoderLayer`, whose
dropouts draw from the global generator too; without dropout the two compute
the same function (``norm_first=True``, ReLU; tested).
"""

import math

import torch
from torch import nn

from ._fast_ops import FastDropout

__all__ = ["TransformerSequenceEncoder", "attention_heads", "sinusoidal_positions"]

#: Head counts tried, largest first: the first that divides ``d_model`` is used.
_HEAD_CHOICES = (4, 2, 1)


def attention_heads(d_model):
    """Attention heads for ``d_model`` channels: the largest of 4, 2, 1 dividing it.

    Examples
    --------
    >>> from ica_sklearn.nn import attention_heads
    >>> attention_heads(32), attention_heads(6), attention_heads(5)
    (4, 2, 1)
    """
    return next(heads for heads in _HEAD_CHOICES if d_model % heads == 0)


def sinusoidal_positions(n_steps, d_model, dtype=torch.float32, device=None):
    """Sinusoidal positional encoding (Vaswani et al., 2017), (n_steps, d_model).

    ``P[t, 2i] = sin(t / 10000**(2i / d_model))`` and
    ``P[t, 2i + 1] = cos(t / 10000**(2i / d_model))``; an odd ``d_model`` ends
    with a sine column.

    Examples
    --------
    >>> import torch
    >>> from ica_sklearn.nn import sinusoidal_positions
    >>> sinusoidal_positions(3, 5, dtype=torch.float64)[:, :2].round(decimals=4).tolist()
    [[0.0, 1.0], [0.8415, 0.5403], [0.9093, -0.4161]]
    """
    positions = torch.arange(n_steps, dtype=dtype, device=device)[:, None]
    even = torch.arange(0, d_model, 2, dtype=dtype, device=device)
    angles = positions * torch.exp(even * (-math.log(10000.0) / d_model))  # (T, ceil(d/2))
    encoding = torch.empty(n_steps, d_model, dtype=dtype, device=device)
    encoding[:, 0::2] = torch.sin(angles)
    encoding[:, 1::2] = torch.cos(angles[:, : d_model // 2])
    return encoding


class _EncoderLayer(nn.Module):
    """Pre-norm encoder layer: ``x + attention(norm(x))``, then
    ``x + feedforward(norm(x))``.  Submodule names follow
    :class:`torch.nn.TransformerEncoderLayer`, whose state dict loads as is."""

    def __init__(self, d_model, n_heads, dim_feedforward, dropout):
        super().__init__()
        self.self_attn = nn.MultiheadAttention(d_model, n_heads, batch_first=True)
        self.linear1 = nn.Linear(d_model, dim_feedforward)
        self.activation = nn.ReLU()
        self.linear2 = nn.Linear(dim_feedforward, d_model)
        self.norm1 = nn.LayerNorm(d_model)
        self.norm2 = nn.LayerNorm(d_model)
        self.dropout1 = FastDropout(dropout)
        self.dropout2 = FastDropout(dropout)

    def forward(self, inputs, attention_mask, key_padding_mask):
        normed = self.norm1(inputs)
        attended, _ = self.self_attn(
            normed,
            normed,
            normed,
            key_padding_mask=key_padding_mask,
            attn_mask=attention_mask,
            need_weights=False,
        )
        inputs = inputs + self.dropout1(attended)
        transformed = self.linear2(self.activation(self.linear1(self.norm2(inputs))))
        return inputs + self.dropout2(transformed)


class TransformerSequenceEncoder(nn.Module):
    """Transformer encoder over the time steps of a sequence.

    Maps a (batch, n_timesteps, input_size) sequence to (batch, n_timesteps,
    d_model) outputs: a linear projection to ``d_model`` channels, the
    :func:`sinusoidal_positions` added, ``num_layers`` pre-norm encoder
    layers and a final layer norm.  Padded steps are masked out of the
    attention; with ``causal=True`` each step attends to itself and earlier
    steps only.

    Parameters
    ----------
    input_size : int
        Features per time step.
    d_model : int
        Channels (the ``hidden_size`` of the classifier); the attention uses
        :func:`attention_heads` heads (4, 2 or 1, whichever divides it).
    num_layers : int, default=1
    dropout : float, default=0.0
        Dropout on each residual branch (attention and feed-forward).
    causal : bool, default=True
        Attend to the past and present only; False attends to all valid steps.
    dim_feedforward : int or None, default=None
        Hidden units of the feed-forward networks; None means ``4 * d_model``.

    Examples
    --------
    >>> import torch
    >>> from ica_sklearn.nn import TransformerSequenceEncoder
    >>> encoder = TransformerSequenceEncoder(input_size=3, d_model=8)
    >>> x, valid = torch.randn(2, 6, 3), torch.ones(2, 6, dtype=torch.bool)
    >>> encoder(x, valid).shape, encoder.n_heads
    (torch.Size([2, 6, 8]), 4)
    """

    def __init__(
        self, input_size, d_model, num_layers=1, dropout=0.0, causal=True, dim_feedforward=None
    ):
        super().__init__()
        self.causal = causal
        self.n_heads = attention_heads(d_model)
        self.projection = nn.Linear(input_size, d_model)
        self.layers = nn.ModuleList(
            _EncoderLayer(d_model, self.n_heads, dim_feedforward or 4 * d_model, dropout)
            for _ in range(num_layers)
        )
        self.norm = nn.LayerNorm(d_model)

    def forward(self, inputs, valid=None):
        """Outputs (B, T, d_model) of inputs (B, T, input_size).

        ``valid`` is the (B, T) boolean mask of valid steps (True), each
        sequence's valid steps first; None means all steps are valid.
        """
        n_steps, d_model = inputs.shape[1], self.projection.out_features
        hidden = self.projection(inputs) + sinusoidal_positions(
            n_steps, d_model, dtype=inputs.dtype, device=inputs.device
        )
        key_padding_mask = None if valid is None or bool(valid.all()) else ~valid
        attention_mask = None
        if self.causal:
            attention_mask = torch.ones(
                n_steps, n_steps, dtype=torch.bool, device=inputs.device
            ).triu_(diagonal=1)  # True: a later step, not attended to
        for layer in self.layers:
            hidden = layer(hidden, attention_mask, key_padding_mask)
        return self.norm(hidden)
