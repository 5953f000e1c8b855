"""jupyterlab-vmprof works on Linux only; this module says so, and why, where a user meets it.

On another system the package installs (it is pure Python plus JavaScript), but its parts
would break later and obscurely. So instead:

- in a kernel, `%%vmprof` and `%vmprof` answer with `unsupported()`'s message and run nothing;
- the server extension logs it and answers every /jupyterlab-vmprof/ request with HTTP 501
  and that message as the error, which the JupyterLab side shows.

The reasons are what the code does that only Linux provides (see docs/architecture.md,
"Platforms").
"""
from __future__ import annotations

import json
import sys
from typing import Any, Optional

NAMES = {"win32": "Windows", "cygwin": "Windows (Cygwin)", "darwin": "macOS"}

REASONS = {
    "win32": (
        "vmprof 0.6.0 samples only Python frames there, with no native or JIT frames; the kernel "
        "side reads /proc/<pid>/maps to name native frames and runs `--fork` cells with os.fork(), "
        "which Windows lacks; the server tells a dead kernel by os.kill(pid, 0), which on Windows "
        "terminates that process; and it runs the converter as an asyncio subprocess, which "
        "the event loop Jupyter uses on Windows cannot start"
    ),
    "darwin": (
        "the kernel side reads /proc/<pid>/maps and /proc/<pid>/stat, which macOS does not have, "
        "to name native frames and to tell a live kernel from a dead one whose process id was "
        "reused; `--fork` relies on os.fork() in a threaded kernel, which macOS makes unsafe; and "
        "vmprof 0.6.0's native unwinding is only built and tested against Linux's libunwind"
    ),
}
DEFAULT_REASON = (
    "the kernel side reads /proc/<pid>/maps to name native frames and /proc/<pid>/stat to tell a "
    "live kernel from a dead one, and vmprof 0.6.0's native frames need Linux's libunwind"
)


def unsupported(platform: Optional[str] = None) -> Optional[str]:
    """None on Linux; elsewhere, the message that says what does not work and why."""
    platform = sys.platform if platform is None else platform
    if platform.startswith("linux"):
        return None
    name = NAMES.get(platform, platform)
    return (
        f"jupyterlab-vmprof works on Linux only, and this is {name}: "
        f"{REASONS.get(platform, DEFAULT_REASON)}. Profile on a Linux machine (or a Linux "
        "container or WSL2) and open the profiles there."
    )


def register_explaining_magics(ipython: Any, message: str) -> None:
    """%vmprof and %%vmprof that say `message` (as a UsageError) instead of profiling."""
    from IPython.core.error import UsageError

    def vmprof(line: str = "", cell: Optional[str] = None) -> None:
        raise UsageError(message)

    ipython.register_magic_function(vmprof, magic_kind="line_cell", magic_name="vmprof")


def setup_explaining_handlers(server_app: Any, message: str) -> None:
    """Every /jupyterlab-vmprof/ request answers 501 with `message`, in the API's error form."""
    import tornado.web
    from jupyter_server.base.handlers import APIHandler
    from jupyter_server.utils import url_path_join

    class UnsupportedHandler(APIHandler):
        @tornado.web.authenticated
        def answer(self, *args: Any) -> None:
            self.set_status(501)
            self.set_header("Content-Type", "application/json")
            self.finish(json.dumps({"error": {"code": "unsupported-platform", "message": message}}))

        get = post = put = patch = delete = answer

    web_app = server_app.web_app
    base = url_path_join(web_app.settings["base_url"], "jupyterlab-vmprof")
    web_app.add_handlers(".*$", [(url_path_join(base, "(.*)"), UnsupportedHandler)])
    server_app.log.error("jupyterlab_vmprof: not started: %s", message)
