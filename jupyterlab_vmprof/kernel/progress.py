"""The output of a profiled cell while it runs: elapsed time and samples so far, once a second.

Published with a display id as soon as sampling starts, in front ends that keep a cell's
outputs live (JupyterLab, Notebook 7); updated every second by a small thread; replaced by
the profile's final bundle when the cell ends (output.show updates the same display id).

If the kernel dies in the middle (a crash in native code, out of memory, kill -9), this
"running" output is what stays under the cell, in the notebook too. The frontend then asks
the server about the profile, which reports it `interrupted` (its kernel is gone), and shows
what was sampled before the death with that explanation, in the cell that crashed.

The thread is started with `_thread`, not `threading`, so that the profile's thread watcher
(threads.py) does not count it as one of the cell's threads; it wakes once a second and
does a few microseconds of work, which is all it adds to the profile.
"""
from __future__ import annotations

import _thread
import contextvars
import time
import uuid
from typing import Optional

from . import summary
from .lean import crashguard

INTERVAL_S = 1.0


def running_bundle(meta: dict, elapsed_s: float, samples: Optional[int]) -> dict:
    """The bundle of a profile being taken: status running, with how far it got."""
    progress = {"elapsed_s": round(elapsed_s, 1), "samples": samples}
    payload = dict(summary.mime_payload(dict(meta, status="running")), progress=progress)
    so_far = f", about {samples} samples" if samples is not None else ""
    text = (f"vmprof profile {meta.get('id')}: running, {elapsed_s:.0f} s so far{so_far}. "
            "If the kernel dies, the profile keeps what was sampled and is listed as interrupted.")
    return {summary.MIME_TYPE: payload, "text/plain": text}


def samples_so_far() -> Optional[int]:
    """Samples vmprof took so far: the crash guard sees every one (None without a guard)."""
    checked, dropped = crashguard.counts()
    return max(0, checked - dropped) if crashguard.needed() and crashguard.off_reason() is None else None


class RunningOutput:
    """The cell's output while it runs (see the module's docstring)."""

    def __init__(self, shell, meta: dict, interval_s: float = INTERVAL_S) -> None:
        self.shell = shell
        self.meta = meta
        self.interval_s = interval_s
        self.display_id = f"vmprof-{meta.get('id')}-{uuid.uuid4().hex[:8]}"
        self._t0 = time.perf_counter()
        self._stop = _thread.allocate_lock()
        self._stop.acquire()  # released by stop()
        self._done = _thread.allocate_lock()

    def start(self) -> None:
        self._publish(update=False)
        # The updates go to this cell: ipykernel keeps the parent header in a context variable.
        context = contextvars.copy_context()
        self._done.acquire()
        _thread.start_new_thread(context.run, (self._loop,))

    def stop(self) -> None:
        """No more updates (the final bundle follows, under the same display id)."""
        if self._stop.locked():
            self._stop.release()
            self._done.acquire()  # the loop has ended: no update can land after the final bundle
            self._done.release()

    def _loop(self) -> None:
        try:
            # acquire(timeout) is the wait: it returns True only once stop() released it.
            while not self._stop.acquire(timeout=self.interval_s):
                try:
                    self._publish(update=True)
                except Exception:  # noqa: BLE001 - progress is a nicety; the cell must not notice
                    return
        finally:
            self._done.release()

    def _publish(self, update: bool) -> None:
        data = running_bundle(self.meta, time.perf_counter() - self._t0, samples_so_far())
        transient = {"display_id": self.display_id}
        self.shell.display_pub.publish(data=data, metadata={}, transient=transient, update=update)
