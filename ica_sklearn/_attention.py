"""Causal attention weights computed for all time steps at once.

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

__all__ = ["causal_attention_matrix", "causal_attention_summary"]

# Largest score range whose exp(-range) is still a normal number, with margin.
_SAFE_RANGE = {
    torch.float16: 9.0,
    torch.bfloat16: 80.0,
    torch.float32: 80.0,
    torch.float64: 700.0,
}
# Row blocks of the triangular products: a few, each at least this many rows.
_N_ROW_BLOCKS = 4
_MIN_BLOCK_ROWS = 16


def _row_blocks(n_steps):
    """``(start, stop)`` bounds splitting ``range(n_steps)`` into row blocks.

    A lower-triangular ``T x T`` product computed block row by block row
    skips the blocks right of the diagonal: with ``k`` blocks it costs
    ``(k + 1) / (2 k)`` of the dense product (5/8 for the default 4 blocks).
    """
    size = max(_MIN_BLOCK_ROWS, math.ceil(n_steps / _N_ROW_BLOCKS))
    return [(start, min(start + size, n_steps)) for start in range(0, n_steps, size)]


def _tril_outer(left, right, blocks):
    """``tril(left @ right^T)`` for (B, T, k) factors, the upper part never computed."""
    n_steps = left.shape[1]
    out = left.new_zeros(left.shape[0], n_steps, n_steps)
    for start, stop in blocks:
        # (bmm's out= into this strided view would fall back to a loop over the batch)
        out[:, start:stop, :stop] = torch.bmm(left[:, start:stop], right[:, :stop].transpose(1, 2))
        out[:, start:stop, start:stop].tril_()
    return out


def _lower_times(lower, dense, blocks):
    """``lower @ dense`` for a lower-triangular (B, T, T) ``lower``."""
    return torch.cat(
        [torch.bmm(lower[:, start:stop, :stop], dense[:, :stop]) for start, stop in blocks],
        dim=1,
    )


def _lower_transposed_times(lower, dense, blocks):
    """``lower^T @ dense`` for a lower-triangular (B, T, T) ``lower``."""
    return torch.cat(
        [
            torch.bmm(lower[:, start:, start:stop].transpose(1, 2), dense[:, start:])
            for start, stop in blocks
        ],
        dim=1,
    )


class _FactorisedCausalSummary(torch.autograd.Function):
    """``M = tril(Q P^T) X`` with a hand-written backward.

    Every product involving the (B, T, T) attention skips the blocks above
    the diagonal (see :func:`_row_blocks`), and the attention is kept for the
    backward only when the inputs need a gradient (saliency); training keeps
    just the (B, T, r) factors.
    """

    @staticmethod
    def forward(ctx, inverse_totals, weights, inputs):
        blocks = _row_blocks(inputs.shape[1])
        attention = _tril_outer(inverse_totals, weights, blocks)
        ctx.blocks = blocks
        ctx.save_for_backward(
            inverse_totals, weights, inputs, attention if ctx.needs_input_grad[2] else None
        )
        return _lower_times(attention, inputs, blocks)

    @staticmethod
    def backward(ctx, grad_summary):
        inverse_totals, weights, inputs, attention = ctx.saved_tensors
        blocks = ctx.blocks
        grad_inverse_totals = grad_weights = grad_inputs = None
        if ctx.needs_input_grad[0] or ctx.needs_input_grad[1]:
            # d loss / d A[t, s] = dM_t . x_s, needed on the lower triangle only.
            grad_attention = _tril_outer(grad_summary, inputs, blocks)
            if ctx.needs_input_grad[0]:
                grad_inverse_totals = _lower_times(grad_attention, weights, blocks)
            if ctx.needs_input_grad[1]:
                grad_weights = _lower_transposed_times(grad_attention, inverse_totals, blocks)
        if ctx.needs_input_grad[2]:
            grad_inputs = _lower_transposed_times(attention, grad_summary, blocks)
        return grad_inverse_totals, grad_weights, grad_inputs


def _shift_and_range(scores):
    """Per-hop maximum over time (B, 1, r) and the largest per-hop score range.

    Reduced over a contiguous (B, r, T) copy: reducing the middle axis of
    (B, T, r) in place was ~20x slower (profiled).
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
    scores : torch.Tensor of shape (batch, n_timesteps, n_hops)
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
    >>> from ica_sklearn._attention import causal_attention_matrix
    >>> scores = torch.tensor([[[0.0], [0.0], [0.0]]])
    >>> causal_attention_matrix(scores)[0]
    tensor([[1.0000, 0.0000, 0.0000],
            [0.5000, 0.5000, 0.0000],
            [0.3333, 0.3333, 0.3333]])
    """
    shift, score_range = _shift_and_range(scores)
    if score_range <= _SAFE_RANGE.get(scores.dtype, 80.0):
        return _factorised_attention(scores, shift)
    if score_range <= _SAFE_RANGE[torch.float64]:
        return _factorised_attention(scores.double()).to(scores.dtype)
    return _log_space_attention(scores)


def causal_attention_summary(inputs, scores):
    """Attention summaries ``M_t`` of the inputs up to each step.

    Parameters
    ----------
    inputs : torch.Tensor of shape (batch, n_timesteps, n_features)
    scores : torch.Tensor of shape (batch, n_timesteps, n_hops)

    Returns
    -------
    summaries : torch.Tensor of shape (batch, n_timesteps, n_features)
        ``summaries[:, t]`` averages the inputs ``0 .. t`` with the causal
        attention weights; it never depends on inputs after ``t``.

    Examples
    --------
    >>> import torch
    >>> from ica_sklearn._attention import causal_attention_summary
    >>> x = torch.tensor([[[1.0], [3.0]]])
    >>> causal_attention_summary(x, torch.zeros(1, 2, 4))[0, :, 0]
    tensor([1., 2.])
    """
    shift, score_range = _shift_and_range(scores)
    if score_range <= _SAFE_RANGE.get(scores.dtype, 80.0):
        factors = _attention_factors(scores, shift)
        return _FactorisedCausalSummary.apply(*factors, inputs)
    return torch.bmm(causal_attention_matrix(scores), inputs)
