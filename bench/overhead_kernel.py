"""The benchmark's kernel: an ipykernel run by jupyter_client that executes cells,
times their round trip and notices when the kernel dies (bench/overhead.py)."""
from __future__ import annotations

import ast
import os
import queue
import sys
import time
from pathlib import Path


class KernelDied(RuntimeError):
    """The kernel process ended while running a cell (e.g. a segfault in the profiler)."""


class Kernel:
    """An ipykernel run by jupyter_client, executing cells and timing the round trip.

    `startup` holds code run after every (re)start; `crashes` records the cells
    that killed the kernel (the benchmark restarts it and goes on).
    """

    def __init__(self, store: Path, blas_threads: int = 0, env: dict | None = None):
        self.env = dict(os.environ, JUPYTERLAB_VMPROF_STORE=str(store), PYTHONUNBUFFERED="1", **(env or {}))
        if blas_threads:
            for name in ("OPENBLAS_NUM_THREADS", "OMP_NUM_THREADS", "MKL_NUM_THREADS"):
                self.env[name] = str(blas_threads)
        self.startup: list[str] = []
        self.crashes: list[dict] = []
        self._start()

    def _start(self) -> None:
        from jupyter_client import KernelManager

        self.manager = KernelManager(kernel_name="python3")
        self.manager.kernel_spec.argv[0] = sys.executable  # this venv, where the package is installed
        self.manager.start_kernel(env=self.env)
        self.client = self.manager.client()
        self.client.start_channels()
        self.client.wait_for_ready(timeout=120)
        for code in self.startup:
            self.execute(code)

    def restart(self) -> None:
        self.shutdown()
        self._start()

    @property
    def pid(self) -> int:
        """The kernel process (an attaching profiler's target)."""
        return self.manager.provisioner.process.pid

    def exit_status(self):
        process = getattr(getattr(self.manager, "provisioner", None), "process", None)
        return process.poll() if process is not None else None

    def _wait(self, get, deadline: float):
        while True:
            try:
                return get(timeout=1.0)
            except queue.Empty:
                if not self.manager.is_alive():
                    status = self.exit_status()
                    how = f"signal {-status}" if isinstance(status, int) and status < 0 else f"exit status {status}"
                    raise KernelDied(f"the kernel died ({how})") from None
                if time.monotonic() > deadline:
                    raise TimeoutError("the kernel did not answer in time") from None

    def execute(self, code: str, expressions: dict | None = None, timeout: float = 300) -> dict:
        """Run `code`; returns e2e seconds, evaluated user expressions and output kinds."""
        t0 = time.perf_counter()
        msg_id = self._send_execute(code, expressions or {})
        deadline = time.monotonic() + timeout
        while True:
            reply = self._wait(self.client.get_shell_msg, deadline)
            if reply["parent_header"].get("msg_id") == msg_id:
                break
        e2e = time.perf_counter() - t0
        outputs, errors, stdout = [], [], ""
        while True:  # drain IOPub up to this request's idle
            msg = self._wait(self.client.get_iopub_msg, deadline)
            if msg["parent_header"].get("msg_id") != msg_id:
                continue
            kind, content = msg["msg_type"], msg["content"]
            if kind == "status" and content["execution_state"] == "idle":
                break
            outputs.append(kind)
            if kind == "error":
                errors.append(f"{content['ename']}: {content['evalue']}")
            elif kind == "stream":
                stdout += content["text"]
        content = reply["content"]
        if content["status"] != "ok" or errors:
            raise RuntimeError(f"cell failed: {errors or content}\n--- code ---\n{code}\n--- output ---\n{stdout}")
        values = {}
        for key, value in (content.get("user_expressions") or {}).items():
            if value.get("status") != "ok":
                raise RuntimeError(f"user expression {key} failed: {value}")
            values[key] = ast.literal_eval(value["data"]["text/plain"])
        return {"e2e": e2e, "values": values, "outputs": outputs, "stdout": stdout}

    def _send_execute(self, code: str, expressions: dict) -> str:
        """An execute_request as JupyterLab sends it: with the cell's id in the metadata, so that
        %%vmprof takes the notebook path (summary after the reply), not the headless one."""
        content = {"code": code, "silent": False, "store_history": False, "user_expressions": expressions,
                   "allow_stdin": False, "stop_on_error": True}
        message = self.client.session.msg("execute_request", content, metadata={"cellId": "overhead-bench-cell"})
        self.client.shell_channel.send(message)
        return message["header"]["msg_id"]

    def value(self, expression: str):
        return self.execute("", {"v": expression})["values"]["v"]

    def shutdown(self) -> None:
        try:
            self.client.stop_channels()
        finally:
            if self.manager.has_kernel:
                self.manager.shutdown_kernel(now=True)
