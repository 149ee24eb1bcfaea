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

import torch

__all__ = ["causal_attention_matrix", "causal_attention_summary"]

# Largest score range whose exp(-range) is still a normal number, with margin.
_SAFE_RANGE = {
    torch.float16: 9.0,
    torch.bfloat16: 80.0,
    torch.float32: 80.0,
    torch.float64: 700.0,
}


def _factorised_attention(scores, shift=None):
    """Averaged causal attention via one matrix product (range already safe).

    ``shift`` (detached per-hop maximum over time, shape (B, 1, r)) may be
    passed in when already computed.  The 1/r average is folded into the
    small (B, T, r) factor and the mask is applied in place, so the
    (B, T, T) result is written once (profiled: the separate division and
    out-of-place ``tril`` took ~10 % of an ``ica_lstm`` training step).
    """
    if shift is None or shift.dtype != scores.dtype:
        # The result does not depend on the shift, so no gradient flows through it.
        shift = scores.detach().amax(dim=1, keepdim=True)
    weights = torch.exp(scores - shift)  # (B, T, r), in [exp(-R), 1]
    inverse_totals = (1.0 / scores.shape[-1]) / torch.cumsum(weights, dim=1)  # (B, T, r)
    attention = torch.bmm(inverse_totals, weights.transpose(1, 2))  # (B, T, T)
    return attention.tril_()


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
    detached = scores.detach()
    shift = detached.amax(dim=1, keepdim=True)  # (B, 1, r)
    score_range = shift - detached.amin(dim=1, keepdim=True)
    score_range = float(score_range.max()) if scores.numel() else 0.0
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
    return torch.bmm(causal_attention_matrix(scores), inputs)
