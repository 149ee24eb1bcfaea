"""The real-data benchmark runs offline on aeon's shipped sets and its table is sane."""

import runpy
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

SCRIPT = Path(__file__).parents[2] / "benchmarks" / "bench_real_data.py"


@pytest.mark.slow
def test_quick_run_has_every_model_and_minirocket_beats_chance(tmp_path):
    pytest.importorskip("aeon")
    bench = runpy.run_path(str(SCRIPT))
    bench["main"](["--quick", "--out", str(tmp_path)])
    runs = pd.read_csv(tmp_path / "bench_real_data.csv")
    models = {*bench["CELLS"], *(f"{c} (defaults)" for c in bench["DEFAULT_CELLS"])}
    models |= {bench["MINIROCKET"], bench["DTW"]}
    assert set(runs["model"]) == models
    assert set(runs["dataset"]) == set(bench["QUICK_DATASETS"])
    assert runs.groupby("dataset")["model"].nunique().eq(len(models)).all()
    assert runs["accuracy"].between(0, 1).all() and (runs["fit_s"] >= 0).all()
    # GunPoint's test split: 150 series, two balanced classes; chance is 0.5 and
    # MiniRocket's published accuracy is about 0.99.
    gunpoint = runs[runs["dataset"] == "GunPoint"].set_index("model")["accuracy"]
    assert gunpoint[bench["MINIROCKET"]] > 0.9
    table = (tmp_path / "bench_real_data.md").read_text()
    assert all(f"| {m} " in table or f" {m} |" in table for m in models)
    assert (tmp_path / "bench_real_data.png").read_bytes().startswith(b"\x89PNG")


def test_loader_reads_the_published_split_offline_and_transposes_to_time_major():
    pytest.importorskip("aeon")
    bench = runpy.run_path(str(SCRIPT))
    X, y = bench["load_split"]("BasicMotions", "TRAIN")
    assert X.shape == (40, 6, 100) and len(y) == 40
    Xt = bench["time_major"](X)
    assert Xt.shape == (40, 100, 6)
    np.testing.assert_array_equal(Xt[3, :, 2], X[3, 2].astype(np.float32))
    ragged, _ = bench["load_split"]("PickupGestureWiimoteZ", "TEST")
    assert bench["is_ragged"](ragged)
    assert [x.shape for x in bench["time_major"](ragged)] == [x.shape[::-1] for x in ragged]
    with pytest.raises(FileNotFoundError, match="not in aeon's wheel"):
        bench["load_split"]("NoSuchSet", "TRAIN")
