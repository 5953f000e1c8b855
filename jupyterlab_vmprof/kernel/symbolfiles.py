"""The files written next to a profile so the converter can name what vmprof left as
addresses: the process's memory map (native frames, from ELF symbol tables) and the
JIT symbols (Numba trampolines, perf maps). Used by the magic and by `vmprofrun`.
"""
from __future__ import annotations

import errno
import os
import shutil
import stat
from pathlib import Path
from typing import Optional

from .jit import parse_perf_map
from ..store import JIT_SYMBOLS_FILE, MAPS_FILE, write_json_atomic

# Larger than any perf map a JIT writes for one process; a bigger one is not read.
MAX_PERF_MAP_BYTES = 256 * 1024 * 1024


def save_maps(folder: Path, pid: Optional[int] = None, prefix: str = "") -> Optional[OSError]:
    """Copy /proc/<pid>/maps into `folder` (for naming native frames); the error, if any."""
    target = folder / f"{prefix}{MAPS_FILE}"
    try:
        shutil.copyfile(f"/proc/{pid or os.getpid()}/maps", target)
    except OSError as err:
        if err.errno in (errno.ENOSPC, errno.EDQUOT):
            target.unlink(missing_ok=True)  # half a map names frames wrongly: none is better
        return err
    return None


def record_symbols(folder: Path, trampolines: list, pid: Optional[int] = None, prefix: str = "",
                   sync: bool = True, native: bool = True) -> list:
    """Write maps.txt, jit-symbols.json and copy perf-<pid>.map into `folder`; returns warnings.

    `prefix` goes in front of the first two names (the command line keeps several
    profiles in one folder); the perf map keeps its own name. Without `native` frames
    the samples hold no address to name from the memory map, so none is saved (its copy
    was ~1.5 ms of every `--no-native` cell).
    """
    pid = pid or os.getpid()
    warnings = []
    err = save_maps(folder, pid, prefix) if native else None
    if err is not None and os.path.exists("/proc"):
        warnings.append(f"memory map not saved, native symbols may stay unnamed: {err}")
    entries = list(trampolines)
    perf_map = Path(f"/tmp/perf-{pid}.map")
    try:
        data = read_own_file(perf_map)
    except FileNotFoundError:
        data = None  # no JIT wrote one: the usual case
    except OSError as err:
        data = None
        warnings.append(f"perf map {perf_map} not copied: {err.strerror or err}")
    if data is not None:
        try:
            (folder / perf_map.name).write_bytes(data)
        except OSError as err:
            warnings.append(f"perf map {perf_map} not copied: {err}")
        entries.extend(parse_perf_map(data.decode("utf-8", "replace")))
    try:
        write_json_atomic(folder / f"{prefix}{JIT_SYMBOLS_FILE}", entries, sync)  # sync: see ProfileStore.sync
    except OSError as err:
        warnings.append(f"JIT symbols not saved: {err}")
    return warnings


def read_own_file(path: Path) -> bytes:
    """The bytes of a file in a shared folder (/tmp) that this process's user wrote.

    Anyone can plant /tmp/perf-<pid>.map: a symbolic link (to copy another file into
    the store) or a FIFO (to block the kernel) is refused, and so is a file of another
    user. Raises FileNotFoundError when there is none.
    """
    try:
        fd = os.open(path, os.O_RDONLY | os.O_NONBLOCK | os.O_NOFOLLOW)
    except OSError as err:
        if err.errno == errno.ELOOP:
            raise OSError(err.errno, "it is a symbolic link, not followed") from err
        raise
    with os.fdopen(fd, "rb") as handle:
        info = os.fstat(fd)
        if not stat.S_ISREG(info.st_mode):
            raise OSError(errno.EINVAL, "not a regular file")
        if info.st_uid != os.getuid():
            raise OSError(errno.EPERM, f"owned by user {info.st_uid}, not by this kernel's user")
        if info.st_size > MAX_PERF_MAP_BYTES:
            raise OSError(errno.EFBIG, f"larger than {MAX_PERF_MAP_BYTES} bytes")
        return handle.read()
