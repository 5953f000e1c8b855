"""Code births: where in the profile each code object the cell runs started to be used.

vmprof keys a Python frame by its code object's address and names an address when the
code object dies (or at the stop). When code dies while profiling and new code gets its
address, the address has two names, and vmprof writes the dead one's name only when its
buffer of names fills up or at the stop: possibly after samples of the new code. The
file then cannot say which samples belong to which (docs/architecture.md, "Code
addresses reused while profiling").

So while profiling we note, for each code object run by `exec`/`eval` (every cell
statement, and any module imported or source executed by the cell) and each Numba
trampoline, the offset vmprof's file has reached: no sample of that code can lie before
it. The noted code objects, and the code nested in them, are kept alive until the stop,
so no other code takes their addresses meanwhile (and the stop names them: vmprof will
not, as they do not die while it runs). At the stop, the births of sampled addresses
that also have an older name are written in the meta record `code_births`
(JSON `[[id, offset, "py:name:line:file"], ...]`); vmprof's own reader ignores it.
"""
from __future__ import annotations

import json
import os
import struct
import sys
import types
from typing import Callable, Optional

#: Meta key read by the converter (src/formats/vmprof-names.ts).
META_KEY = "code_births"
#: Code objects noted per profile at most: a cell exec'ing fresh source in a loop must not
#: keep millions alive. Past it, the reader names by record order and says so.
MAX_NOTED = 20_000
MARKER_META = 0x07


class _Births:
    def __init__(self) -> None:
        self.fd: Optional[int] = None
        # id -> (code object, offset): the first time each code object was run.
        self.noted: dict = {}
        self.overflowed = False

    def note(self, code: types.CodeType) -> None:
        fd = self.fd
        if fd is None or id(code) in self.noted:
            return
        if len(self.noted) >= MAX_NOTED:
            self.overflowed = True
            return
        try:
            self.noted[id(code)] = (code, os.lseek(fd, 0, os.SEEK_CUR))
        except OSError:
            pass


_births = _Births()
_hook_installed = False


def _audit(event: str, args: tuple) -> None:
    # Called for every audited event of the process: return at once unless profiling.
    if event == "exec" and _births.fd is not None and args and type(args[0]) is types.CodeType:
        _births.note(args[0])


def start(fd: int) -> None:
    """Note births into the profile open on `fd` from now on."""
    global _hook_installed
    if not _hook_installed:
        sys.addaudithook(_audit)  # cannot be removed: it does nothing while not profiling
        _hook_installed = True
    _births.noted = {}
    _births.overflowed = False
    _births.fd = fd


def note(code: types.CodeType) -> None:
    """A code object made while profiling by this package (a Numba trampoline)."""
    _births.note(code)


def stop() -> dict:
    """Stop noting; returns {id: (code, offset)} (the caller keeps it until the names are written)."""
    _births.fd = None
    noted, _births.noted = _births.noted, {}
    return noted


def sampled(noted: dict, ids: set) -> dict:
    """{id: (code, birth offset)} of the noted code objects, or code nested in them, in `ids`."""
    found: dict = {}
    seen: set = set()
    for code, offset in sorted(noted.values(), key=lambda entry: entry[1]):
        stack = [code]
        while stack:
            current = stack.pop()
            if id(current) in seen:
                continue
            seen.add(id(current))
            if id(current) in ids:
                found[id(current)] = (current, offset)
            stack.extend(const for const in current.co_consts if type(const) is types.CodeType)
    return found


def meta_record(born: dict, name_of: Callable[[types.CodeType], bytes]) -> bytes:
    """The `code_births` meta record of `born` ({id: (code, offset)}), b"" if empty."""
    if not born:
        return b""
    entries = [[uid, born[uid][1], name_of(born[uid][0]).decode("utf-8", "replace")] for uid in sorted(born)]
    value = json.dumps(entries, ensure_ascii=False).encode("utf-8")
    key = META_KEY.encode()
    return struct.pack("<Bq", MARKER_META, len(key)) + key + struct.pack("<q", len(value)) + value
