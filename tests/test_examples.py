"""Every script in ``examples/`` runs, in quick mode, so the gallery cannot rot.

Each example reads ``ICA_SKLEARN_QUICK=1`` and shrinks its data and training
to a few seconds.  Figures go to matplotlib's Agg backend and files the
examples write land in a temporary directory.  An example whose optional
dependency is missing is skipped, not failed; the real-data example needs
none (without aeon it runs on a stand-in), and its fallback is tested too.
"""

import importlib.util
import runpy
import sys
from pathlib import Path

import matplotlib
import pytest

matplotlib.use("Agg")

EXAMPLES_DIR = Path(__file__).resolve().parent.parent / "examples"
EXAMPLES = sorted(EXAMPLES_DIR.glob("plot_*.py"))
QUICK_VARIABLE = "ICA_SKLEARN_QUICK"

# Optional packages an example needs beyond the core dependencies.
OPTIONAL_DEPENDENCIES = {
    "plot_brain_saliency.py": ["nilearn"],
    "plot_brain_group_maps.py": ["nilearn"],
    "plot_brain_real_noise.py": ["nilearn"],
}
# Examples that take minutes even in quick mode (the slow tier runs them).
SLOW_EXAMPLES = {"plot_brain_group_maps.py"}


def test_examples_found():
    assert EXAMPLES, f"no examples found in {EXAMPLES_DIR}"


@pytest.mark.parametrize(
    "path",
    [
        pytest.param(path, marks=pytest.mark.slow) if path.name in SLOW_EXAMPLES else path
        for path in EXAMPLES
    ],
    ids=[path.stem for path in EXAMPLES],
)
def test_example_runs_in_quick_mode(path, monkeypatch, tmp_path):
    for module in OPTIONAL_DEPENDENCIES.get(path.name, []):
        pytest.importorskip(module)
    if QUICK_VARIABLE not in path.read_text(encoding="utf-8"):
        pytest.skip(f"{path.name} has no quick mode ({QUICK_VARIABLE}); too slow for the tests")
    _run_quick(path, monkeypatch, tmp_path)


def test_real_data_example_falls_back_without_aeon(monkeypatch, tmp_path, capsys):
    """Without the ``real-data`` extra the BasicMotions example still runs, and says why."""
    if importlib.util.find_spec("aeon") is None:
        pytest.skip("aeon is not installed, so the quick-mode run above took the fallback")
    for module in [name for name in sys.modules if name == "aeon" or name.startswith("aeon.")]:
        monkeypatch.delitem(sys.modules, module)
    monkeypatch.setitem(sys.modules, "aeon", None)  # makes ``import aeon...`` raise ImportError
    _run_quick(EXAMPLES_DIR / "plot_real_data.py", monkeypatch, tmp_path)
    output = capsys.readouterr().out
    assert "aeon is not installed" in output
    assert "ica_sklearn[real-data]" in output


def _run_quick(path, monkeypatch, tmp_path):
    import matplotlib.pyplot as plt

    monkeypatch.setenv(QUICK_VARIABLE, "1")
    monkeypatch.setenv("MPLBACKEND", "Agg")
    monkeypatch.chdir(tmp_path)
    monkeypatch.setattr(plt, "show", lambda *args, **kwargs: None)
    try:
        runpy.run_path(str(path), run_name="__main__")
    finally:
        plt.close("all")
