#!/usr/bin/env bash
# Start JupyterLab for the UI tests, isolated from the user's setup:
#   - the repository's venv,
#   - a fresh temporary profile store (JUPYTERLAB_VMPROF_STORE),
#   - a temporary root dir holding a copy of examples/ and ui-tests/notebooks/,
#   - temporary lab settings and workspaces, so saved layouts cannot interfere,
#   - a snapshot of the built labextension, so concurrent rebuilds cannot interfere,
#   - the token and port given by playwright.config.ts (VMPROF_UI_TOKEN, VMPROF_UI_PORT).
set -euo pipefail

HERE="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
REPO="$(dirname "$HERE")"
: "${VMPROF_UI_PORT:?set by playwright.config.ts}"
: "${VMPROF_UI_TOKEN:?set by playwright.config.ts}"

WORK="$(mktemp -d "${TMPDIR:-/tmp}/vmprof-ui-XXXXXX")"
trap 'rm -rf "$WORK"' EXIT
mkdir -p "$WORK/root" "$WORK/store" "$WORK/settings" "$WORK/workspaces"
cp -r "$REPO/examples" "$WORK/root/examples"
cp -r "$HERE/notebooks" "$WORK/root/ui-tests"

# Start the notebook's kernel without asking, and do not ask about news.
mkdir -p "$WORK/settings/@jupyterlab/notebook-extension" "$WORK/settings/@jupyterlab/apputils-extension"
echo '{"autoStartDefaultKernel": true}' \
  >"$WORK/settings/@jupyterlab/notebook-extension/tracker.jupyterlab-settings"
echo '{"fetchNews": "false"}' \
  >"$WORK/settings/@jupyterlab/apputils-extension/notification.jupyterlab-settings"

# A snapshot of the built extension, found before the develop symlink
# (JUPYTER_PATH comes first), so that a rebuild while the tests run cannot
# pull chunks from under the page.
if [ -f "$REPO/jupyterlab_vmprof/labextension/package.json" ]; then
  mkdir -p "$WORK/jupyter/labextensions"
  cp -rL "$REPO/jupyterlab_vmprof/labextension" "$WORK/jupyter/labextensions/jupyterlab-vmprof"
  export JUPYTER_PATH="$WORK/jupyter${JUPYTER_PATH:+:$JUPYTER_PATH}"
fi

export PATH="$REPO/.venv/bin:$PATH"
export JUPYTERLAB_VMPROF_STORE="$WORK/store"
export JUPYTERLAB_SETTINGS_DIR="$WORK/settings"
export JUPYTERLAB_WORKSPACES_DIR="$WORK/workspaces"
# The kernel and the server import the package from this working tree even
# before `pip install -e .`.
export PYTHONPATH="$REPO${PYTHONPATH:+:$PYTHONPATH}"

if [ ! -f "$REPO/jupyterlab_vmprof/converter/vmprof-convert.js" ]; then
  echo "start-lab.sh: jupyterlab_vmprof/converter/vmprof-convert.js is missing; run 'jlpm build:converter'" >&2
fi
if [ ! -f "$REPO/jupyterlab_vmprof/labextension/package.json" ]; then
  echo "start-lab.sh: the labextension is not built; run 'jlpm build' and 'jupyter labextension develop --overwrite .'" >&2
fi

echo "start-lab.sh: root $WORK/root, profile store $JUPYTERLAB_VMPROF_STORE" >&2
# Not exec: the EXIT trap removes the temporary folder when lab stops.
jupyter lab \
  --no-browser \
  --ServerApp.ip=127.0.0.1 \
  --ServerApp.port="$VMPROF_UI_PORT" \
  --ServerApp.port_retries=0 \
  --IdentityProvider.token="$VMPROF_UI_TOKEN" \
  --allow-root \
  --ServerApp.password= \
  --ServerApp.root_dir="$WORK/root" \
  --ServerApp.jpserver_extensions="{'jupyterlab_vmprof': True}" \
  --LabApp.news_url=None \
  --LabApp.check_for_updates_class=jupyterlab.NeverCheckForUpdate &
LAB=$!
trap 'kill "$LAB" 2>/dev/null; wait "$LAB" 2>/dev/null; rm -rf "$WORK"' EXIT INT TERM
wait "$LAB"
