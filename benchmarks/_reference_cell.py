"""The input-cell attention LSTM computed the original code's way.

A Python loop over time steps; at every step the attention scores of the
whole prefix ``x_1 .. x_t`` are recomputed, the ``r`` softmax distributions
over the prefix are averaged into ``M_t``, and an LSTM cell (gates i, f, g,
o) takes ``M_t``.  O(T^2) work in Python-level steps, float64.  It copies the
weights of a trained :class:`ica_sklearn.nn.RecurrentClassifierModule`
(``cell="ica_lstm"``, one layer, ``pooling="last"``), so both compute the
same function; used as the slow baseline in the benchmarks.
"""

import torch
from torch import nn


class ReferenceInputCellAttentionLSTM(nn.Module):
    """Per-step loop implementation; ``forward(x)`` for x of shape (1, T, F)."""

    def __init__(self, module):
        super().__init__()
        if module.cell != "ica_lstm" or module.recurrent.num_layers != 1:
            raise ValueError("the reference covers one-layer 'ica_lstm' modules")
        if module.pooling != "last":
            raise ValueError("the reference reads the last step (pooling='last')")
        attention, lstm = module.input_attention, module.recurrent

        def copy(tensor):
            return nn.Parameter(tensor.detach().clone().double())

        self.W1, self.b1 = copy(attention.score_hidden.weight), copy(attention.score_hidden.bias)
        self.W2, self.b2 = copy(attention.score_output.weight), copy(attention.score_output.bias)
        self.W_ih, self.b_ih = copy(lstm.weight_ih_l0), copy(lstm.bias_ih_l0)
        self.W_hh, self.b_hh = copy(lstm.weight_hh_l0), copy(lstm.bias_hh_l0)
        self.W_out, self.b_out = copy(module.head.weight), copy(module.head.bias)
        self.hidden_size = lstm.hidden_size

    def forward(self, x):
        x = x.double()[0]  # (T, F)
        h = x.new_zeros(self.hidden_size)
        c = x.new_zeros(self.hidden_size)
        for t in range(x.shape[0]):
            prefix = x[: t + 1]  # (t+1, F): the scores are recomputed every step
            scores = torch.tanh(prefix @ self.W1.T + self.b1) @ self.W2.T + self.b2
            weights = torch.softmax(scores, dim=0)  # (t+1, r), over the prefix
            summary = (weights.T @ prefix).mean(dim=0)  # (F,)
            gates = self.W_ih @ summary + self.b_ih + self.W_hh @ h + self.b_hh
            i, f, g, o = gates.chunk(4)
            c = torch.sigmoid(f) * c + torch.sigmoid(i) * torch.tanh(g)
            h = torch.sigmoid(o) * torch.tanh(c)
        return (self.W_out @ h + self.b_out)[None]  # (1, n_classes) logits
