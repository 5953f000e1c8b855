"""The crash guard: the frame check of `_framecheck` put in front of vmprof's signal handler.

vmprof 0.6.0's handler can follow a half-made frame on CPython 3.11 and 3.12 and kill
the process (docs/kernel.md, "Known problems"). `install()` after every vmprof enable
and `remove()` after every disable are all the profiler has to do; `remove()` says
how many samples the check dropped. Other Pythons need no guard. Where the guard is
needed but was not built or cannot load, profiling goes on without it and
`unprotected_warning()` says so, once per process.

`JUPYTERLAB_VMPROF_NO_GUARD=1` switches the guard off (to measure it, or to show the
crash it prevents).
"""
from __future__ import annotations

import dataclasses
import os
import platform
import sys
from typing import Optional

NO_GUARD_ENV = "JUPYTERLAB_VMPROF_NO_GUARD"
GUARDED_PYTHONS = ((3, 11), (3, 12))

try:
    from . import _framecheck
    _load_error: Optional[str] = None
except ImportError as err:  # not built (no compiler or headers) or built for another Python
    _framecheck = None
    _load_error = str(err)

_warned = False


@dataclasses.dataclass
class GuardReport:
    """What the guard did for one profile: recorded in meta.json as `guard`."""

    #: The guard stood in front of vmprof's handler while profiling.
    active: bool = False
    #: Samples not taken because the frame chain was not safe to follow.
    dropped_samples: int = 0
    #: Why there was no guard where one is needed; None when active or not needed.
    off_reason: Optional[str] = None

    def to_meta(self) -> dict:
        """meta.json's `guard`; empty on Pythons that need no guard."""
        if not needed():
            return {}
        meta = {"active": self.active, "dropped_samples": self.dropped_samples}
        if self.off_reason:
            meta["off_reason"] = self.off_reason
        return meta


def needed() -> bool:
    """True on the Pythons whose frames vmprof can misread (CPython 3.11 and 3.12)."""
    return platform.python_implementation() == "CPython" and sys.version_info[:2] in GUARDED_PYTHONS


def switched_off() -> bool:
    return os.environ.get(NO_GUARD_ENV, "") not in ("", "0")


def off_reason() -> Optional[str]:
    """Why the guard is not used although this Python needs it; None if it is used or not needed."""
    if not needed():
        return None
    if switched_off():
        return f"switched off by {NO_GUARD_ENV}"
    if _framecheck is None:
        return f"not built or not loadable ({_load_error})"
    return None


def unguarded() -> bool:
    """True where vmprof's known crash can happen: this Python needs the guard and has it off."""
    return needed() and off_reason() is not None


def expected_meta() -> dict:
    """meta.json's `options.crash_guard` at the start (a killed kernel never records its stop):
    whether profiles of this process run with the guard; {} where none is needed."""
    return {"crash_guard": off_reason() is None} if needed() else {}


def install() -> bool:
    """Put the guard in front of the handler vmprof just installed; True if it is there."""
    if off_reason() is not None or not needed():
        return False
    try:
        return bool(_framecheck.install())
    except OSError:  # sigaction refused: profile unguarded rather than not at all
        return False


def remove() -> GuardReport:
    """Give vmprof's handler its place back (before or after vmprof's disable)."""
    if off_reason() is not None or not needed():
        return GuardReport(off_reason=off_reason())
    was_active = bool(_framecheck.active())
    _, dropped = _framecheck.counts()
    _framecheck.remove()
    return GuardReport(active=was_active, dropped_samples=int(dropped))


def counts() -> tuple:
    """(signals checked, samples dropped) since the last install(); (0, 0) without a guard."""
    return tuple(_framecheck.counts()) if _framecheck is not None and needed() else (0, 0)


def unprotected_warning() -> Optional[str]:
    """The first time only, the warning that this Python runs profiles without the guard."""
    global _warned
    reason = off_reason()
    if reason is None or _warned:
        return None
    _warned = True
    return (f"Crash protection is off ({reason}): on Python {sys.version_info[0]}.{sys.version_info[1]} "
            "vmprof can kill the process while profiling code that C calls back into "
            "(sorted(key=...), map(lambda ...), numpy.vectorize, coroutines, pandas apply). "
            "Reinstall jupyterlab-vmprof with a C compiler and the Python headers to build it.")
