"""What a profile folder holds: the one place that names its files and meta.json's fields.

The kernel writes the side files next to profile.prof (the memory map, the JIT symbols,
the perf map, a --fork child's output); the converter and the server find them here.
"""
from __future__ import annotations

import errno
import os
import stat
from dataclasses import dataclass, field
from pathlib import Path
from typing import BinaryIO, Optional, TypedDict

META_FILE = "meta.json"
PROFILE_FILE = "profile.prof"
# The side files next to profile.prof: what the converter needs to name frames, and
# what a --fork child printed. Every module finds them through SideFiles.
MAPS_FILE = "maps.txt"
JIT_SYMBOLS_FILE = "jit-symbols.json"
OUTPUT_FILE = "output.txt"
PERF_MAP_GLOB = "perf-*.map"
LOCK_FILE = ".lock"


class StoreError(Exception):
    """A store operation that cannot be done; `code` maps to an HTTP status."""

    def __init__(self, code: str, message: str):
        super().__init__(message)
        self.code = code
        self.message = message


def write_failure(err: OSError, what: str) -> StoreError:
    """The StoreError for a failed write: a full disk is said as such."""
    if err.errno in (errno.ENOSPC, errno.EDQUOT):
        return StoreError("disk-full", f"the disk of the profile store is full: {what} failed")
    if err.errno == errno.ENOENT:
        return StoreError("not-found", f"{what} failed: the profile was deleted meanwhile")
    return StoreError("unwritable", f"{what} failed: {err.strerror}")


class ProfileMeta(TypedDict, total=False):
    """meta.json (fields documented in docs/architecture.md, "Profile store")."""

    id: str
    name: str
    status: str
    notebook: str
    cell: str
    options: dict
    started: str
    finished: Optional[str]
    duration_s: Optional[float]
    pid: Optional[int]
    pid_start: Optional[int]
    hostname: str
    python: str
    vmprof_version: Optional[str]
    error: Optional[str]
    warnings: list
    samples: Optional[int]
    kernel_threads: Optional[dict]
    store_format: int


@dataclass
class SideFiles:
    """The files of one profile folder that exist as regular files (symlinks are never taken)."""

    profile: Optional[Path] = None
    maps: Optional[Path] = None
    jit_symbols: Optional[Path] = None
    output: Optional[Path] = None
    perf_maps: list = field(default_factory=list)

    @classmethod
    def of(cls, folder: Path, prefix: str = "") -> "SideFiles":
        def regular(name: str) -> Optional[Path]:
            path = folder / name
            return path if is_regular_file(path) else None

        return cls(
            profile=regular(prefix + PROFILE_FILE), maps=regular(prefix + MAPS_FILE),
            jit_symbols=regular(prefix + JIT_SYMBOLS_FILE), output=regular(prefix + OUTPUT_FILE),
            # Sorted as strings: sorting Paths calls their Python __lt__ from C, which vmprof
            # 0.6.0 can crash on if it samples meanwhile (docs/kernel.md).
            perf_maps=[Path(name) for name in sorted(str(p) for p in folder.glob(PERF_MAP_GLOB) if is_regular_file(p))],
        )


def is_regular_file(path: Path) -> bool:
    """A real file: not a symlink (it could point outside the store), not a FIFO or device
    (opening one could block the reader for ever)."""
    try:
        return stat.S_ISREG(os.lstat(path).st_mode)
    except OSError:
        return False


def damaged_meta(profile_id: str, reason: str) -> dict:
    """What the list shows for a profile whose meta.json cannot be read."""
    return {"id": profile_id, "name": profile_id, "status": "damaged", "error": reason, "warnings": [],
            "notebook": "", "started": None, "finished": None}


def open_regular_file(path: os.PathLike | str) -> BinaryIO:
    """Open a store file for reading, refusing symlinks and anything that is not a regular file.

    O_NONBLOCK: opening a FIFO planted under a store name returns at once instead of
    waiting for a writer; fstat then tells it apart.
    """
    fd = os.open(path, os.O_RDONLY | os.O_NONBLOCK | getattr(os, "O_NOFOLLOW", 0))
    try:
        if not stat.S_ISREG(os.fstat(fd).st_mode):
            raise OSError(errno.ENOENT, "not a regular file")
        os.set_blocking(fd, True)
        return os.fdopen(fd, "rb")
    except BaseException:
        os.close(fd)
        raise
