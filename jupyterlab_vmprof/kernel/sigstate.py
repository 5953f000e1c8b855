"""Signal dispositions as they were before profiling, put back after it.

Measured with vmprof 0.6.0: when it stops, vmprof leaves SIGPROF (and SIGALRM after
--real-time) ignored, and every process the kernel starts afterwards inherits that
(a profiler or a timeout based on those signals then silently does nothing).
"""
from __future__ import annotations

import signal
import threading

# The signal each interval timer sends.
SAMPLING = ((signal.SIGPROF, signal.ITIMER_PROF), (signal.SIGALRM, signal.ITIMER_REAL))


class SignalDispositions:
    """save() before vmprof starts, restore() after it stopped (in the main thread)."""

    def __init__(self) -> None:
        self.saved: dict = {}

    def save(self) -> None:
        for number, _timer in SAMPLING:
            handler = signal.getsignal(number)
            if handler is not None:  # None: set from C, not ours to put back
                self.saved[number] = handler

    def restore(self) -> None:
        if threading.current_thread() is not threading.main_thread():
            return  # signal.signal works in the main thread only
        for number, timer in SAMPLING:
            if number not in self.saved:
                continue
            if signal.getitimer(timer) != (0.0, 0.0):
                continue  # still ticking: its default action (end the process) must not be armed
            try:
                signal.signal(number, self.saved[number])
            except (OSError, ValueError, TypeError):
                pass
        self.saved.clear()
