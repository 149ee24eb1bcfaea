#!/usr/bin/env bash
# Create a fresh virtual environment and install ica_sklearn into it from
# pyproject.toml. Usage: scripts/setup_venv.sh VENV_DIR EXTRAS
# torch is pinned to the CPU build 2.13.0 first: an unpinned torch requirement
# would pull a multi-GB CUDA build.
set -euo pipefail
venv_dir=${1:?usage: setup_venv.sh VENV_DIR [EXTRAS]}
extras=${2:-}
python3 -m venv --clear "$venv_dir"
"$venv_dir/bin/python" -m pip install --quiet --upgrade pip
"$venv_dir/bin/python" -m pip install --quiet torch==2.13.0
"$venv_dir/bin/python" -m pip install --quiet -e ".${extras:+[$extras]}"
