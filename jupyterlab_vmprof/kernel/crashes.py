"""Never hide that a profiled cell killed the kernel, nor what likely did it.

vmprof 0.6.0 on CPython 3.11 and 3.12 segfaults when a sample lands while C code calls
back into Python, unless the crash guard is on (lean/crashguard.py, docs/kernel.md).
What remains is native code the cell runs, running out of memory, a kill. Without
--fork that takes the kernel down; the user then sees only "kernel died" and, after a
restart, nothing at all. The profile of that cell is left `running` with a dead pid
(the store reports it `interrupted`): the next %%vmprof of the same notebook says what
happened, once.
"""
from __future__ import annotations

import os
from typing import Optional

from ..store import ProfileStore, StoreError
from .lean import crashguard

KNOWN_CRASH = (
    "vmprof 0.6.0 is known to crash (SIGSEGV) when a sample lands while C code calls back into "
    "Python, e.g. sorted(key=lambda …), sorting objects with a Python __lt__, map(lambda …), "
    "and this profile ran without the crash guard that prevents it"
)
RULED_OUT = "vmprof's known crash is ruled out (the crash guard was on, or this Python does not have the fault)"
OTHER_CAUSES = "native code the cell runs (an extension module, ctypes), running out of memory, or a kill"
FORK_ADVICE = (
    "profile such code with %%vmprof --fork: the cell then runs in a child process and a crash spares the kernel"
)
# A crash is found in the newest profiles; older ones would cost a read each per kernel.
RECENT_PROFILES = 50

# Checked once per kernel process: a previous kernel can only have died before this one started.
_checked: set = set()


def previous_crashes(store: ProfileStore, notebook: str) -> list[dict]:
    """Profiles of `notebook` whose kernel died while they ran and that nobody was told about."""
    if not notebook:  # no notebook path: other kernels' crashes cannot be told apart from ours
        return []
    found = []
    for profile_id in store.ids()[:RECENT_PROFILES]:
        try:
            meta = store.read_meta(profile_id)
        except (StoreError, OSError, ValueError):
            continue
        if meta.get("notebook") == notebook and meta.get("status") == "interrupted" and not meta.get("crash_reported"):
            found.append(meta)
    return found


def report_previous_crashes(store: ProfileStore, notebook: str) -> list[str]:
    """Warnings for the cell's output about earlier crashes; each is marked as reported."""
    key = (str(store.root), notebook, os.getpid())
    if key in _checked:
        return []
    _checked.add(key)
    messages = []
    for meta in previous_crashes(store, notebook):
        messages.append(crash_message(meta))
        try:
            store.update_meta(meta["id"], crash_reported=True)
        except (StoreError, OSError, ValueError):
            pass  # said again next time rather than never
    return messages


def crash_message(meta: dict) -> str:
    name = meta.get("name") or meta.get("id")
    first_line = next((line.strip() for line in str(meta.get("cell") or "").splitlines() if line.strip()), "")
    cell = f" (cell starting {first_line[:60]!r})" if first_line else ""
    if known_crash_possible(meta):
        cause = f"The likely cause: {KNOWN_CRASH}"
    else:
        cause = f"As {RULED_OUT}, the likely cause is {OTHER_CAUSES}"
    return (
        f"warning: the kernel died while a profiled cell was running: profile {name!r}{cell}, "
        f"started {meta.get('started')}. Its profile is kept as 'interrupted', without Python function names. "
        f"{cause}. If that cell does such things, {FORK_ADVICE}."
    )


def known_crash_possible(meta: dict) -> bool:
    """Could vmprof's known crash have killed this profile's process?"""
    guarded = (meta.get("options") or {}).get("crash_guard")
    if guarded is not None:
        return not guarded
    # Profiles from before the guard: the fault is in CPython 3.11 and 3.12 only.
    return str(meta.get("python") or "").startswith(("3.11.", "3.12."))


def fork_crash_note(signal_name: Optional[str]) -> str:
    """What to tell the user when a --fork child (this process's copy) died of a signal."""
    note = (f"The cell's child process was killed by {signal_name}; "
            "the kernel is fine and the profile keeps what was recorded before.")
    if signal_name == "SIGSEGV" and crashguard.unguarded():
        note += (f" The likely cause is vmprof's known crash: {KNOWN_CRASH} "
                 "(a crash in the cell's own native code is the other possibility).")
    elif signal_name == "SIGSEGV":
        note += f" The likely cause is native code the cell runs (an extension module, ctypes): {RULED_OUT}."
    return note
