"""A one-layer LSTM recurrence with a hand-written backward, for float64 on the CPU.

torch's fused CPU LSTM kernel (oneDNN) takes float32 and bfloat16 only; in
float64 ``nn.LSTM`` falls back to a per-step loop recorded op by op by
autograd, which dominates a float64 ``ica_lstm`` training step.  This
module runs the same recurrence with a handful of operations per step: the
forward keeps the activated gates and cell states, everything the backward
needs that does not depend on the incoming gradient is prepared for all
steps at once, and the backward loop does five small operations per step.

Equations (gate order i, f, g, o as in torch and the paper), with
``z_t = gx_t + h_{t-1} W_hh^T + b``::

    i, f, o = sigmoid(z_i), sigmoid(z_f), sigmoid(z_o);  g = tanh(z_g)
    c_t = f * c_{t-1} + i * g;  h_t = o * tanh(c_t)
"""

import torch

__all__ = ["lstm_on_gate_inputs"]


class _LSTMRecurrence(torch.autograd.Function):
    """Hidden states (B, T, H) from gate inputs (B, T, 4H), ``W_hh`` and the bias."""

    @staticmethod
    def forward(ctx, gate_inputs, weight_hh, bias):
        batch, n_steps, n_gates = gate_inputs.shape
        hidden = n_gates // 4
        # Time-major buffers: every per-step slice below is contiguous.
        biased = (gate_inputs + bias).transpose(0, 1).contiguous()  # (T, B, 4H)
        gates = torch.empty_like(biased)  # activated i, f, g, o
        cells = biased.new_zeros(n_steps + 1, batch, hidden)  # cells[0] = c_0 = 0
        hiddens = biased.new_zeros(n_steps + 1, batch, hidden)  # hiddens[0] = h_0 = 0
        recurrent_weight = weight_hh.t()
        for t in range(n_steps):
            z = torch.addmm(biased[t], hiddens[t], recurrent_weight)
            a = torch.sigmoid(z, out=gates[t])
            torch.tanh(z[:, 2 * hidden : 3 * hidden], out=a[:, 2 * hidden : 3 * hidden])
            i, f, g, o = a.split(hidden, dim=1)
            torch.addcmul(f * cells[t], i, g, out=cells[t + 1])
            torch.mul(o, torch.tanh(cells[t + 1]), out=hiddens[t + 1])
        ctx.save_for_backward(gates, cells, hiddens, weight_hh)
        return hiddens[1:].transpose(0, 1)

    @staticmethod
    def backward(ctx, grad_hiddens):
        gates, cells, hiddens, weight_hh = ctx.saved_tensors
        n_steps, batch, n_gates = gates.shape
        hidden = n_gates // 4
        i, f, g, o = gates.split(hidden, dim=2)
        tanh_cells = torch.tanh(cells[1:])
        # Factors of the incoming gradient, for all steps at once:
        # d z_{i,f,g} = dc * [g i', c_{t-1} f', i g'],  d z_o = dh * tanh(c) o'.
        cell_factors = torch.cat(
            [g * i * (1 - i), cells[:-1] * f * (1 - f), i * (1 - g * g)], dim=2
        ).view(n_steps, batch, 3, hidden)
        output_factor = tanh_cells * o * (1 - o)
        hidden_to_cell = o * (1 - tanh_cells * tanh_cells)
        grad_z = torch.empty_like(gates)
        grad_hiddens = grad_hiddens.transpose(0, 1).contiguous()  # (T, B, H)
        grad_h = grad_hiddens[-1]
        grad_c = gates.new_zeros(batch, hidden)
        for t in range(n_steps - 1, -1, -1):
            grad_c = torch.addcmul(grad_c, grad_h, hidden_to_cell[t])
            grad_z_t = grad_z[t]
            torch.mul(cell_factors[t], grad_c[:, None, :],
                      out=grad_z_t[:, : 3 * hidden].view(batch, 3, hidden))
            torch.mul(grad_h, output_factor[t], out=grad_z_t[:, 3 * hidden :])
            if t:
                grad_h = torch.addmm(grad_hiddens[t - 1], grad_z_t, weight_hh)
                grad_c = grad_c * f[t]
        flat_grad_z = grad_z.view(-1, n_gates)
        grad_weight_hh = flat_grad_z.t() @ hiddens[:-1].reshape(-1, hidden)
        return grad_z.transpose(0, 1), grad_weight_hh, flat_grad_z.sum(dim=0)


def lstm_on_gate_inputs(recurrent, gate_inputs):
    """Outputs (B, T, H) of a one-layer ``nn.LSTM`` given ``M @ W_ih^T``.

    Examples
    --------
    >>> import torch
    >>> from torch import nn
    >>> from ica_sklearn.nn._float64_lstm import lstm_on_gate_inputs
    >>> lstm = nn.LSTM(6, 2, batch_first=True).double()
    >>> x = torch.randn(3, 4, 6, dtype=torch.float64)
    >>> gate_inputs = x @ lstm.weight_ih_l0.T
    >>> torch.allclose(lstm_on_gate_inputs(lstm, gate_inputs), lstm(x)[0])
    True
    """
    if recurrent.bias:
        bias = recurrent.bias_ih_l0 + recurrent.bias_hh_l0
    else:
        bias = gate_inputs.new_zeros(gate_inputs.shape[-1])
    return _LSTMRecurrence.apply(gate_inputs, recurrent.weight_hh_l0, bias)
