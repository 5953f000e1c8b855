#!/usr/bin/env bash
# Sets everything up (scripts/setup.sh) and starts JupyterLab on the demo notebook,
# which profiles pure Python, numpy and Numba code with %%vmprof.
# Extra arguments go to `jupyter lab` (for example --port=8899 --no-browser).
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/setup.sh
export PATH="$PWD/.venv/bin:$PATH"
root_flag=()
# JupyterLab refuses to start as root (a fresh container or VM) without this.
[ "$(id -u)" = 0 ] && root_flag=(--allow-root)
exec jupyter lab "${root_flag[@]}" examples/demo.ipynb "$@"
