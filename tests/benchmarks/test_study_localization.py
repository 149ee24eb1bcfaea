"""The localisation study's script runs and its tables hold what the docs quote."""

import runpy
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

SCRIPT = Path(__file__).parents[2] / "benchmarks" / "study_localization.py"


@pytest.mark.slow
def test_quick_study_writes_rows_for_every_training_and_baseline(tmp_path):
    study = runpy.run_path(str(SCRIPT))
    study["main"](["--quick", "--trainings", "paper", "recommended", "--out", str(tmp_path)])
    runs = pd.read_csv(tmp_path / "study_localization.csv")
    assert set(runs["training"]) == {"-", "paper", "recommended"}
    assert {"random_map", "input_magnitude", "linear_reference"} <= set(runs["explainer"])
    assert set(study["EXPLAINERS"]) <= set(runs.loc[runs["training"] == "paper", "explainer"])
    random_row = runs[runs["explainer"] == "random_map"].iloc[0]
    assert abs(random_row["saliency_auc"] - 0.5) < 0.05 and random_row["aupr_skill"] == 0.0
    assert (tmp_path / "study_localization.png").read_bytes().startswith(b"\x89PNG")
    assert "### earlier_box" in (tmp_path / "study_localization.md").read_text()


def test_attention_time_map_is_the_last_steps_attention():
    from ica_sklearn import RNNClassifier

    study = runpy.run_path(str(SCRIPT))
    rng = np.random.RandomState(0)
    X = rng.normal(size=(6, 5, 3)).astype("float32")
    clf = RNNClassifier(max_epochs=1, random_state=0).fit(X, np.arange(6) % 2)
    maps = study["attention_time_map"](clf, X)
    assert maps.shape == X.shape
    np.testing.assert_allclose(maps[:, :, 0].sum(axis=1), 1.0, rtol=1e-5)  # weights over time
    np.testing.assert_array_equal(maps[:, :, 0], maps[:, :, 2])  # the same for every feature
