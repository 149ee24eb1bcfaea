"""The optional dependency and the public names."""

import sys
import warnings

import numpy as np
import pytest

pytest.importorskip("nilearn")
nibabel = pytest.importorskip("nibabel")

from ica_sklearn import brain  # noqa: E402
from ica_sklearn.brain import (  # noqa: E402
    load_coords_atlas,
    make_task_fmri_dataset,
)

@pytest.fixture(scope="module")
def dosenbach():
    return load_coords_atlas("dosenbach")


# --- optional dependency -----------------------------------------------------------------


def test_missing_nilearn_gives_install_hint(monkeypatch):
    monkeypatch.setitem(sys.modules, "nilearn.datasets", None)
    with pytest.raises(ImportError, match=r"pip install ica_sklearn\[brain\]"):
        load_coords_atlas("dosenbach")


def test_public_names_are_exported():
    for name in brain.__all__:
        assert hasattr(brain, name)
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        assert callable(brain.make_task_fmri_dataset)


def test_importing_the_package_does_not_import_nilearn():
    import subprocess

    code = (
        "import sys; import ica_sklearn.brain; "
        "assert 'nilearn' not in sys.modules, 'nilearn imported eagerly'"
    )
    subprocess.run([sys.executable, "-c", code], check=True)
