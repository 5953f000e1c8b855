"""%%vmprof in every IPython kernel of the environment, with no %load_ext (kernel/autoload.py).

The wheel installs jupyter-config/ipython-config/ipython_config.json as
<sys.prefix>/etc/ipython/ipython_config.json; these kernels are started the way
jupyter_client starts any kernel, so what they show is what a user of the environment gets.
"""
from __future__ import annotations

import sys
from pathlib import Path

import pytest

from kernel_fixtures import MIME, Kernel

pytestmark = pytest.mark.timeout(240)

REPO = Path(__file__).resolve().parent.parent
SHIPPED = REPO / "jupyter-config" / "ipython-config" / "ipython_config.json"
INSTALLED = Path(sys.prefix) / "etc" / "ipython" / "ipython_config.json"
BUSY = "def busy(n):\n    t = 0\n    for i in range(n):\n        t += i % 7\n    return t\nbusy(1_500_000)\n"


def test_the_environment_has_the_shipped_ipython_config():
    assert INSTALLED.is_file(), f"{INSTALLED} missing: reinstall the package (pip install .)"
    assert INSTALLED.read_text() == SHIPPED.read_text(), "the installed IPython config is stale: reinstall"
    assert '"jupyter-config/ipython-config" = "etc/ipython"' in (REPO / "pyproject.toml").read_text()


@pytest.fixture
def plain_kernel(store_dir, tmp_path):
    """A kernel with a fresh IPython profile (no user config), the package from this tree."""
    started = []

    def start(**env) -> Kernel:
        kernel = Kernel(store_dir, {"IPYTHONDIR": str(tmp_path / "ipython"), "PYTHONPATH": str(REPO), **env})
        started.append(kernel)
        return kernel

    yield start
    for kernel in started:
        kernel.shutdown()


def test_vmprof_works_without_load_ext_and_headless_gets_the_table_before_the_end(plain_kernel):
    kernel = plain_kernel()
    done = kernel.run("%%vmprof --name anywhere\n" + BUSY)
    assert done.status == "ok", done.describe()
    # A jupyter_client request names no cell, as nbclient's (nbconvert, papermill) do not:
    # the one output is complete when the cell ends, with no update to wait for.
    [shown] = done.displays
    assert shown[MIME]["name"] == "anywhere" and isinstance(shown[MIME]["samples"], int)
    assert "self %" in shown["text/plain"] and "being computed" not in shown["text/plain"]
    assert done.updates == [] and kernel.late_updates(kernel.send("1"), timeout=2) == []
    # %load_ext afterwards is harmless.
    assert kernel.run("%load_ext jupyterlab_vmprof").status == "ok"


def test_autoload_can_be_turned_off(plain_kernel):
    kernel = plain_kernel(JUPYTERLAB_VMPROF_AUTOLOAD="0")
    done = kernel.run("%%vmprof\nx = 1")
    assert done.status == "error" and "Cell magic `%%vmprof` not found" in done.stderr, done.describe()
    assert kernel.run("%load_ext jupyterlab_vmprof").status == "ok"
    assert kernel.run("%%vmprof\nx = 1").profiles[0]["status"] == "complete"
