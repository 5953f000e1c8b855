#!/usr/bin/env bash
# Sets everything up (scripts/setup.sh), then runs the lint checks (stylelint, prettier,
# eslint, tsc over all the TypeScript, ruff) and every test: the engine and view
# unit tests and the kernel-client integration test (jest), the Python tests with a
# real ipykernel and a real Jupyter server (pytest), and the UI tests in Debian's
# Chromium (Playwright). Stops at the first failing suite and exits non-zero.
set -euo pipefail
cd "$(dirname "$0")/.."
started=$(date +%s)

scripts/setup.sh
export PATH="$PWD/.venv/bin:$PATH"
export VMPROF_PYTHON="$PWD/.venv/bin/python"

echo "==> lint: stylelint, prettier, eslint, tsc over src/node and the tests, ruff"
jlpm lint:check
ruff check .
ruff format --check .
# The build rewrote THIRD-PARTY-LICENSES.md from what it bundled: it must be the committed one.
if git rev-parse --git-dir >/dev/null 2>&1 && ! git diff --quiet -- THIRD-PARTY-LICENSES.md; then
  echo "THIRD-PARTY-LICENSES.md changed with the build (jlpm build:licenses): commit it" >&2
  exit 1
fi
echo "==> jest"
jlpm jest --ci
echo "==> pytest"
python -m pytest -q py-tests
echo "==> playwright (Debian chromium)"
(cd ui-tests && jlpm playwright test)

echo "==> all tests passed in $(( $(date +%s) - started )) s"
