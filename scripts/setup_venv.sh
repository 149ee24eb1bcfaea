#!/usr/bin/env bash
# Create a virtual environment and install ica_sklearn into it from
# pyproject.toml. Usage: scripts/setup_venv.sh VENV_DIR [EXTRAS [CONSTRAINTS_FILE]]
# An environment that was set up from the same pyproject.toml and extras is
# reused (a stamp file records them); set ICA_SKLEARN_FRESH_VENV=1 to rebuild.
# torch is pinned to the CPU build 2.13.0 first: an unpinned torch requirement
# would pull a multi-GB CUDA build.
set -euo pipefail
venv_dir=${1:?usage: setup_venv.sh VENV_DIR [EXTRAS]}
extras=${2:-}
constraints=${3:-}
stamp="$venv_dir/.ica_sklearn-stamp"
wanted="$(cat pyproject.toml ${constraints:+"$constraints"} | sha256sum | cut -d' ' -f1) extras=$extras"
if [ "${ICA_SKLEARN_FRESH_VENV:-0}" != 1 ] && [ -x "$venv_dir/bin/python" ] \
   && [ -f "$stamp" ] && [ "$(cat "$stamp")" = "$wanted" ]; then
  echo "Reusing $venv_dir (up to date with pyproject.toml)"
  exit 0
fi
python3 -m venv --clear "$venv_dir"
"$venv_dir/bin/python" -m pip install --quiet --upgrade pip
"$venv_dir/bin/python" -m pip install --quiet torch==2.13.0
"$venv_dir/bin/python" -m pip install --quiet ${constraints:+--constraint "$constraints"} \
  -e ".${extras:+[$extras]}"
echo "$wanted" > "$stamp"
