"""Profile code in a forked child so that a crash (vmprof's or the code's) spares the kernel.

Measured (docs/kernel.md, "--fork"): the child uses only the
forking thread, never touches the kernel's sockets, sends what it prints through
pipes line by line (so output printed before a crash still arrives) and leaves
with os._exit. The parent streams the lines to the cell as they come, keeps them
in output.txt, and reports how the child ended.
"""
from __future__ import annotations

import io
import json
import os
import selectors
import signal
import sys
import threading
import time
from dataclasses import dataclass, field
from typing import Callable, Optional

from ..store import OUTPUT_FILE
from .profiling import ProfileRun, ProfilerUnavailable, first_line_of

EXIT_OK, EXIT_CELL_FAILED, EXIT_UNAVAILABLE, EXIT_INTERNAL = 0, 1, 3, 4
# After Ctrl-C the child gets this long to stop by itself before it is killed.
INTERRUPT_GRACE_S = 5.0
# Once the child has exited, what it printed last is read for this long: a process the
# cell started in the background may hold the pipes open for ever.
DRAIN_AFTER_EXIT_S = 0.2


@dataclass
class ForkOutcome:
    exit_code: Optional[int] = None
    signal_name: Optional[str] = None
    error: Optional[str] = None
    unavailable: Optional[str] = None
    warnings: list = field(default_factory=list)
    duration_s: Optional[float] = None  # measured by the child around the code
    elapsed_s: float = 0.0  # measured by the parent, fork to exit (a crashed child reports nothing)
    cpu_s: Optional[float] = None  # the child's CPU time while sampling
    threads: Optional[dict] = None
    guard: Optional[dict] = None  # what the crash guard did in the child (meta.json's `guard`)

    reported: bool = False  # the child sent its report (it did not leave through os._exit or a crash)

    @property
    def crashed(self) -> bool:
        return self.signal_name is not None

    def failure(self) -> Optional[str]:
        """Why the cell failed (meta.json's error), or None if it ran to its end."""
        if self.crashed:
            return f"the profiled child process died of {self.signal_name}"
        if self.error:
            return self.error
        if self.exit_code not in (EXIT_OK, None) or not self.reported:
            return (f"the profiled child process ended with exit status {self.exit_code} "
                    "before the cell finished (os._exit or sys.exit in the cell?)")
        return None


class ForkedCellError(Exception):
    """The cell failed in the --fork child, which printed its traceback already.

    Raised in the kernel so that the cell's execute reply says error, as it does
    without --fork (Run All, nbconvert and papermill stop there). Its class name is
    the child's exception's (ZeroDivisionError...), for the reply's `ename`.
    """

    def _render_traceback_(self) -> list:
        return [f"{self.args[0]} (in the --fork child process; its traceback is above)"]


def cell_error(outcome: ForkOutcome) -> Optional[ForkedCellError]:
    """The exception to raise in the kernel for a child that did not finish its cell."""
    failure = outcome.failure()
    if failure is None:
        return None
    name = failure.split(":", 1)[0] if outcome.error and not outcome.crashed else "ForkedCellError"
    if not name.isidentifier():
        name = "ForkedCellError"
    return type(name, (ForkedCellError,), {})(failure)


def signal_name(number: int) -> str:
    try:
        return signal.Signals(number).name
    except ValueError:
        return f"signal {number}"


def run_forked(
    run: ProfileRun,
    body: Callable[[Callable[[str], None]], None],
    write_out: Callable[[str], None],
    write_err: Callable[[str], None],
) -> ForkOutcome:
    """Run body(print_value) under `run` (prepared, not begun) in a child; returns how it ended."""
    out_r, out_w = os.pipe()
    err_r, err_w = os.pipe()
    status_r, status_w = os.pipe()
    _flush_std()
    started = time.perf_counter()
    pid = os.fork()
    if pid == 0:  # the child never returns from here
        _child(run, body, out_w, err_w, status_w, (out_r, err_r, status_r))
    for fd in (out_w, err_w, status_w):
        os.close(fd)
    outcome = ForkOutcome()
    try:
        with open(run.folder / OUTPUT_FILE, "w", encoding="utf-8", errors="replace") as saved:
            wait_status = _pump_until_exit(pid, {out_r: write_out, err_r: write_err}, saved)
        status = _read_all(status_r)
    except BaseException:
        # Cannot follow the child any more (e.g. output.txt unwritable): end it, reap it.
        _signal(pid, signal.SIGKILL)
        _reap(pid)
        raise
    finally:
        for fd in (out_r, err_r, status_r):
            _close_quietly(fd)
    outcome.elapsed_s = time.perf_counter() - started
    _apply_status(outcome, status)
    run.guard = outcome.guard
    if os.WIFSIGNALED(wait_status):
        outcome.signal_name = signal_name(os.WTERMSIG(wait_status))
    else:
        outcome.exit_code = os.WEXITSTATUS(wait_status)
    return outcome


def _flush_std() -> None:
    # Whatever is buffered now would be printed twice (once per process) otherwise.
    for stream in (sys.stdout, sys.stderr):
        try:
            stream.flush()
        except Exception:  # noqa: BLE001
            pass


def _reap(pid: int) -> None:
    try:
        os.waitpid(pid, 0)
    except ChildProcessError:
        pass  # reaped already


def _pump_until_exit(pid: int, sinks: dict, saved) -> int:
    """Forward the child's lines until it has exited and its pipes are read; its wait status.

    Ctrl-C interrupts the child, and kills it if it lingers.

    SIGINT is handled, not raised, meanwhile: a KeyboardInterrupt between reading a
    chunk and forwarding it would lose output.
    """
    interrupts: list = []

    def on_sigint(signum, frame):
        interrupts.append(time.monotonic())
        # The first Ctrl-C lets the cell's code see KeyboardInterrupt, so the child still
        # writes its symbols; a second one ends it.
        _signal(pid, signal.SIGINT if len(interrupts) == 1 else signal.SIGKILL)

    previous = _set_sigint(on_sigint)
    pump = _Pump(sinks, saved)
    try:
        while True:
            if pump.done:
                time.sleep(0.05)  # every pipe closed: only the exit is still to come
            pump.run(time.monotonic() + 0.2)
            done, wait_status = os.waitpid(pid, os.WNOHANG)
            if done:
                pump.run(time.monotonic() + DRAIN_AFTER_EXIT_S)
                pump.flush()
                return wait_status
            if interrupts and time.monotonic() - interrupts[0] > INTERRUPT_GRACE_S:
                _signal(pid, signal.SIGKILL)
    finally:
        if previous is not None:
            signal.signal(signal.SIGINT, previous)


def _set_sigint(handler):
    """Install a SIGINT handler if this is the main thread (the kernel's); the old one."""
    if threading.current_thread() is not threading.main_thread():
        return None
    return signal.signal(signal.SIGINT, handler)


class _Pump:
    """Complete lines from each pipe to its sink, until every pipe is closed."""

    def __init__(self, sinks: dict, saved):
        self.sinks = sinks
        self.saved = saved
        self.pending = {fd: b"" for fd in sinks}
        self.selector = selectors.DefaultSelector()
        for fd in sinks:
            self.selector.register(fd, selectors.EVENT_READ)

    @property
    def done(self) -> bool:
        return not self.pending

    def flush(self) -> None:
        """Forward what is left of incomplete lines and stop reading (the pipes may stay open)."""
        for fd, rest in self.pending.items():
            _emit(self.sinks[fd], self.saved, rest)
            self.selector.unregister(fd)
        self.pending = {}
        self.selector.close()

    def run(self, deadline: Optional[float]) -> None:
        """Pump until all pipes close, or until `deadline` (time.monotonic) passes."""
        while self.pending:
            timeout = None if deadline is None else deadline - time.monotonic()
            if timeout is not None and timeout <= 0:
                return
            for key, _ in self.selector.select(timeout):
                self._read(key.fd)
        self.selector.close()

    def _read(self, fd: int) -> None:
        chunk = os.read(fd, 65536)
        if not chunk:  # the child (and any process it started) closed this pipe
            _emit(self.sinks[fd], self.saved, self.pending.pop(fd))
            self.selector.unregister(fd)
            return
        lines = (self.pending[fd] + chunk).split(b"\n")
        self.pending[fd] = lines.pop()
        for line in lines:
            _emit(self.sinks[fd], self.saved, line + b"\n")


def _emit(sink, saved, data: bytes) -> None:
    if data:
        text = data.decode("utf-8", "replace")
        sink(text)
        saved.write(text)
        saved.flush()


def _read_all(fd: int) -> bytes:
    chunks = []
    while True:
        chunk = os.read(fd, 65536)
        if not chunk:
            return b"".join(chunks)
        chunks.append(chunk)


def _signal(pid: int, number: int) -> None:
    try:
        os.kill(pid, number)
    except ProcessLookupError:
        pass


def _close_quietly(fd: int) -> None:
    try:
        os.close(fd)
    except OSError:
        pass


def _apply_status(outcome: ForkOutcome, raw: bytes) -> None:
    try:
        report = json.loads(raw.decode("utf-8")) if raw else {}
    except ValueError:
        report = {}
    outcome.error = outcome.error or report.get("error")
    outcome.unavailable = report.get("unavailable")
    outcome.warnings = list(report.get("warnings") or [])
    outcome.duration_s = report.get("duration_s")
    outcome.threads = report.get("threads")
    outcome.cpu_s = report.get("cpu_s")
    outcome.guard = report.get("guard")
    outcome.reported = bool(report)


# the child --------------------------------------------------------------------------


def _line_stream(fd: int):
    return io.TextIOWrapper(io.FileIO(fd, "w", closefd=False), encoding="utf-8", errors="replace",
                            line_buffering=True, write_through=True)


def _child(run: ProfileRun, body, out_w: int, err_w: int, status_w: int, parent_ends: tuple) -> None:
    code = EXIT_INTERNAL
    report: dict = {}
    try:
        for fd in parent_ends:
            os.close(fd)
        # Python and C output of the child both go to the pipes, never to the kernel's streams.
        os.dup2(out_w, 1)
        os.dup2(err_w, 2)
        sys.stdout, sys.stderr = _line_stream(1), _line_stream(2)
        signal.signal(signal.SIGINT, _interrupt_once)
        code, report = _child_profile(run, body)
    except BaseException as exc:  # noqa: BLE001 - nothing may escape into the kernel's code
        report = {"error": f"profiling in the child failed: {first_line_of(exc)}"}
    finally:
        try:
            for stream in (sys.stdout, sys.stderr):
                stream.flush()
            os.write(status_w, json.dumps(report).encode("utf-8"))
        finally:
            os._exit(code)


def _interrupt_once(signum, frame) -> None:
    """The child's SIGINT handler: one KeyboardInterrupt, however many copies arrive.

    An interrupt reaches the child twice, from the kernel's process group and forwarded
    by the parent; a second KeyboardInterrupt landing before the first one's handler
    could print its traceback lost the cell's output (seen on a loaded machine).
    """
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    raise KeyboardInterrupt


def _ignore_sigint() -> None:
    # Ctrl-C may reach the child twice (the kernel's process group, then the parent
    # forwarding it): once the cell's code has stopped, finishing the profile comes first.
    signal.signal(signal.SIGINT, signal.SIG_IGN)


def _child_profile(run: ProfileRun, body) -> tuple[int, dict]:
    try:
        run.begin()
    except ProfilerUnavailable as err:
        return EXIT_UNAVAILABLE, {"unavailable": str(err)}
    error = None
    started = time.perf_counter()
    try:
        body(lambda text: print(text, file=sys.stdout))
    except BaseException as exc:  # noqa: BLE001 - reported to the parent like IPython would show it
        _ignore_sigint()
        import traceback

        traceback.print_exception(type(exc), exc, exc.__traceback__, file=sys.stderr)
        error = first_line_of(exc)
    finally:
        _ignore_sigint()
        duration, disable_error = run.end_sampling()
    report = {
        "error": error or disable_error,
        "warnings": run.warnings,
        "duration_s": duration if duration else time.perf_counter() - started,
        "threads": run.threads_meta(),
        "cpu_s": run.cpu_s,
        "guard": run.guard,
    }
    return (EXIT_CELL_FAILED if error else EXIT_OK), report
