"""The gate that keeps the summary threads' Python work out of a profile being sampled.

A profiled cell holds GATE from before vmprof starts until it has stopped (magic.py). A
summary thread (output.py) holds it for each of its Python phases: the deferred name
search, reading the converter's result, the top functions, the notebook copy, the flame
graph, meta.json and the output's update. It lets the gate go only while it waits for its
Node converter, in one blocking system call with no Python running (a poll on the
process's pidfd; the output and stderr go to files, so no pipe needs reading), and takes
it back before anything else once Node has ended. So the next cell starts while the
previous summary converts, and waits at most for a Python phase in progress.

Why no Python may run meanwhile: it would be sampled into the next profile, and vmprof
0.6.0 can crash the process when a sample lands just as C code calls back into Python in
any thread (docs/kernel.md). A thread blocked in a system call is in neither case.
"""

from __future__ import annotations

import os
import select
import subprocess
import tempfile
import threading
from typing import Any, Optional


class Gate:
    """A lock that knows which thread holds it, so a conversion lets it go only if its own."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._holder: Optional[int] = None

    def enter(self, timeout: float = -1) -> bool:
        """Wait for the gate (at most `timeout` s, -1: as long as it takes); whether this thread holds it now."""
        if not self._lock.acquire(timeout=timeout):
            return False
        self._holder = threading.get_ident()
        return True

    def leave(self) -> None:
        self._holder = None
        self._lock.release()

    def held_here(self) -> bool:
        return self._holder == threading.get_ident()


GATE = Gate()


def convert(profile_path: os.PathLike | str, fmt: str, *, timeout: float, **options: Any):
    """node_converter.convert_sync's conversion, with GATE let go while Node works if this thread holds it.

    Returns a node_converter.ConversionResult or raises its ConversionError, as convert_sync."""
    from .. import node_converter as converter

    command = converter.build_command(profile_path, fmt, **options)
    with tempfile.TemporaryFile() as out, tempfile.TemporaryFile() as err:
        try:
            process = subprocess.Popen(command, stdin=subprocess.DEVNULL, stdout=out, stderr=err)
        except OSError as error:
            raise converter.node_missing(command, error) from error
        returncode = wait_for_exit(process, timeout)
        if returncode is None:
            process.kill()
            process.wait()
            return converter.interpret(None, b"", b"", timed_out=True, timeout=timeout)
        out.seek(0)
        err.seek(0)
        return converter.interpret(
            returncode,
            out.read(),
            err.read(),
            timeout=timeout,
            max_memory_mb=options.get("max_memory_mb", converter.DEFAULT_MAX_MEMORY_MB),
        )


def wait_for_exit(process: subprocess.Popen, timeout: float) -> Optional[int]:
    """The process's exit status, or None if it is still running after `timeout` s."""
    pidfd = _pidfd(process) if GATE.held_here() else None
    if pidfd is None:
        # Not holding the gate (headless, the command line), or no pidfd (before Linux 5.3, not
        # Linux): Popen.wait's timeout polls in Python, so the gate, if held, stays held.
        try:
            return process.wait(timeout)
        except subprocess.TimeoutExpired:
            return None
    try:
        ended = select.poll()  # poll, not select: no limit on the descriptor's number
        ended.register(pidfd, select.POLLIN)  # readable once the process has ended
        GATE.leave()
        try:
            ended.poll(timeout * 1000)
        finally:
            GATE.enter()  # first thing after the wait: a cell may be sampling now
    finally:
        os.close(pidfd)
    return process.poll()


def _pidfd(process: subprocess.Popen) -> Optional[int]:
    try:
        return os.pidfd_open(process.pid)
    except (AttributeError, OSError):
        return None
