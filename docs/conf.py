"""Sphinx configuration of the ica_sklearn documentation.

Build (offline, warnings are errors)::

    .venv/bin/python -m sphinx -W -b html docs docs/_build/html

The examples gallery runs every script in ``examples/`` in quick mode
(``ICA_SKLEARN_QUICK=1``: small data, few epochs), so the build takes about a
minute on two CPU cores.  Set ``ICA_SKLEARN_QUICK=0`` to render the gallery at
full size (slow).
"""

import os
import re
import sys
from pathlib import Path

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent
sys.path.insert(0, str(ROOT))

os.environ.setdefault("ICA_SKLEARN_QUICK", "1")
os.environ.setdefault("MPLBACKEND", "Agg")

import torch  # noqa: E402

torch.set_num_threads(1)  # small models: one thread is fastest on a shared 2-core machine

import ica_sklearn  # noqa: E402

project = "ica_sklearn"
author = "the ica_sklearn developers"
copyright = "2026, the ica_sklearn developers"
release = ica_sklearn.__version__
version = release

extensions = [
    "sphinx.ext.autodoc",
    "sphinx.ext.autosummary",
    "sphinx.ext.mathjax",
    "numpydoc",
    "sphinx_gallery.gen_gallery",
    "myst_parser",  # docs/benchmarks.md is Markdown
]

source_suffix = {".rst": "restructuredtext", ".md": "markdown"}
root_doc = "index"
exclude_patterns = ["_build", "Thumbs.db", ".DS_Store", "auto_examples/*.ipynb",
                    "auto_examples/*.py", "auto_examples/*.zip", "**.codeobj.json"]
templates_path = ["_templates"]
suppress_warnings = ["myst.header"]
# Docstrings that write absolute values as |x| in plain text (e.g.
# ica_sklearn.brain.top_fraction_threshold) would otherwise be read as
# undefined substitutions; render them literally.
rst_epilog = """
.. |value| replace:: \\|value\\|
.. |values| replace:: \\|values\\|
"""

# -- API reference ----------------------------------------------------------
autosummary_generate = True
autodoc_default_options = {"members": True, "inherited-members": False}
autodoc_typehints = "none"
numpydoc_show_class_members = False
numpydoc_class_members_toctree = False
numpydoc_xref_param_type = False



def _skip_metadata_request_methods(app, what, name, obj, skip, options):
    """Leave out scikit-learn's generated ``set_*_request`` methods (documented upstream)."""
    if name.startswith("set_") and name.endswith("_request"):
        return True
    return None


def setup(app):
    app.connect("autodoc-skip-member", _skip_metadata_request_methods)


# -- Offline: no intersphinx inventories are fetched ------------------------
intersphinx_mapping = {}

# -- Examples gallery -------------------------------------------------------
EXAMPLES = ROOT / "examples"


def _executed_examples():
    """Regex of the examples to run: those with a quick mode (others are shown, not run)."""
    quick = [path.name for path in sorted(EXAMPLES.glob("plot_*.py"))
             if "ICA_SKLEARN_QUICK" in path.read_text(encoding="utf-8")]
    return "|".join(re.escape(os.sep + name) for name in quick) or r"^$"


sphinx_gallery_conf = {
    "examples_dirs": str(EXAMPLES),
    "gallery_dirs": "auto_examples",
    "filename_pattern": _executed_examples(),
    "abort_on_example_error": True,
    "download_all_examples": False,
    "remove_config_comments": True,
    "within_subsection_order": "FileNameSortKey",
    "reset_modules": ("matplotlib",),
    "show_memory": False,
    "capture_repr": (),
}

# -- HTML -------------------------------------------------------------------
html_theme = "alabaster"
html_title = f"ica_sklearn {release}"
html_static_path = ["_static"]
html_theme_options = {
    "description": "Recurrent classifiers with input-cell attention, explained",
    "fixed_sidebar": True,
    "page_width": "1100px",
    "sidebar_width": "230px",
}
html_sidebars = {"**": ["about.html", "navigation.html", "searchbox.html"]}
