"""Run a fused torch RNN on inputs already multiplied by its input weights.

The first thing a recurrent layer does with its input ``M`` is the product
``M @ W_ih^T`` (gate inputs, ``g`` columns: ``4 H`` for an LSTM, ``3 H`` for a
GRU, ``H`` for an Elman RNN).  Input-cell attention makes ``M = A X`` with a
(T, T) attention ``A`` per sample, so the gate inputs are
``A (X W_ih^T)``: projecting first and attending second averages ``g``
columns instead of ``F``.  At the paper's sizes (F = 100, H = 5, g = 20) that
cuts the attention products five-fold.

torch's recurrent layers always apply ``W_ih`` themselves, so the projected
sequence is fed to the same fused kernel (``_VF.lstm`` / ``_VF.gru`` /
``_VF.rnn_*``, what ``nn.LSTM.forward`` calls) with an identity matrix in
place of the first layer's ``W_ih``.  The layer's parameters, state dict and
gradients stay exactly those of the original layer; only the order of two
linear maps changes.  A one-layer float64 LSTM on the CPU runs in
:mod:`ica_sklearn._float64_lstm` instead (torch has no fused float64 kernel).
"""

import torch
from torch import _VF, nn

from ._float64_lstm import float64_lstm_applies, lstm_on_gate_inputs

__all__ = ["gate_size", "gate_first_pays", "recurrent_gate_inputs", "run_on_gate_inputs"]

_KERNELS = {"LSTM": _VF.lstm, "GRU": _VF.gru, "RNN_TANH": _VF.rnn_tanh, "RNN_RELU": _VF.rnn_relu}


def gate_size(recurrent):
    """Rows ``g`` of the first layer's input weight ``W_ih``."""
    return recurrent.weight_ih_l0.shape[0]


def gate_first_pays(recurrent, inputs):
    """Whether projecting before attending is cheaper and supported here.

    True for a one-direction layer on the CPU whose gate count is below the
    feature count.  (On CUDA the cuDNN kernel wants its own contiguous weight
    buffer, and the attention products are cheap there anyway.)
    """
    return (
        inputs.device.type == "cpu"
        and not recurrent.bidirectional
        and getattr(recurrent, "proj_size", 0) == 0
        and gate_size(recurrent) < inputs.shape[-1]
    )


def recurrent_gate_inputs(recurrent, inputs):
    """``inputs @ W_ih^T`` for the first layer, without its bias."""
    return nn.functional.linear(inputs, recurrent.weight_ih_l0)


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
    >>> from ica_sklearn._projected_recurrence import (
    ...     recurrent_gate_inputs, run_on_gate_inputs)
    >>> lstm = nn.LSTM(6, 2, batch_first=True)
    >>> x = torch.randn(3, 4, 6)
    >>> torch.allclose(run_on_gate_inputs(lstm, recurrent_gate_inputs(lstm, x)),
    ...                lstm(x)[0], atol=1e-6)
    True
    """
    if float64_lstm_applies(recurrent, gate_inputs):
        return lstm_on_gate_inputs(recurrent, gate_inputs)
    n_gates = gate_inputs.shape[-1]
    identity = torch.eye(n_gates, dtype=gate_inputs.dtype, device=gate_inputs.device)
    initial = gate_inputs.new_zeros(recurrent.num_layers, gate_inputs.shape[0], recurrent.hidden_size)
    state = (initial, initial) if recurrent.mode == "LSTM" else initial
    result = _KERNELS[recurrent.mode](
        gate_inputs,
        state,
        _weights_with_identity_input(recurrent, identity),
        recurrent.bias,
        recurrent.num_layers,
        float(recurrent.dropout),
        recurrent.training,
        False,  # bidirectional
        True,  # batch_first
    )
    return result[0]
