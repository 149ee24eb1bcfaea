"""The only place that calls torch's private operators.

Two fast paths need an operator torch does not expose publicly:

* :func:`fused_recurrence` calls the fused kernel behind ``nn.LSTM`` /
  ``nn.GRU`` / ``nn.RNN`` (``torch._VF``) with a weight list of our choice,
  so a layer can run on inputs already multiplied by its input weights
  (see :mod:`ica_sklearn.nn._recurrence`).  The public layers check that
  the input width equals ``input_size`` and cannot be told otherwise.
* :func:`tanh_backward` is autograd's own derivative of ``tanh`` from its
  output (``torch.ops.aten.tanh_backward``), one kernel instead of three
  element-wise operations.

``tests/nn/test_private_ops.py`` pins both against the public operators, so
a change of these internals in a new torch release fails loudly.
"""

import torch
from torch import _VF

__all__ = ["fused_recurrence", "tanh_backward"]

_KERNELS = {"LSTM": _VF.lstm, "GRU": _VF.gru, "RNN_TANH": _VF.rnn_tanh, "RNN_RELU": _VF.rnn_relu}


def fused_recurrence(recurrent, inputs, weights):
    """Outputs (B, T, H) of ``recurrent``'s kernel run with ``weights``.

    Parameters
    ----------
    recurrent : torch.nn.LSTM, torch.nn.GRU or torch.nn.RNN
        One direction, ``batch_first=True``; supplies mode, layers, dropout
        and training flag.
    inputs : torch.Tensor of shape (batch, n_timesteps, n_inputs)
        ``n_inputs`` must match the first weight's columns.
    weights : list of torch.Tensor
        The layer's flat weight list in the kernel's order (per layer:
        ``w_ih, w_hh[, b_ih, b_hh]``).
    """
    initial = inputs.new_zeros(recurrent.num_layers, inputs.shape[0], recurrent.hidden_size)
    state = (initial, initial) if recurrent.mode == "LSTM" else initial
    result = _KERNELS[recurrent.mode](
        inputs,
        state,
        weights,
        recurrent.bias,
        recurrent.num_layers,
        float(recurrent.dropout),
        recurrent.training,
        False,  # bidirectional
        True,  # batch_first
    )
    return result[0]


def tanh_backward(grad_output, output):
    """``grad_output * (1 - output**2)``: the gradient through ``tanh``."""
    return torch.ops.aten.tanh_backward(grad_output, output)
