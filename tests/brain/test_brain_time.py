"""Time in seconds: windows, their labels, event-locked epochs."""

import numpy as np
import pandas as pd
import pytest

from ica_sklearn.brain import aggregate_time_windows, event_locked_saliency, window_labels


def test_windows_in_seconds_follow_the_tr():
    saliency = np.arange(20.0)[:, None] * np.ones((1, 3))
    windows, bounds = aggregate_time_windows(saliency, tr=2.0, window_seconds=10.0,
                                             return_bounds=True)
    assert bounds.tolist() == [[0, 10], [10, 20], [20, 30], [30, 40]]
    assert windows[:, 0].tolist() == [2.0, 7.0, 12.0, 17.0]  # 5 scans of 2 s per window
    assert window_labels(bounds) == ["0-10 s", "10-20 s", "20-30 s", "30-40 s"]
    with pytest.raises(ValueError, match="tr"):
        aggregate_time_windows(saliency, window_seconds=10.0)


def test_labels_say_scans_without_a_tr():
    _, bounds = aggregate_time_windows(np.ones((9, 2)), 3, return_bounds=True)
    assert window_labels(bounds) == ["scans 0-3", "scans 3-6", "scans 6-9"]
    assert window_labels(bounds, tr=1.5) == ["0-4.5 s", "4.5-9 s", "9-13.5 s"]


def test_event_locked_epochs_align_each_trial_with_its_own_run():
    saliency = np.zeros((2, 40, 2))
    saliency[0, 12, 0] = 1.0  # run 0: 6 s after an onset at 18 s (scan 9)
    saliency[1, 27, 1] = 2.0  # run 1: 6 s after an onset at 48 s (scan 24)
    events = pd.DataFrame({"onset": [18.0, 48.0, 76.0], "trial_type": ["a", "b", "b"],
                           "sample": [0, 1, 1]})
    epochs, lags, types = event_locked_saliency(saliency, events, tr=2.0, window=(-2, 10))
    assert lags.tolist() == [-2.0, 0.0, 2.0, 4.0, 6.0, 8.0]
    assert epochs[0, lags == 6.0, 0] == 1.0 and epochs[1, lags == 6.0, 1] == 2.0
    assert np.isnan(epochs[2, lags >= 4.0]).all()  # past the end of the run
    assert types.tolist() == ["a", "b", "b"]
    with pytest.raises(ValueError, match="onset"):
        event_locked_saliency(saliency, pd.DataFrame({"time": [1.0]}), tr=2.0)
