"""Loads %%vmprof into every IPython of the environment, unless turned off.

The wheel installs `<sys.prefix>/etc/ipython/ipython_config.json`, which IPython reads in
every kernel and terminal it starts from this environment (JupyterLab, Notebook 7,
`jupyter nbconvert --execute`, papermill, jupyter_client, `jupyter console`) and which
names this module in `InteractiveShellApp.extra_extensions`. A module of its own, not
`jupyterlab_vmprof` itself, so that the switch below stops only the automatic loading:
`%load_ext jupyterlab_vmprof` still works with it off.
"""
from __future__ import annotations

import os

AUTOLOAD_ENV = "JUPYTERLAB_VMPROF_AUTOLOAD"
OFF = {"0", "false", "no", "off"}


def enabled() -> bool:
    return os.environ.get(AUTOLOAD_ENV, "").strip().lower() not in OFF


def load_ipython_extension(ipython) -> None:
    if not enabled():
        return
    # Through the extension manager, so `%load_ext jupyterlab_vmprof` (and JupyterLab's own
    # loading) see it loaded and do nothing twice.
    ipython.extension_manager.load_extension("jupyterlab_vmprof")
