"""jupyterlab-vmprof: profile notebook cells with vmprof and explore the call graphs.

This module only wires the parts together: the JupyterLab extension paths, the
Jupyter server extension (handlers.py over store.py) and the IPython extension
(magic.py).
"""
try:
    from ._version import __version__
except ImportError:  # pragma: no cover - running from a source tree not built yet
    import warnings

    warnings.warn("Importing 'jupyterlab_vmprof' outside a proper installation.")
    __version__ = "dev"


def _jupyter_labextension_paths():
    return [{"src": "labextension", "dest": "jupyterlab-vmprof"}]


def _jupyter_server_extension_points():
    return [{"module": "jupyterlab_vmprof"}]


def _load_jupyter_server_extension(server_app):
    from .platforms import setup_explaining_handlers, unsupported

    message = unsupported()
    if message:
        # Linux only: say why on every request instead of failing obscurely later.
        setup_explaining_handlers(server_app, message)
        return
    from .server.handlers import setup_handlers

    setup_handlers(server_app)
    server_app.log.info("jupyterlab_vmprof server extension loaded")


def load_ipython_extension(ipython):
    from .platforms import register_explaining_magics, unsupported

    message = unsupported()
    if message:
        # Linux only: %%vmprof says why instead of failing obscurely in the middle of a cell.
        register_explaining_magics(ipython, message)
        return
    from .kernel import cellhelp
    from .kernel.magic import register_magics

    register_magics(ipython)
    cellhelp.install(ipython)


def unload_ipython_extension(ipython):
    from .kernel import cellhelp
    from .kernel.magic import unregister_magics

    cellhelp.uninstall(ipython)
    unregister_magics(ipython)
