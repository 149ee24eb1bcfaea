"""An offline simulation of task-fMRI classification with known ground truth."""

import numpy as np
from sklearn.utils import Bunch, check_random_state

from ._atlas import UNASSIGNED
from ._coordinate_sets import COORDINATE_SETS, _coordinate_table, load_coords_atlas
from ._deps import require

__all__ = ["make_task_fmri_dataset"]

PLACEMENTS = ("early_late", "early", "late")
EARLY_ZONE = (0.05, 0.45)  # fractions of the run
LATE_ZONE = (0.7, 1.0)  # up to the end: a model that forgets early input still sees it


def _default_task_blocks(n_tasks, n_timesteps, placement, block_duration):
    """(onset, duration) blocks in scans for each task; task k uses slot k of each zone."""
    zones = {"early_late": [EARLY_ZONE, LATE_ZONE], "early": [EARLY_ZONE], "late": [LATE_ZONE]}
    blocks = [[] for _ in range(n_tasks)]
    for zone_start, zone_stop in zones[placement]:
        slot = (zone_stop - zone_start) * n_timesteps / n_tasks
        duration = block_duration or max(1, int(round(0.6 * slot)))
        for task in range(n_tasks):
            onset = int(round(zone_start * n_timesteps + task * slot))
            blocks[task].append((onset, duration))
    return blocks


def _default_task_regions(table, n_tasks, n_task_regions, rng):
    """Each task drives ``n_task_regions`` regions of its own network."""
    networks = sorted(set(table["network"]) - {UNASSIGNED})
    if n_tasks > len(networks):
        raise ValueError(
            f"n_tasks={n_tasks} but the coordinate set has {len(networks)} networks; "
            "pass task_regions explicitly."
        )
    chosen = rng.choice(len(networks), size=n_tasks, replace=False)
    regions = []
    for network_index in chosen:
        ids = table.loc[table["network"] == networks[network_index], "id"].to_numpy()
        size = min(n_task_regions, ids.size)
        regions.append(np.sort(rng.choice(ids, size=size, replace=False)))
    return regions


def _ar1_noise(rng, shape, autocorr):
    """Unit-variance AR(1) series along axis -2 of ``shape`` (..., T, channels)."""
    innovations = rng.standard_normal(shape)
    series = np.empty(shape)
    series[..., 0, :] = innovations[..., 0, :]
    scale = np.sqrt(1.0 - autocorr**2)
    for t in range(1, shape[-2]):
        series[..., t, :] = autocorr * series[..., t - 1, :] + scale * innovations[..., t, :]
    return series


def _block_response(blocks, n_timesteps, tr):
    """Glover-HRF response to boxcar blocks, scaled to a peak of 1."""
    first_level = require("nilearn.glm.first_level")
    onsets = np.array([onset for onset, _ in blocks], dtype=float) * tr
    durations = np.array([duration for _, duration in blocks], dtype=float) * tr
    condition = np.vstack([onsets, durations, np.ones(len(blocks))])
    frame_times = np.arange(n_timesteps) * tr
    response, _ = first_level.compute_regressor(condition, "glover", frame_times)
    response = response[:, 0]
    return response / np.abs(response).max()


def _jittered(blocks, jitter, n_timesteps):
    jittered = []
    for onset, duration in blocks:
        onset = int(np.clip(onset + jitter, 0, max(0, n_timesteps - duration)))
        jittered.append((onset, duration))
    return jittered


def make_task_fmri_dataset(
    n_subjects=20,
    *,
    n_tasks=2,
    n_runs=2,
    n_timesteps=100,
    tr=2.0,
    coords="dosenbach",
    task_regions=None,
    n_task_regions=8,
    task_blocks=None,
    placement="early_late",
    block_duration=None,
    amplitude=1.0,
    noise=1.0,
    noise_autocorr=0.4,
    network_coupling=0.3,
    onset_jitter=2,
    mask_threshold=0.1,
    shuffle=True,
    random_state=None,
    return_info=False,
):
    """Simulate region time series of subjects doing tasks, with ground truth.

    Design: every subject does every task in ``n_runs`` runs; each run is one
    sample, labelled with its task. Regions are those of a coordinate set that
    nilearn ships (``coords``). Each task drives its own regions (by default
    ``n_task_regions`` regions of one network per task) during its own blocks:
    a boxcar of ``block_duration`` scans convolved with nilearn's Glover
    haemodynamic response, scaled to peak ``amplitude`` times a per-subject gain
    (uniform 0.75-1.25) and a per-region gain (uniform 0.6-1.0). With the
    default ``placement="early_late"``, each task has one block early in the run
    (between 5 % and 45 % of it) and one late (70 %-100 %), task ``k`` in the
    ``k``-th slot of each zone, so that a model which only looks at the end of a
    run still classifies well but misses the early evidence. Block onsets jitter
    per run by up to ``onset_jitter`` scans. Background: AR(1) noise (lag-1
    autocorrelation ``noise_autocorr``) of standard deviation ``noise``, of
    which a share ``network_coupling`` of the variance is common to the regions
    of a network, so networks are correlated as in resting-state data.

    Parameters
    ----------
    n_subjects : int, default=20
        Number of subjects.
    n_tasks : int, default=2
        Number of tasks (classes), at least 2.
    n_runs : int, default=2
        Runs per subject and task. ``n_samples = n_subjects * n_tasks * n_runs``.
    n_timesteps : int, default=100
        Scans per run.
    tr : float, default=2.0
        Repetition time in seconds (sets the HRF's width in scans).
    coords : {"dosenbach", "power", "seitzman"}, default="dosenbach"
        Coordinate set whose regions are the features (160, 264 or 300).
    task_regions : list of array-like of int, optional
        Region ids driven by each task (one list per task). Default: random
        regions of a distinct network per task.
    n_task_regions : int, default=8
        Regions per task when ``task_regions`` is None.
    task_blocks : list of list of (onset, duration), optional
        Blocks of each task in scans. Overrides ``placement``.
    placement : {"early_late", "early", "late"}, default="early_late"
        Where the default blocks go.
    block_duration : int, optional
        Scans per default block; default 60 % of a task's slot.
    amplitude : float, default=1.0
        Peak response, in units of the noise standard deviation when ``noise=1``.
    noise : float, default=1.0
        Standard deviation of the background noise.
    noise_autocorr : float, default=0.4
        Lag-1 autocorrelation of the noise, in [0, 1).
    network_coupling : float, default=0.3
        Share of the noise variance common to a network's regions, in [0, 1].
    onset_jitter : int, default=2
        Largest shift (scans) of a run's block onsets.
    mask_threshold : float, default=0.1
        ``mask`` is True where the injected response exceeds this fraction of
        its peak.
    shuffle : bool, default=True
        Shuffle the samples.
    random_state : int, RandomState instance or None, default=None
        Seed; the same seed gives the same data.
    return_info : bool, default=False
        Also return a Bunch describing the design.

    Returns
    -------
    X : ndarray of shape (n_samples, n_timesteps, n_regions), float32
        Region signals.
    y : ndarray of shape (n_samples,), int
        Task of each run.
    mask : ndarray of shape (n_samples, n_timesteps, n_regions), bool
        True where task signal was injected (response above ``mask_threshold``).
    info : Bunch
        Only if ``return_info``: ``atlas`` (the :class:`Atlas` of ``coords``),
        ``region_ids``, ``networks``, ``subject`` and ``run`` of each sample
        (use ``subject`` as ``groups`` in cross-validation), ``task_regions``,
        ``task_blocks``, ``onsets`` (each sample's jittered blocks) and
        ``signal`` (the noiseless injected signal, same shape as ``X``).

    See Also
    --------
    ica_sklearn.datasets.make_box_dataset : The paper's synthetic boxes.

    Examples
    --------
    >>> from ica_sklearn.brain import make_task_fmri_dataset
    >>> X, y, mask = make_task_fmri_dataset(n_subjects=3, n_timesteps=60, random_state=0)
    >>> X.shape, y.shape, mask.shape
    ((12, 60, 160), (12,), (12, 60, 160))
    >>> sorted(set(y.tolist()))
    [0, 1]
    """
    _check_simulation_args(n_subjects, n_tasks, n_runs, n_timesteps, coords, placement,
                           noise_autocorr, network_coupling)
    rng = check_random_state(random_state)
    table = _coordinate_table(coords)
    region_ids = table["id"].to_numpy()
    if task_regions is None:
        task_regions = _default_task_regions(table, n_tasks, n_task_regions, rng)
    task_regions = _checked_task_regions(task_regions, n_tasks, region_ids)
    if task_blocks is None:
        task_blocks = _default_task_blocks(n_tasks, n_timesteps, placement, block_duration)
    if len(task_blocks) != n_tasks:
        raise ValueError(f"task_blocks has {len(task_blocks)} entries for {n_tasks} tasks.")
    region_gains = [rng.uniform(0.6, 1.0, size=len(ids)) for ids in task_regions]

    n_samples = n_subjects * n_tasks * n_runs
    subject, task, run = (a.ravel() for a in np.meshgrid(
        np.arange(n_subjects), np.arange(n_tasks), np.arange(n_runs), indexing="ij"))
    subject_gain = rng.uniform(0.75, 1.25, size=n_subjects)
    signal = np.zeros((n_samples, n_timesteps, len(region_ids)))
    mask = np.zeros(signal.shape, dtype=bool)
    onsets = []
    for i in range(n_samples):
        jitter = rng.randint(-onset_jitter, onset_jitter + 1) if onset_jitter else 0
        blocks = _jittered(task_blocks[task[i]], jitter, n_timesteps)
        onsets.append(blocks)
        response = _block_response(blocks, n_timesteps, tr)
        columns = np.searchsorted(region_ids, task_regions[task[i]])
        gains = amplitude * subject_gain[subject[i]] * region_gains[task[i]]
        signal[i][:, columns] = response[:, None] * gains[None, :]
        mask[i][:, columns] = (response > mask_threshold)[:, None]

    X = signal + noise * _background_noise(rng, signal.shape, table["network"].to_numpy(),
                                           noise_autocorr, network_coupling)
    order = rng.permutation(n_samples) if shuffle else np.arange(n_samples)
    X, y, mask = X[order].astype(np.float32), task[order], mask[order]
    if not return_info:
        return X, y, mask
    info = Bunch(
        atlas=load_coords_atlas(coords),
        region_ids=region_ids,
        networks=table["network"].to_numpy(),
        subject=subject[order],
        run=run[order],
        task_regions=task_regions,
        task_blocks=[list(blocks) for blocks in task_blocks],
        onsets=[onsets[i] for i in order],
        signal=signal[order].astype(np.float32),
    )
    return X, y, mask, info


def _background_noise(rng, shape, networks, autocorr, coupling):
    own = _ar1_noise(rng, shape, autocorr)
    if coupling == 0:
        return own
    network_names, network_of_region = np.unique(networks, return_inverse=True)
    shared = _ar1_noise(rng, shape[:2] + (len(network_names),), autocorr)
    return np.sqrt(1 - coupling) * own + np.sqrt(coupling) * shared[..., network_of_region]


def _check_simulation_args(n_subjects, n_tasks, n_runs, n_timesteps, coords, placement,
                           noise_autocorr, network_coupling):
    if n_subjects < 1 or n_runs < 1:
        raise ValueError("n_subjects and n_runs must be at least 1.")
    if n_tasks < 2:
        raise ValueError(f"n_tasks must be at least 2, got {n_tasks}.")
    if n_timesteps < 10:
        raise ValueError(f"n_timesteps must be at least 10, got {n_timesteps}.")
    if coords not in COORDINATE_SETS:
        raise ValueError(f"coords must be one of {COORDINATE_SETS}, got {coords!r}.")
    if placement not in PLACEMENTS:
        raise ValueError(f"placement must be one of {PLACEMENTS}, got {placement!r}.")
    if not 0 <= noise_autocorr < 1:
        raise ValueError(f"noise_autocorr must be in [0, 1), got {noise_autocorr}.")
    if not 0 <= network_coupling <= 1:
        raise ValueError(f"network_coupling must be in [0, 1], got {network_coupling}.")


def _checked_task_regions(task_regions, n_tasks, region_ids):
    task_regions = [np.asarray(ids, dtype=np.int64).ravel() for ids in task_regions]
    if len(task_regions) != n_tasks:
        raise ValueError(f"task_regions has {len(task_regions)} entries for {n_tasks} tasks.")
    for ids in task_regions:
        unknown = np.setdiff1d(ids, region_ids)
        if unknown.size:
            raise ValueError(f"task_regions holds ids not in the coordinate set: {unknown[:20]}")
    return task_regions
