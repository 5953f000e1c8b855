"""The Node converter processes a process started, read from /proc (Linux): for the server tests,
which run the Jupyter server in the test process."""

from __future__ import annotations

import os
from pathlib import Path
from typing import Optional


def converter_processes(parent: Optional[int] = None, serving: bool = False) -> list[int]:
    """Sorted pids of `vmprof-convert.js` processes whose parent is `parent` (default: this
    process); with `serving`, only the warm workers (`--serve`)."""
    parent = os.getpid() if parent is None else parent
    found = []
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            stat = (entry / "stat").read_text()
            arguments = (entry / "cmdline").read_bytes().split(b"\0")
        except OSError:
            continue
        ppid = int(stat[stat.rfind(")") + 2 :].split()[1])
        if ppid != parent or not any(b"vmprof-convert" in part for part in arguments):
            continue
        if not serving or b"--serve" in arguments:
            found.append(int(entry.name))
    return sorted(found)
