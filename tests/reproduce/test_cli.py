"""The ``ica-sklearn`` command: reproduce end to end, help texts, file round trip."""

import numpy as np
import pandas as pd
import pytest

from ica_sklearn.reproduce import PAPER_TABLE1
from ica_sklearn.cli import main

SUBCOMMANDS = ["reproduce", "make-data", "train", "explain", "evaluate", "plot"]


@pytest.fixture(scope="module")
def quick_run(tmp_path_factory):
    out = tmp_path_factory.mktemp("results")
    status = main(["reproduce", "--quick", "--out", str(out), "--layouts", "earlier_box",
                   "mixed_boxes", "--models", "lstm", "ica_lstm", "--device", "cpu",
                   "--no-progress", "--max-epochs", "5"])
    assert status == 0
    return out


def test_reproduce_writes_tables(quick_run, capsys):
    table = pd.read_csv(quick_run / "table1.csv", header=[0, 1], index_col=0)
    assert list(table.index) == ["lstm", "ica_lstm"]
    assert {"earlier_box", "mixed_boxes"} == set(table.columns.get_level_values(0))
    for metric in ("weighted_jaccard", "euclidean_distance", "accuracy", "saliency_auc"):
        assert ("earlier_box", metric) in table.columns
    assert table[("earlier_box", "accuracy")].between(0, 100).all()

    runs = pd.read_csv(quick_run / "runs.csv")
    assert len(runs) == 4
    assert {"layout", "model", "seed", "n_epochs", "fit_seconds"} <= set(runs.columns)

    per_sample = pd.read_csv(quick_run / "per_sample_metrics.csv")
    assert list(per_sample.columns[:4]) == ["layout", "model", "seed", "sample"]
    assert {"weighted_jaccard", "euclidean_distance", "y", "correct"} <= set(per_sample.columns)
    paper_rows = per_sample["model"].isin(["lstm", "ica_lstm"])
    assert paper_rows.sum() == 4 * 60  # plus the localisation table's reference rows:
    assert (~paper_rows).sum() == 2 * 4 * 60


def test_reproduce_markdown_shows_paper_numbers(quick_run):
    markdown = (quick_run / "table1.md").read_text()
    assert markdown.startswith("**Quick run**") and "not comparable" in markdown.splitlines()[0]
    assert (quick_run / "localization.md").read_text().startswith("**Quick run**")
    assert "WJac paper" in markdown
    paper = PAPER_TABLE1[("earlier_box", "ica_lstm")]
    row = next(line for line in markdown.splitlines() if "| earlier_box | ica_lstm |" in line)
    assert f"{paper['weighted_jaccard']:.3f}" in row and f"{paper['euclidean_distance']:.3f}" in row
    mixed = next(line for line in markdown.splitlines() if "| mixed_boxes | ica_lstm |" in line)
    assert "77.6" in mixed


def test_reproduce_writes_figures(quick_run):
    figures = sorted(p.name for p in (quick_run / "figures").glob("*.png"))
    assert figures == [f"{kind}_{layout}.png" for kind in ("saliency_maps", "saliency_over_time")
                       for layout in ("earlier_box", "mixed_boxes")]
    for path in (quick_run / "figures").glob("*.png"):
        assert path.read_bytes().startswith(b"\x89PNG") and path.stat().st_size > 5000


def test_reproduce_writes_the_localization_table(quick_run):
    runs = pd.read_csv(quick_run / "localization_runs.csv")
    expected = {"lstm", "ica_lstm", "random_map", "input_magnitude", "linear_reference", "recommended"}
    for layout in ("earlier_box", "mixed_boxes"):
        assert set(runs.loc[runs["layout"] == layout, "model"]) == expected
    by_model = runs[runs["layout"] == "earlier_box"].set_index("model")
    assert abs(by_model.loc["random_map", "saliency_auc"] - 0.5) < 0.05
    assert by_model.loc["random_map", "aupr_skill"] == 0.0
    # the transparent reference finds the box: the table can tell a working explanation from noise
    assert by_model.loc["linear_reference", "saliency_auc"] > 0.85
    assert by_model.loc["linear_reference", "aupr_skill"] > 0.5
    assert np.isnan(by_model.loc["random_map", "accuracy"])
    markdown = (quick_run / "localization.md").read_text()
    assert "| earlier_box | random map (no model) |" in markdown and "time loc" in markdown
    sanity = pd.read_csv(quick_run / "sanity_checks.csv")
    assert sanity["check"].iloc[-1] == "data randomization"
    assert sanity["check"].str.startswith("model randomization").sum() >= 2
    assert sanity["spearman"].between(-1, 1).all()


def test_reproduce_without_localization(tmp_path, capsys):
    status = main(["reproduce", "--quick", "--out", str(tmp_path), "--layouts", "latter_box",
                   "--models", "lstm", "--device", "cpu", "--no-progress", "--max-epochs", "1",
                   "--no-localization"])
    assert status == 0
    assert (tmp_path / "table1.md").exists()
    assert not (tmp_path / "localization.md").exists()
    assert "localization" not in capsys.readouterr().out


@pytest.mark.parametrize("command", SUBCOMMANDS)
def test_help(command, capsys):
    with pytest.raises(SystemExit) as exit_info:
        main([command, "--help"])
    assert exit_info.value.code == 0
    assert f"ica-sklearn {command}" in capsys.readouterr().out


def test_missing_command_is_an_error(capsys):
    with pytest.raises(SystemExit):
        main([])
    assert "required" in capsys.readouterr().err


def test_step_by_step_round_trip(tmp_path, capsys):
    data = tmp_path / "data"
    main(["make-data", "--layout", "latter_box", "--n-train", "40", "--n-test", "12",
          "--timesteps", "10", "--features", "6", "--out", str(data)])
    test = np.load(data / "test.npz")
    assert test["X"].shape == (12, 10, 6) and test["mask"].dtype == bool

    model = tmp_path / "model.pt"
    main(["train", str(data / "train.npz"), "--model", "ica_lstm", "--max-epochs", "3",
          "--device", "cpu", "--out", str(model)])
    saliency = tmp_path / "saliency.npz"
    main(["explain", str(model), str(data / "test.npz"), "--out", str(saliency)])
    assert np.load(saliency)["saliency"].shape == (12, 10, 6)

    metrics = tmp_path / "metrics.csv"
    main(["evaluate", str(saliency), str(data / "test.npz"), "--out", str(metrics)])
    scores = pd.read_csv(metrics)
    assert len(scores) == 12
    assert scores["weighted_jaccard"].between(0, 1).all()

    figures = tmp_path / "figures"
    main(["plot", str(saliency), str(data / "test.npz"), "--label", "ica_lstm", "--out", str(figures)])
    assert (figures / "saliency_maps.png").stat().st_size > 0
    assert "weighted_jaccard" in capsys.readouterr().out
