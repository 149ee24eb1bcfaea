"""The recurrent forward pass, by the fastest exact route.

:func:`recurrent_forward` owns every fast-path choice; the module calls it
and nothing else.  The routes compute the same function (same parameters,
same gradients) in a different order:

gate inputs first
    The first thing a recurrent layer does with its input ``M`` is the
    product ``M @ W_ih^T`` (gate inputs, ``g`` columns: ``4 H`` for an LSTM,
    ``3 H`` for a GRU, ``H`` for an Elman RNN).  Input-cell attention makes
    ``M = A X`` with a (T, T) attention ``A`` per sample, so the gate inputs
    are ``A (X W_ih^T)``: projecting first and attending second averages
    ``g`` columns instead of ``F``.  At the paper's sizes (F = 100, H = 5,
    g = 20) that cuts the attention products five-fold.  Taken on the CPU
    for one-direction layers with ``g < F``; the projected sequence then
    runs through the layer's fused kernel with an identity matrix in place
    of the first ``W_ih`` (:func:`~ica_sklearn.nn._private_ops.fused_recurrence`).
    (On CUDA the cuDNN kernel wants its own contiguous weight buffer, and
    the attention products are cheap there anyway.)
float64 LSTM on the CPU
    torch has no fused float64 CPU LSTM kernel; a one-layer float64 LSTM
    runs in :mod:`ica_sklearn.nn._float64_lstm` instead, whichever of the
    other choices is taken.
the layer itself
    Everything else.
"""

import torch
from torch import nn

from ._float64_lstm import lstm_on_gate_inputs
from ._private_ops import fused_recurrence

__all__ = ["recurrent_forward", "run_on_gate_inputs"]


def _gate_size(recurrent):
    """Rows ``g`` of the first layer's input weight ``W_ih``."""
    return recurrent.weight_ih_l0.shape[0]


def _one_direction_on_cpu(recurrent, inputs):
    return (
        inputs.device.type == "cpu"
        and not recurrent.bidirectional
        and getattr(recurrent, "proj_size", 0) == 0
    )


def _float64_lstm_applies(recurrent, inputs):
    return (
        recurrent.mode == "LSTM"
        and recurrent.num_layers == 1
        and inputs.dtype == torch.float64
        and _one_direction_on_cpu(recurrent, inputs)
    )


def _weights_with_identity_input(recurrent, identity):
    """The layer's weights in the fused kernel's order, first ``W_ih`` -> identity."""
    names = ("weight_ih_l{}", "weight_hh_l{}") + (
        ("bias_ih_l{}", "bias_hh_l{}") if recurrent.bias else ()
    )
    weights = [
        getattr(recurrent, name.format(layer))
        for layer in range(recurrent.num_layers)
        for name in names
    ]
    weights[0] = identity
    return weights


def run_on_gate_inputs(recurrent, gate_inputs):
    """Outputs (B, T, H) of ``recurrent`` on an input whose ``W_ih`` is applied.

    Parameters
    ----------
    recurrent : torch.nn.LSTM, torch.nn.GRU or torch.nn.RNN
        One direction, ``batch_first=True``.
    gate_inputs : torch.Tensor of shape (batch, n_timesteps, g)
        ``M @ W_ih^T`` for the sequence ``M`` the layer would have received.

    Returns
    -------
    outputs : torch.Tensor of shape (batch, n_timesteps, hidden_size)
        Equal to ``recurrent(M)[0]``.

    Examples
    --------
    >>> import torch
    >>> from torch import nn
    >>> from ica_sklearn.nn._recurrence import run_on_gate_inputs
    >>> lstm = nn.LSTM(6, 2, batch_first=True)
    >>> x = torch.randn(3, 4, 6)
    >>> gate_inputs = nn.functional.linear(x, lstm.weight_ih_l0)
    >>> torch.allclose(run_on_gate_inputs(lstm, gate_inputs), lstm(x)[0], atol=1e-6)
    True
    """
    if _float64_lstm_applies(recurrent, gate_inputs):
        return lstm_on_gate_inputs(recurrent, gate_inputs)
    identity = torch.eye(gate_inputs.shape[-1], dtype=gate_inputs.dtype, device=gate_inputs.device)
    return fused_recurrence(
        recurrent, gate_inputs, _weights_with_identity_input(recurrent, identity)
    )


def recurrent_forward(recurrent, inputs, input_attention=None):
    """Outputs (B, T, H) of ``recurrent`` on ``inputs``, or on the input-cell
    attention summaries of ``inputs`` when ``input_attention`` is given.

    Parameters
    ----------
    recurrent : torch.nn.LSTM, torch.nn.GRU or torch.nn.RNN
        ``batch_first=True``.
    inputs : torch.Tensor of shape (batch, n_timesteps, n_features)
    input_attention : InputCellAttention or None

    Returns
    -------
    outputs : torch.Tensor of shape (batch, n_timesteps, hidden_size * directions)

    Examples
    --------
    >>> import torch
    >>> from torch import nn
    >>> from ica_sklearn.nn import InputCellAttention
    >>> from ica_sklearn.nn._recurrence import recurrent_forward
    >>> lstm, attention = nn.LSTM(30, 2, batch_first=True), InputCellAttention(30)
    >>> x = torch.randn(3, 4, 30)
    >>> torch.allclose(recurrent_forward(lstm, x, attention), lstm(attention(x))[0], atol=1e-6)
    True
    """
    if input_attention is not None:
        if _one_direction_on_cpu(recurrent, inputs) and _gate_size(recurrent) < inputs.shape[-1]:
            gate_inputs = input_attention(inputs, value_weight=recurrent.weight_ih_l0)
            return run_on_gate_inputs(recurrent, gate_inputs)
        inputs = input_attention(inputs)
    if _float64_lstm_applies(recurrent, inputs):
        return lstm_on_gate_inputs(recurrent, nn.functional.linear(inputs, recurrent.weight_ih_l0))
    return recurrent(inputs)[0]
