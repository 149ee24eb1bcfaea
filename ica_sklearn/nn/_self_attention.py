"""Structured self-attention pooling over hidden states (Lin et al., 2017)."""

import torch
from torch import nn

from ._fast_ops import scoring_tanh
from ._input_cell_attention import xavier_linear

__all__ = ["StructuredSelfAttention"]


class StructuredSelfAttention(nn.Module):
    """Structured self-attention pooling over hidden states (Lin et al., 2017).

    ``A = softmax(W2 tanh(W1 H^T))`` over the valid time steps, with ``r``
    hops; the pooled representation is ``A H`` flattened to
    ``attention_hops * hidden_size`` values.  The paper's "LSTM + self-attention"
    baseline.

    Parameters
    ----------
    hidden_size : int
        Size of each hidden state.
    attention_dim : int, default=50
    attention_hops : int, default=20

    Examples
    --------
    >>> import torch
    >>> from ica_sklearn.nn import StructuredSelfAttention
    >>> pool = StructuredSelfAttention(hidden_size=5, attention_dim=4, attention_hops=3)
    >>> valid = torch.ones(2, 7, dtype=torch.bool)
    >>> pool(torch.randn(2, 7, 5), valid).shape
    torch.Size([2, 15])
    """

    def __init__(self, hidden_size, attention_dim=50, attention_hops=20):
        super().__init__()
        self.score_hidden = xavier_linear(hidden_size, attention_dim)
        self.score_output = xavier_linear(attention_dim, attention_hops)

    def forward(self, hidden, valid):
        scores = self.score_output(scoring_tanh(self.score_hidden(hidden)))
        scores = scores.masked_fill(~valid[:, :, None], float("-inf"))
        weights = torch.softmax(scores, dim=1)  # (B, T, r), over time
        pooled = torch.bmm(weights.transpose(1, 2), hidden)  # (B, r, H)
        return pooled.flatten(start_dim=1)
