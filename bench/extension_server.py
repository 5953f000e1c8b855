"""A real `jupyter server` with this package's extension on a store, for the server benchmarks.

Shared by bench/server_latency.py and bench/cold_graph.py: both time requests to the same kind
of server, differing only in the extension's settings.
"""

from __future__ import annotations

import secrets
import socket
import subprocess
import sys
import tempfile
import time
import urllib.request
from pathlib import Path


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


class ExtensionServer:
    """`jupyter server` on `store` with `VmprofExtension.<name>=<value>` for each of `settings`.

    `get` opens a connection per request, so threads may call it at once.
    """

    def __init__(self, store: Path, settings: dict[str, object], start_timeout: float = 60):
        self.port = free_port()
        self.token = secrets.token_hex(16)
        self.base = f"http://127.0.0.1:{self.port}/jupyterlab-vmprof/"
        self.log = tempfile.TemporaryFile()
        options = [f"--VmprofExtension.{name}={value}" for name, value in settings.items()]
        self.process = subprocess.Popen(
            [sys.executable, "-m", "jupyter_server", "--no-browser", "--allow-root", f"--port={self.port}",
             "--ip=127.0.0.1", f"--IdentityProvider.token={self.token}", f"--ServerApp.root_dir={store.parent}",
             "--ServerApp.jpserver_extensions={'jupyterlab_vmprof': True}", f"--VmprofExtension.store_dir={store}",
             *options],
            stdout=self.log, stderr=subprocess.STDOUT,
        )  # fmt: skip
        self._wait_until_up(start_timeout)

    @property
    def headers(self) -> dict[str, str]:
        return {"Authorization": f"token {self.token}"}

    def _wait_until_up(self, timeout: float) -> None:
        deadline = time.time() + timeout
        while True:
            try:
                self.get("profiles?per_page=1")
                return
            except OSError:
                if time.time() > deadline or self.process.poll() is not None:
                    self.stop()
                    self.log.seek(0)
                    log = self.log.read().decode(errors="replace")[-3000:]
                    raise RuntimeError("the server did not start:\n" + log) from None
                time.sleep(0.2)

    def get(self, path: str) -> bytes:
        request = urllib.request.Request(self.base + path, headers=self.headers)
        with urllib.request.urlopen(request, timeout=600) as response:
            return response.read()

    def stop(self) -> None:
        self.process.terminate()
        try:
            self.process.wait(15)
        except subprocess.TimeoutExpired:
            self.process.kill()
