"""py-spy attached to the benchmark's kernel around one cell (bench/overhead.py).

py-spy samples from outside: `py-spy record -p <kernel pid>` reads the kernel's memory with
ptrace (root, or a ptrace_scope that allows it), pausing the process for each sample by
default. It is started before the cell's request is sent and stopped (SIGINT, as Ctrl-C)
after the reply, so the cell's own times (body, cell) hold what it costs while it samples.
"""

from __future__ import annotations

import os
import re
import shutil
import signal
import subprocess
import sys
import tempfile
from pathlib import Path
from typing import Optional

ATTACHED = "Sampling process"
SAMPLES = re.compile(r"Samples: (\d+)")


def executable() -> Optional[str]:
    """py-spy next to this Python (the venv's), else on PATH."""
    beside = Path(sys.executable).with_name("py-spy")
    return str(beside) if beside.is_file() else shutil.which("py-spy")


class PySpyRecord:
    """One `py-spy record -p PID` run: start() returns once py-spy says it samples."""

    def __init__(self, pid: int, rate: int = 1000, exe: Optional[str] = None) -> None:
        self.exe = exe or executable()
        if self.exe is None:
            raise RuntimeError("py-spy not found: pip install py-spy")
        self.pid = pid
        self.rate = rate
        self.samples: Optional[int] = None
        self._process: Optional[subprocess.Popen] = None
        self._folder = tempfile.mkdtemp(prefix="bench-pyspy-")

    def start(self) -> None:
        out = os.path.join(self._folder, "pyspy.txt")
        command = [self.exe, "record", "-p", str(self.pid), "-r", str(self.rate), "-f", "raw", "-o", out]
        self._process = subprocess.Popen(command, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
        first = self._process.stdout.readline()
        if ATTACHED not in first:
            rest = self._process.communicate(timeout=10)[0]
            raise RuntimeError(f"py-spy could not attach to pid {self.pid}: {first}{rest}")

    def stop(self) -> Optional[int]:
        """Stop sampling; returns the samples py-spy says it took."""
        try:
            if self._process is not None and self._process.poll() is None:
                self._process.send_signal(signal.SIGINT)
            text = self._process.communicate(timeout=60)[0] if self._process is not None else ""
            found = SAMPLES.search(text or "")
            self.samples = int(found.group(1)) if found else None
            return self.samples
        finally:
            shutil.rmtree(self._folder, ignore_errors=True)
