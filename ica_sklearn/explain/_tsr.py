"""Temporal Saliency Rescaling (Ismail et al., NeurIPS 2020), batched.

For one sample with attribution map ``A0`` (T, F):

1. for every valid time step ``t``, mask all features at ``t`` with
   ``mask_value``, re-attribute, ``tau_t = sum |A0 - A_t|``;
2. min-max scale ``tau`` over the valid steps and take its ``threshold``
   quantile ``alpha``;
3. for every step with ``tau_t > alpha`` and every feature ``i``, mask only
   cell ``(t, i)``, re-attribute, ``phi_{t,i} = sum |A0 - A_{t,i}|``, min-max
   scale ``phi_t`` over the features; steps at or under ``alpha`` get
   ``phi_{t,i} = constant``;
4. ``R[t, i] = tau_t * phi_{t,i}``.

The reference implementation attributes one masked copy at a time
(``1 + T + (1 - threshold) T F`` calls per sample).  Here every masked copy
of every sample in a group is a *job*; jobs are stacked into batches of at
most ``batch_size`` copies and attributed together.  Padded steps (beyond a
sequence's length) are never masked, never enter the sums, scalings or the
quantile, and get ``R = 0`` (the explainer turns them into NaN).
A min-max scaling of constant values gives zeros (as scikit-learn's
``minmax_scale`` does).
"""

import numpy as np
import torch

from ..utils._scaling import minmax_rows

__all__ = ["temporal_saliency_rescaling"]


def _run_jobs(attribute, X, lengths, targets, base, valid, jobs, batch_size, bar):
    """Total absolute change of the map for each masked copy.

    ``jobs`` is ``(sample, step, feature)`` index arrays; ``feature`` None
    masks the whole step.  Returns one float64 value per job.
    """
    samples, steps, features = jobs
    totals = np.empty(len(samples), dtype=np.float64)
    for start in range(0, len(samples), batch_size):
        part = slice(start, start + batch_size)
        index = torch.as_tensor(samples[part], device=X.device)
        rows = torch.arange(len(index), device=X.device)
        step = torch.as_tensor(steps[part], device=X.device)
        copies = X[index]
        if features is None:
            copies[rows, step] = base.mask_value
        else:
            copies[rows, step, torch.as_tensor(features[part], device=X.device)] = (
                base.mask_value
            )
        maps = attribute(copies, lengths[index], targets[index])
        change = torch.sub(maps, base.maps[index]).abs_()
        if valid is not None:
            change.mul_(valid[index])
        totals[part] = change.sum(dim=(1, 2)).double().cpu().numpy()
        if bar is not None:
            bar.update(len(index))
    return totals


class _Base:
    """The unmasked maps and the mask value, shared by the job runs."""

    def __init__(self, maps, mask_value):
        self.maps = maps
        self.mask_value = mask_value


def temporal_saliency_rescaling(
    attribute,
    X,
    lengths,
    targets,
    *,
    maps=None,
    threshold=0.55,
    mask_value=0.0,
    constant=0.1,
    batch_size=256,
    progress=None,
):
    """Temporal Saliency Rescaling of a batch of samples.

    Parameters
    ----------
    attribute : callable
        ``attribute(X, lengths, targets) -> (B, T, F)`` tensor: the map to
        rescale (e.g. absolute gradients), for any batch size.
    X : torch.Tensor of shape (n, T, F)
        Inputs, padded steps zeroed.
    lengths : torch.Tensor of shape (n,)
    targets : torch.Tensor of shape (n,)
        Class index explained for each sample.
    maps : torch.Tensor of shape (n, T, F), optional
        ``attribute(X, lengths, targets)`` when already computed.
    threshold : float, default=0.55
        Quantile of the scaled time relevance above which a step's features
        are scored one by one.
    mask_value : float, default=0.0
        Value written into masked cells.
    constant : float, default=0.1
        Feature relevance of steps at or under the threshold.
    batch_size : int, default=256
        Masked copies attributed per call (bounds memory).
    progress : tqdm-like or None
        Updated with the number of copies processed; its ``total`` grows
        when the number of feature-level copies is known.

    Returns
    -------
    relevance : ndarray of shape (n, T, F), float64
        ``R[t, i] = tau_t * phi_{t,i}``; 0 at padded steps.

    Examples
    --------
    >>> import torch
    >>> from ica_sklearn.explain._tsr import temporal_saliency_rescaling
    >>> weights = torch.tensor([[1.0, 0.0], [0.0, 0.0], [0.0, 3.0]])
    >>> def attribute(X, lengths, targets):  # a quadratic model's |gradient|
    ...     return (2 * weights * X).abs()
    >>> X = torch.ones(1, 3, 2)
    >>> R = temporal_saliency_rescaling(attribute, X, torch.tensor([3]), torch.tensor([0]))
    >>> R[0].round(3)  # step 0 is under the threshold: tau_0 = 1/3 times 0.1
    array([[0.033, 0.033],
           [0.   , 0.   ],
           [0.   , 1.   ]])
    """
    n, n_steps, n_features = X.shape
    lengths_np = lengths.cpu().numpy()
    step_valid = np.arange(n_steps)[None, :] < lengths_np[:, None]  # (n, T)
    valid = None  # sums over all cells unless some sequence is padded
    if not step_valid.all():
        valid = torch.as_tensor(step_valid, device=X.device)[:, :, None].to(X.dtype)
    if maps is None:
        maps = torch.cat(
            [
                attribute(X[i : i + batch_size], lengths[i : i + batch_size],
                          targets[i : i + batch_size])
                for i in range(0, n, batch_size)
            ]
        )
    base = _Base(maps.detach(), mask_value)

    # 1-2: time relevance of every valid step, scaled, and the threshold.
    samples, steps = np.nonzero(step_valid)
    if progress is not None:
        progress.total = (progress.total or 0) + len(samples)
        progress.refresh()
    tau = np.zeros((n, n_steps))
    tau[samples, steps] = _run_jobs(
        attribute, X, lengths, targets, base, valid, (samples, steps, None),
        batch_size, progress,
    )
    tau = minmax_rows(tau, step_valid)
    alpha = np.array(
        [np.quantile(tau[i, : lengths_np[i]], threshold) for i in range(n)]
    )
    selected = step_valid & (tau > alpha[:, None])

    # 3: feature relevance inside the selected steps.
    sel_samples, sel_steps = np.nonzero(selected)
    samples = np.repeat(sel_samples, n_features)
    steps = np.repeat(sel_steps, n_features)
    features = np.tile(np.arange(n_features), len(sel_samples))
    if progress is not None:
        progress.total += len(samples)
        progress.refresh()
    phi = np.full((n, n_steps, n_features), float(constant))
    if len(samples):
        phi[samples, steps, features] = _run_jobs(
            attribute, X, lengths, targets, base, valid, (samples, steps, features),
            batch_size, progress,
        )
        phi[selected] = minmax_rows(phi[selected])

    # 4: combine.
    return tau[:, :, None] * phi * step_valid[:, :, None]
