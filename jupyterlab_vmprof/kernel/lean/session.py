"""One profile's hold on vmprof: the only object outside lean/ that starts, pauses and stops it.

Everything that touches vmprof's private `_vmprof` module lives in this folder; the
profile run (`kernel/profiling.py`) and `vmprofrun` (`cli/runscript.py`) own one session
each and call start(), paused() and stop().

Two ways to start and stop, chosen per session:

- **lean** (the magic's default): `leanvmprof.enable`/`stop`, a fraction of vmprof's own
  cost in a kernel (docs/kernel.md, "Starting and stopping vmprof");
- **vmprof's own** `vmprof.enable()`/`vmprof.disable()`: ~20 ms more at the start and
  ~40 ms more at the stop in a kernel (its re-read of the file and walk of every object),
  but the raw file then also holds vmprof's native symbol records, which vmprof's own
  tools read. `vmprofrun` uses it; `JUPYTERLAB_VMPROF_LEAN=0` makes the magic use it too,
  to compare the two or to step around a problem in the lean path.

Either way the crash guard (crashguard.py) stands in front of vmprof's signal handler
while sampling, and its report comes back with the stop.
"""
from __future__ import annotations

import os
from contextlib import contextmanager
from typing import Iterator, Optional

from . import crashguard, leanvmprof

LEAN_ENV = "JUPYTERLAB_VMPROF_LEAN"


def lean_by_default() -> bool:
    return os.environ.get(LEAN_ENV, "").strip().lower() not in {"0", "false", "no", "off"}


class VmprofSession:
    """vmprof enabled on `fd` with `options` (period, memory, lines, native, real_time)."""

    def __init__(self, vmprof, fd: int, *, lean: Optional[bool] = None, **options) -> None:
        self.vmprof = vmprof
        self.fd = fd
        self.options = options
        self.lean = lean_by_default() if lean is None else lean
        self.active = False

    def start(self) -> None:
        """Enable vmprof and put the crash guard in front of its handler; raises what enable raises."""
        if self.lean:
            leanvmprof.enable(self.vmprof, self.fd, **self.options)  # installs the guard itself
        else:
            self.vmprof.enable(self.fd, **self.options)
            crashguard.install()
        self.active = True

    def stop(self, path=None) -> leanvmprof.StopReport:
        """Disable vmprof, remove the guard; the lean stop also names the sampled code
        (`path`: see leanvmprof.stop). Raises what disable raises (a full disk)."""
        self.active = False
        if self.lean:
            return leanvmprof.stop(self.fd, path)
        try:
            self.vmprof.disable()
        finally:
            guard = crashguard.remove()
        return leanvmprof.StopReport(guard=guard.to_meta())

    @contextmanager
    def paused(self) -> Iterator[None]:
        """No samples meanwhile (IPython formatting a traceback is not the cell's work)."""
        import _vmprof

        stop = getattr(_vmprof, "stop_sampling", None)
        if stop is None or not self.active:
            yield
            return
        stop()
        try:
            yield
        finally:
            _vmprof.start_sampling()

    def force_disable(self) -> Optional[str]:
        """Make sure vmprof is off after a failed disable (disk full); returns what to tell the user.

        Measured with vmprof 0.6.0: when disable() fails with ENOSPC vmprof stays enabled
        (and a plain script then hangs at exit, vmprof waiting for buffer space as code
        objects are freed). Retry; if the disk is still full, point vmprof's descriptor at
        /dev/null so it can flush and stop: the file keeps what was written before the disk
        filled up.
        """
        import _vmprof

        crashguard.remove()
        if not self.vmprof.is_enabled():
            return None
        try:
            _vmprof.disable()
            return None
        except OSError:
            pass
        sink = os.open(os.devnull, os.O_RDWR)
        try:
            os.dup2(sink, self.fd)
        finally:
            os.close(sink)
        try:
            _vmprof.disable()
        except OSError as err:
            return f"vmprof could not be stopped: {err}; restart the kernel"
        return "the disk is full: the end of the profile was dropped so that vmprof could stop"
