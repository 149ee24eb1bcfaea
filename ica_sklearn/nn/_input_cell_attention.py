"""Input-cell attention (Ismail et al., 2019): the layer, and its causal
attention computed for all time steps at once.

The input-cell attention of Ismail et al. (2019) averages, at each step ``t``,
``r`` softmax distributions over the inputs ``x_1 .. x_t``.  With scores
``S[s, h]`` the averaged weight of input ``s`` at step ``t`` is::

    A[t, s] = (1 / r) * sum_h exp(S[s, h]) / sum_{s' <= t} exp(S[s', h])   (s <= t)

and ``A[t, s] = 0`` for ``s > t``.  The denominator is a cumulative sum over
time, so ``A`` factorises as ``Q @ P.T`` with ``P[s, h] = exp(S[s, h] - c_h)``
and ``Q[t, h] = 1 / cumsum_s P[s, h]``: one batched matrix product and a
triangular mask, never a ``batch x T x T x r`` tensor.

Numerical range
---------------
With the shift ``c_h = max_s S[s, h]`` every ``P`` lies in ``[exp(-R), 1]``,
where ``R`` is the score range of hop ``h`` (max minus min over time).  As long
as ``exp(-R)`` is a normal number of the working dtype no entry underflows, the
cumulative sums are at least ``exp(-R)`` and ``Q`` at most ``exp(R)``: the
product is exact to working precision.  :func:`causal_attention_matrix`
therefore picks, per batch, the cheapest dtype that holds the observed range
(the input dtype, else float64) and, for ranges beyond even float64's
(``R > ~700``, only reachable with absurd weights), an exact log-space
evaluation hop by hop (memory ``batch x T x T``) that cannot overflow.
"""

import math

import torch
from torch import nn

from ._fast_ops import scoring_tanh

__all__ = ["InputCellAttention", "causal_attention_matrix", "causal_attention_summary", "xavier_linear"]

# Largest score range whose exp(-range) is still a normal number, with margin.
_SAFE_RANGE = {
    torch.float16: 9.0,
    torch.bfloat16: 80.0,
    torch.float32: 80.0,
    torch.float64: 700.0,
}
# Rows per block of the triangular products (block sizes of 25-64 rows are
# about equally fast; docs/benchmarks.md has the comparison).
_BLOCK_ROWS = 32


def _row_blocks(n_steps):
    """``(start, stop)`` bounds splitting ``range(n_steps)`` into row blocks.

    A lower-triangular ``T x T`` product computed block row by block row
    skips the blocks right of the diagonal: with ``k`` blocks it costs
    ``(k + 1) / (2 k)`` of the dense product, and each block row is small
    enough to stay in cache while it is used.  Blocks have equal sizes of
    at most ``_BLOCK_ROWS`` rows.
    """
    n_blocks = max(1, math.ceil(n_steps / _BLOCK_ROWS))
    size = math.ceil(n_steps / n_blocks)
    return [(start, min(start + size, n_steps)) for start in range(0, n_steps, size)]


def _attention_block(inverse_totals, weights, start, stop):
    """Rows ``start:stop`` of ``tril(Q P^T)``, columns ``0:stop`` (the rest is 0)."""
    block = torch.bmm(inverse_totals[:, start:stop], weights[:, :stop].transpose(1, 2))
    block[:, :, start:].tril_()  # the diagonal block: no weight on later inputs
    return block


class _FactorisedCausalSummary(torch.autograd.Function):
    """``M = tril(Q P^T) V`` block row by block row, with a hand-written backward.

    No (B, T, T) tensor is ever formed: each block row of the attention (and
    of its gradient) is a separate (B, rows, stop) tensor, and the blocks
    above the diagonal are skipped (see :func:`_row_blocks`).  The attention
    blocks are kept for the backward only when the values need a gradient.
    """

    @staticmethod
    def forward(ctx, inverse_totals, weights, values):
        blocks = _row_blocks(values.shape[1])
        values = values.contiguous()  # read once per block row below
        attention = [_attention_block(inverse_totals, weights, *bounds) for bounds in blocks]
        ctx.blocks = blocks
        ctx.attention = attention if ctx.needs_input_grad[2] else None
        ctx.save_for_backward(inverse_totals, weights, values)
        return torch.cat(
            [torch.bmm(block, values[:, :stop]) for block, (_, stop) in zip(attention, blocks)],
            dim=1,
        )

    @staticmethod
    def backward(ctx, grad_summary):
        inverse_totals, weights, values = ctx.saved_tensors
        need_factors = ctx.needs_input_grad[0] or ctx.needs_input_grad[1]
        grad_weights = torch.zeros_like(weights) if ctx.needs_input_grad[1] else None
        grad_values = torch.zeros_like(values) if ctx.needs_input_grad[2] else None
        grad_summary = grad_summary.contiguous()
        grad_inverse_totals = []
        for index, (start, stop) in enumerate(ctx.blocks):
            grad_rows = grad_summary[:, start:stop]
            if need_factors:
                # d loss / d A[t, s] = dM_t . v_s on this block row (lower part).
                grad_block = torch.bmm(grad_rows, values[:, :stop].transpose(1, 2))
                grad_block[:, :, start:].tril_()
                grad_inverse_totals.append(torch.bmm(grad_block, weights[:, :stop]))
                if grad_weights is not None:
                    grad_weights[:, :stop] += torch.bmm(
                        grad_block.transpose(1, 2), inverse_totals[:, start:stop]
                    )
            if grad_values is not None:
                block = ctx.attention[index]
                grad_values[:, :stop] += torch.bmm(block.transpose(1, 2), grad_rows)
        if ctx.needs_input_grad[0]:
            grad_inverse_totals = torch.cat(grad_inverse_totals, dim=1)
        else:
            grad_inverse_totals = None
        return grad_inverse_totals, grad_weights, grad_values


def _shift_and_range(scores):
    """Per-hop maximum over time (B, 1, r) and the largest per-hop score range.

    Reduced over a contiguous (B, r, T) copy: reducing the middle axis of
    (B, T, r) in place is many times slower.
    """
    by_hop = scores.detach().transpose(1, 2).contiguous()
    highest = by_hop.amax(dim=2)
    score_range = float((highest - by_hop.amin(dim=2)).max()) if scores.numel() else 0.0
    return highest[:, None, :], score_range


def _attention_factors(scores, shift):
    """``Q`` and ``P`` with ``A = tril(Q P^T)``; the 1/r average sits in ``Q``.

    The result does not depend on the shift, so no gradient flows through it.
    """
    weights = torch.exp(scores - shift)  # (B, T, r), in [exp(-R), 1]
    inverse_totals = (1.0 / scores.shape[-1]) / torch.cumsum(weights, dim=1)  # (B, T, r)
    return inverse_totals, weights


def _factorised_attention(scores, shift=None):
    """Averaged causal attention as a differentiable (B, T, T) tensor.

    For the attention weights themselves and the wide-range fallback; the
    summaries of the common case go through :class:`_FactorisedCausalSummary`
    and never keep this matrix for training.
    """
    if shift is None or shift.dtype != scores.dtype:
        shift = scores.detach().amax(dim=1, keepdim=True)
    inverse_totals, weights = _attention_factors(scores, shift)
    return torch.bmm(inverse_totals, weights.transpose(1, 2)).tril_()


def _log_space_attention(scores):
    """Averaged causal attention evaluated in log space, one hop at a time.

    Exact for any finite score range; costs ``r`` passes over a
    ``batch x T x T`` buffer instead of a single matrix product.
    """
    n_steps, n_hops = scores.shape[1], scores.shape[2]
    log_totals = torch.logcumsumexp(scores, dim=1)  # (B, T, r)
    above_diagonal = torch.ones(
        n_steps, n_steps, dtype=torch.bool, device=scores.device
    ).triu(1)
    attention = scores.new_zeros(scores.shape[0], n_steps, n_steps)
    for hop in range(n_hops):
        log_weights = scores[:, None, :, hop] - log_totals[:, :, hop, None]
        log_weights = log_weights.masked_fill(above_diagonal, float("-inf"))
        attention = attention + torch.exp(log_weights)
    return attention / n_hops


def causal_attention_matrix(scores):
    """Average over hops of the causal softmax attention, for every step.

    Parameters
    ----------
    scores : torch.Tensor of shape (batch, n_timesteps, attention_hops)
        Attention scores ``S[s, h]``; finite.

    Returns
    -------
    attention : torch.Tensor of shape (batch, n_timesteps, n_timesteps)
        ``attention[b, t, s]`` is the weight of input ``s`` in the summary at
        step ``t``; rows sum to one and the upper triangle is zero.  Same
        dtype as ``scores``.

    Examples
    --------
    >>> import torch
    >>> from ica_sklearn.nn import causal_attention_matrix
    >>> scores = torch.tensor([[[0.0], [0.0], [0.0]]])
    >>> causal_attention_matrix(scores)[0]
    tensor([[1.0000, 0.0000, 0.0000],
            [0.5000, 0.5000, 0.0000],
            [0.3333, 0.3333, 0.3333]])
    """
    return _attention_for_range(scores, *_shift_and_range(scores))


def _in_safe_range(scores, score_range):
    """Whether the factorisation is exact in the scores' own dtype."""
    return score_range <= _SAFE_RANGE.get(scores.dtype, 80.0)


def _attention_for_range(scores, shift, score_range):
    """:func:`causal_attention_matrix` once the shift and range are known."""
    if _in_safe_range(scores, score_range):
        return _factorised_attention(scores, shift)
    if score_range <= _SAFE_RANGE[torch.float64]:
        return _factorised_attention(scores.double()).to(scores.dtype)
    return _log_space_attention(scores)


def causal_attention_summary(inputs, scores):
    """Attention summaries ``M_t`` of the inputs up to each step.

    Parameters
    ----------
    inputs : torch.Tensor of shape (batch, n_timesteps, n_features)
    scores : torch.Tensor of shape (batch, n_timesteps, attention_hops)

    Returns
    -------
    summaries : torch.Tensor of shape (batch, n_timesteps, n_features)
        ``summaries[:, t]`` averages the inputs ``0 .. t`` with the causal
        attention weights; it never depends on inputs after ``t``.

    Examples
    --------
    >>> import torch
    >>> from ica_sklearn.nn import causal_attention_summary
    >>> x = torch.tensor([[[1.0], [3.0]]])
    >>> causal_attention_summary(x, torch.zeros(1, 2, 4))[0, :, 0]
    tensor([1., 2.])
    """
    shift, score_range = _shift_and_range(scores)
    if _in_safe_range(scores, score_range):
        factors = _attention_factors(scores, shift)
        return _FactorisedCausalSummary.apply(*factors, inputs)
    return torch.bmm(_attention_for_range(scores, shift, score_range), inputs)


def xavier_linear(in_features, out_features):
    """A linear layer with Xavier-uniform weights and zero bias (the paper)."""
    layer = nn.Linear(in_features, out_features)
    nn.init.xavier_uniform_(layer.weight)
    nn.init.zeros_(layer.bias)
    return layer


class InputCellAttention(nn.Module):
    """Input-cell attention of Ismail et al. (2019), for all steps at once.

    At step ``t`` the recurrent cell receives, instead of ``x_t``, the summary
    ``M_t = (1/r) sum_h sum_{s<=t} a[t, s, h] x_s`` where ``a[t, :, h]`` is a
    softmax over the past and present of the scores
    ``S_s = W2 tanh(W1 x_s + b1) + b2``.  The summaries depend on the inputs
    only, so they are computed before the recurrence in one batched matrix
    product (see the module notes).

    Parameters
    ----------
    n_features : int
        Size ``F`` of each input vector.
    attention_dim : int, default=50
        Size ``d_a`` of the hidden layer of the scoring network.
    attention_hops : int, default=20
        Number ``r`` of attention distributions averaged at each step.

    Examples
    --------
    >>> import torch
    >>> from ica_sklearn.nn import InputCellAttention
    >>> layer = InputCellAttention(n_features=3, attention_dim=4, attention_hops=2)
    >>> layer(torch.randn(8, 10, 3)).shape
    torch.Size([8, 10, 3])
    """

    def __init__(self, n_features, attention_dim=50, attention_hops=20):
        super().__init__()
        self.score_hidden = xavier_linear(n_features, attention_dim)  # W1, b1
        self.score_output = xavier_linear(attention_dim, attention_hops)  # W2, b2

    def scores(self, inputs):
        """Scores ``S`` of shape (batch, n_timesteps, attention_hops)."""
        return self.score_output(scoring_tanh(self.score_hidden(inputs)))

    def attention(self, inputs):
        """Averaged causal attention (batch, n_timesteps, n_timesteps).

        ``attention(inputs)[b, t, s]`` is the weight of input ``s`` in the
        summary ``M_t`` of sample ``b``; see :func:`causal_attention_matrix`.
        """
        return causal_attention_matrix(self.scores(inputs))

    def forward(self, inputs, value_weight=None):
        """Summaries ``M`` of shape (batch, n_timesteps, n_features).

        With ``value_weight`` (k, n_features) the layer returns
        ``M @ value_weight.T`` of shape (batch, n_timesteps, k) instead,
        averaging the mapped inputs (the same linear map of ``M``, cheaper
        for k < n_features); both maps of the inputs then share one matrix
        product.
        """
        if value_weight is None:
            return causal_attention_summary(inputs, self.scores(inputs))
        hidden_weight, hidden_bias = self.score_hidden.weight, self.score_hidden.bias
        both = nn.functional.linear(
            inputs,
            torch.cat([hidden_weight, value_weight]),
            torch.cat([hidden_bias, hidden_bias.new_zeros(len(value_weight))]),
        )
        hidden, values = both.split([len(hidden_weight), len(value_weight)], dim=-1)
        return causal_attention_summary(values, self.score_output(scoring_tanh(hidden)))
