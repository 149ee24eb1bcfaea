"""The declared dependency bounds are the ones the lowest-versions job tests."""

import re
import pytest

tomllib = pytest.importorskip("tomllib")  # Python >= 3.11
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]


def _declared_lower_bounds():
    project = tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]
    requirements = list(project["dependencies"])
    for extra in ("brain", "scale", "test"):
        requirements += project["optional-dependencies"][extra]
    bounds = {}
    for requirement in requirements:
        match = re.fullmatch(r"([A-Za-z0-9_.-]+)(\[[^\]]*\])?>=([0-9.]+)", requirement.strip())
        if match and match.group(1) not in ("pytest", "hypothesis"):
            name = match.group(1).lower().replace("_", "-")
            bounds[name] = match.group(3)
    return bounds


def _pinned_lowest():
    pins = {}
    for line in (ROOT / ".ci" / "lowest-versions.txt").read_text().splitlines():
        line = line.split("#")[0].strip()
        if line:
            name, version = line.split("==")
            pins[name.lower().replace("_", "-")] = version
    return pins


def _same_version(a, b):
    def parts(version):
        numbers = [int(p) for p in version.split(".")]
        while numbers and numbers[-1] == 0:
            numbers.pop()
        return numbers

    return parts(a) == parts(b)


def test_lowest_versions_job_pins_every_declared_lower_bound():
    declared, pinned = _declared_lower_bounds(), _pinned_lowest()
    torch_bound = declared.pop("torch")  # installed first, from this machine's CPU build
    assert _same_version(torch_bound, "2.13")
    missing = sorted(set(declared) - set(pinned))
    assert not missing, f"lowest-versions.txt lacks {missing}"
    different = {
        name: (declared[name], pinned[name])
        for name in declared
        if not _same_version(declared[name], pinned[name])
    }
    assert not different, f"declared lower bound != pinned lowest version: {different}"
