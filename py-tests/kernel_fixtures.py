"""A real ipykernel for the magic's tests, started with jupyter_client on a temporary store."""
from __future__ import annotations

import os
import queue
import sys
import time
from dataclasses import dataclass, field
from pathlib import Path

import pytest

MIME = "application/vnd.jupyterlab-vmprof.profile+json"


@dataclass
class Executed:
    """What a cell did, as the notebook would show it."""

    status: str
    stdout: str = ""
    stderr: str = ""
    results: list = field(default_factory=list)  # execute_result data dicts
    displays: list = field(default_factory=list)  # display_data data dicts
    display_ids: list = field(default_factory=list)  # transient display_id of each display (or None)
    updates: list = field(default_factory=list)  # (display_id, data) of update_display_data before idle
    errors: list = field(default_factory=list)  # (ename, evalue, traceback text)
    streamed: list = field(default_factory=list)  # (monotonic time received, name, text)

    @property
    def profiles(self) -> list:
        return [d[MIME] for d in self.displays if MIME in d]

    @property
    def error_text(self) -> str:
        return "\n".join(f"{e[0]}: {e[1]}\n{e[2]}" for e in self.errors)

    def describe(self) -> str:
        return (
            f"status={self.status}\nstdout={self.stdout!r}\nstderr={self.stderr!r}\n"
            f"results={self.results!r}\ndisplays={self.displays!r}\nerrors={self.error_text}"
        )


class KernelDied(RuntimeError):
    """The kernel process ended while a cell ran (vmprof 0.6.0 can segfault: docs/kernel.md)."""

    def __init__(self, how: str, so_far: "Executed"):
        super().__init__(f"the kernel died ({how}) while the cell ran; so far:\n{so_far.describe()}")
        self.how = how


class Kernel:
    def __init__(self, store_dir: Path, extra_env: dict | None = None):
        from jupyter_client import KernelManager

        env = dict(os.environ, JUPYTERLAB_VMPROF_STORE=str(store_dir), PYTHONUNBUFFERED="1")
        env.update(extra_env or {})
        self.manager = KernelManager(kernel_name="python3")
        # The kernel must run in this test's interpreter, where the package is installed.
        self.manager.kernel_spec.argv[0] = sys.executable
        self.manager.start_kernel(env=env)
        self.client = self.manager.client()
        self.client.start_channels()
        self.client.wait_for_ready(timeout=60)
        # iopub messages read while collecting another request (e.g. a display update that
        # arrives after its cell ended), by parent msg_id.
        self.stray: dict = {}

    def exit_description(self) -> str:
        import signal

        code = self.manager.provisioner.process.poll() if self.manager.provisioner else None
        if code is not None and code < 0:
            return f"killed by {signal.Signals(-code).name}"
        return f"exit code {code}"

    @property
    def pid(self) -> int:
        return self.manager.provisioner.process.pid

    def send(self, code: str) -> str:
        return self.client.execute(code, store_history=True)

    def send_from_notebook(self, code: str, cell_id: str = "cell-1") -> str:
        """An execute request as JupyterLab and Notebook 7 send it: with the cell's id in its metadata."""
        content = dict(code=code, silent=False, store_history=True, user_expressions={}, allow_stdin=False,
                       stop_on_error=True)
        msg = self.client.session.msg("execute_request", content, metadata={"cellId": cell_id})
        self.client.shell_channel.send(msg)
        return msg["header"]["msg_id"]

    def run(self, code: str, timeout: float = 120) -> Executed:
        msg_id = self.send(code)
        return self.collect(msg_id, timeout)

    def collect(self, msg_id: str, timeout: float = 120) -> Executed:
        done = Executed(status="?")
        deadline = time.monotonic() + timeout
        idle = False
        backlog = self.stray.pop(msg_id, [])  # read earlier while collecting another request
        while not idle:
            remaining = deadline - time.monotonic()
            if remaining <= 0:
                raise TimeoutError(f"cell did not finish in {timeout} s; so far:\n{done.describe()}")
            try:
                msg = backlog.pop(0) if backlog else self.client.get_iopub_msg(timeout=min(remaining, 5))
            except queue.Empty:
                if not self.manager.is_alive():
                    raise KernelDied(self.exit_description(), done) from None
                continue
            if msg["parent_header"].get("msg_id") != msg_id:
                self.stray.setdefault(msg["parent_header"].get("msg_id"), []).append(msg)
                continue
            kind, content = msg["msg_type"], msg["content"]
            if kind == "stream":
                done.streamed.append((time.monotonic(), content["name"], content["text"]))
                if content["name"] == "stdout":
                    done.stdout += content["text"]
                else:
                    done.stderr += content["text"]
            elif kind == "execute_result":
                done.results.append(content["data"])
            elif kind == "display_data":
                done.displays.append(content["data"])
                done.display_ids.append((content.get("transient") or {}).get("display_id"))
            elif kind == "update_display_data":
                done.updates.append(((content.get("transient") or {}).get("display_id"), content["data"]))
            elif kind == "error":
                done.errors.append((content["ename"], content["evalue"], _strip_ansi("\n".join(content["traceback"]))))
            elif kind == "status" and content["execution_state"] == "idle":
                idle = True
        while True:  # replies to earlier requests sent without collect() may come first
            reply = self.client.get_shell_msg(timeout=max(1, deadline - time.monotonic()))
            if reply["parent_header"].get("msg_id") == msg_id:
                break
        done.status = reply["content"]["status"]
        return done

    def late_updates(self, msg_id: str, count: int = 1, timeout: float = 60) -> list:
        """(display_id, data) of update_display_data sent for request `msg_id` after it ended."""
        deadline = time.monotonic() + timeout
        while True:
            found = [((m["content"].get("transient") or {}).get("display_id"), m["content"]["data"])
                     for m in self.stray.get(msg_id, []) if m["msg_type"] == "update_display_data"]
            if len(found) >= count or time.monotonic() > deadline:
                return found
            try:
                msg = self.client.get_iopub_msg(timeout=0.5)
            except queue.Empty:
                continue
            self.stray.setdefault(msg["parent_header"].get("msg_id"), []).append(msg)

    def shutdown(self) -> None:
        try:
            self.client.stop_channels()
        finally:
            if self.manager.has_kernel:
                self.manager.shutdown_kernel(now=True)


def _strip_ansi(text: str) -> str:
    import re

    return re.sub(r"\x1b\[[0-9;]*m", "", text)


@pytest.fixture
def kernel_factory(store_dir):
    """kernel_factory(**env) -> a started Kernel with the extension loaded; all are shut down after."""
    started = []

    def start(extra_env: dict | None = None, load: bool = True) -> Kernel:
        kernel = Kernel(store_dir, extra_env)
        started.append(kernel)
        if load:
            loaded = kernel.run("%load_ext jupyterlab_vmprof")
            assert loaded.status == "ok", loaded.describe()
        return kernel

    yield start
    for kernel in started:
        kernel.shutdown()


@pytest.fixture
def kernel(kernel_factory):
    return kernel_factory()
