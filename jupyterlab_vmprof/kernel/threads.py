"""Which threads a profile's samples come from.

vmprof tags each sample with a thread id; to let the engine keep the cell's threads
and drop the kernel's own, the kernel records which ids belong to the cell.
"""
from __future__ import annotations

import sys
import threading
from typing import Optional


def _current_thread_state() -> Optional[int]:
    """Address of this thread's PyThreadState: the thread id vmprof writes in each sample.

    Measured with vmprof 0.6.0 on CPython 3.11: sample thread ids are PyThreadState
    addresses, not threading.get_ident() values.
    """
    try:
        import ctypes

        get = ctypes.pythonapi.PyThreadState_Get
        get.restype = ctypes.c_void_p
        return get()
    except (ImportError, AttributeError):  # not CPython
        return None


def _thread_info(thread: threading.Thread, vmprof_id: Optional[int] = None) -> dict:
    return {"ident": thread.ident, "native_id": getattr(thread, "native_id", None), "name": thread.name,
            "vmprof_id": vmprof_id}


class ThreadWatch:
    """Knows the threads that existed before profiling and those started during it.

    meta["threads"] = {"main": the thread running the cell, "started": threads the cell
    started, "background": threads alive before (the kernel's heartbeat, IOPub, control,
    history...), "cell_ids": the thread ids, as written in the profile, of the cell's
    threads}. The engine can keep only samples whose thread id is in cell_ids: the
    background threads' vmprof ids cannot be learnt from Python, only their names.
    In real-time mode vmprof samples only registered threads, so every thread the cell
    starts registers itself.
    """

    def __init__(self, vmprof, real_time: bool):
        self._vmprof = vmprof
        self._real_time = real_time
        self._previous_hook = None
        self._lock = threading.Lock()
        self.main = _thread_info(threading.current_thread(), _current_thread_state())
        self.background = [_thread_info(t) for t in threading.enumerate() if t is not threading.current_thread()]
        self.started: list[dict] = []

    def install(self) -> None:
        # threading.setprofile hooks run first thing in each new threading.Thread.
        self._previous_hook = getattr(threading, "_profile_hook", None)
        threading.setprofile(self._on_thread_start)

    def remove(self) -> None:
        if getattr(threading, "_profile_hook", None) == self._on_thread_start:
            threading.setprofile(self._previous_hook)

    def _on_thread_start(self, frame, event, arg):
        sys.setprofile(self._previous_hook)  # once per thread: hand back to any earlier hook
        if self._real_time:
            self._vmprof.insert_real_time_thread()
        with self._lock:
            self.started.append(_thread_info(threading.current_thread(), _current_thread_state()))

    def as_meta(self) -> dict:
        cell_ids = [t["vmprof_id"] for t in [self.main, *self.started] if t["vmprof_id"] is not None]
        return {"main": self.main, "started": self.started, "background": self.background, "cell_ids": cell_ids}
