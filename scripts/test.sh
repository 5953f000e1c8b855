#!/usr/bin/env bash
# Sets everything up (scripts/setup.sh), then runs every test: the engine and view
# unit tests and the kernel-client integration test (jest), the Python tests with a
# real ipykernel and a real Jupyter server (pytest), and the UI tests in Debian's
# Chromium (Playwright). Stops at the first failing suite and exits non-zero.
set -euo pipefail
cd "$(dirname "$0")/.."
started=$(date +%s)

scripts/setup.sh
export PATH="$PWD/.venv/bin:$PATH"
export VMPROF_PYTHON="$PWD/.venv/bin/python"

echo "==> jest"
npx jest --ci
echo "==> pytest"
python -m pytest -q tests
echo "==> playwright (Debian chromium)"
(cd ui-tests && npx playwright test)

echo "==> all tests passed in $(( $(date +%s) - started )) s"
