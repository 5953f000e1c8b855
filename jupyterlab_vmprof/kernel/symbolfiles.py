"""The files written next to a profile so the converter can name what vmprof left as
addresses: the process's memory map (native frames, from ELF symbol tables) and the
JIT symbols (Numba trampolines, perf maps). Used by the magic and by `vmprofrun`.
"""
from __future__ import annotations

import os
import shutil
from pathlib import Path
from typing import Optional

from .jit import read_perf_map
from ..store import write_json_atomic

JIT_SYMBOLS_FILE = "jit-symbols.json"
MAPS_FILE = "maps.txt"


def save_maps(folder: Path, pid: Optional[int] = None, prefix: str = "") -> Optional[OSError]:
    """Copy /proc/<pid>/maps into `folder` (for naming native frames); the error, if any."""
    try:
        shutil.copyfile(f"/proc/{pid or os.getpid()}/maps", folder / f"{prefix}{MAPS_FILE}")
    except OSError as err:
        return err
    return None


def record_symbols(folder: Path, trampolines: list, pid: Optional[int] = None, prefix: str = "") -> list:
    """Write maps.txt, jit-symbols.json and copy perf-<pid>.map into `folder`; returns warnings.

    `prefix` goes in front of the first two names (the command line keeps several
    profiles in one folder); the perf map keeps its own name.
    """
    pid = pid or os.getpid()
    warnings = []
    err = save_maps(folder, pid, prefix)
    if err is not None and os.path.exists("/proc"):
        warnings.append(f"memory map not saved, native symbols may stay unnamed: {err}")
    entries = list(trampolines)
    perf_map = Path(f"/tmp/perf-{pid}.map")
    if perf_map.is_file():
        try:
            shutil.copyfile(perf_map, folder / perf_map.name)
            entries.extend(read_perf_map(perf_map))
        except OSError as err:
            warnings.append(f"perf map {perf_map} not copied: {err}")
    try:
        write_json_atomic(folder / f"{prefix}{JIT_SYMBOLS_FILE}", entries)
    except OSError as err:
        warnings.append(f"JIT symbols not saved: {err}")
    return warnings
