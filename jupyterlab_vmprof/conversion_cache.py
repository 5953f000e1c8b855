"""The names of converted results in a profile's `cache/` folder: shared by the server and the kernel.

The server caches every conversion next to its profile (server/conversions.py); the kernel
writes its cell summary's Graph JSON into that cache under the same name (kernel/summary.py),
so the chart's first request is a file read: one conversion per cell. Both import this
module, and neither imports the other.

An entry's name is `<format or diff-<other id>>-<options digest>-<inputs digest><extension>`:
the options a user chose, and the converter bundle and input files as they are now (size,
mtime, ctime, inode), so a rewritten profile or a rebuilt converter misses the cache instead
of serving stale output.
"""
from __future__ import annotations

import hashlib
import json
import os
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Any, Optional

from . import formats

CACHE_DIR = "cache"


@dataclass(frozen=True)
class Options:
    """What a user may choose about a conversion (everything else comes from the store)."""

    fmt: str = "json"
    thread: Optional[str] = None
    # "All threads" holds the kernel's own threads too, not only the cell's (cell_threads below).
    kernel_threads: bool = False
    strip: bool = True
    collapse_dispatcher: bool = True
    lines: bool = False
    # A comparison (Diff JSON) with this other store profile; cached with the first one.
    diff_with: Optional[str] = None
    # Which process of a --workers profile: kernel, worker-<n>, or workers (merged); parts.py.
    process: str = "kernel"

    def digest(self) -> str:
        return _digest(asdict(self))


def _digest(value: Any) -> str:
    return hashlib.sha256(json.dumps(value, sort_keys=True).encode()).hexdigest()[:16]


_script_digest_memo: dict[tuple, str] = {}


def converter_version(script: str) -> str:
    """Digest of the bundle: a rebuilt converter (even of the same release) invalidates the cache."""
    stat = os.stat(script)
    key = (script, stat.st_size, stat.st_mtime_ns)
    if key not in _script_digest_memo:
        with open(script, "rb") as handle:
            _script_digest_memo[key] = hashlib.sha256(handle.read()).hexdigest()[:16]
    return _script_digest_memo[key]


def _signature(path: Path) -> list:
    # ctime and inode as well: a file rewritten in place within the mtime's resolution, or
    # with its mtime put back, keeps its size and mtime, never its ctime; a replaced one
    # gets a new inode.
    stat = path.stat()
    return [path.name, stat.st_size, stat.st_mtime_ns, stat.st_ctime_ns, stat.st_ino]


def cache_name(inputs: dict, options: Options, script: str, other: Optional[dict] = None) -> tuple[str, str]:
    """(entry file name, prefix shared by every entry of these options).

    A function, not only a method: the kernel names its summary's Graph JSON the
    same way (kernel/summary.py), so the server's first request for a new cell's
    profile is a cache hit instead of a second conversion."""
    files = [inputs["profile_path"], *inputs["perf_maps"], inputs["jit_symbols"], inputs["maps"],
             *inputs.get("part_files", [])]
    if other is not None:
        files += [other["profile_path"], *other["perf_maps"], other["jit_symbols"], other["maps"]]
    source = _digest([converter_version(script)] + [_signature(p) for p in files if p is not None]
                     + [inputs.get("cell_threads") or [], (other or {}).get("cell_threads") or []])
    # A diff's entries name the other profile, so that deleting it can drop them.
    kind = f"diff-{options.diff_with}" if options.diff_with else options.fmt
    prefix = f"{kind}-{options.digest()}-"
    return prefix + source + formats.by_id()[options.fmt].cache_extension, prefix


def cell_threads(meta: Optional[dict]) -> list[str]:
    """The ids of the cell's threads as the profile writes them (decimal strings), from meta.json's
    `threads.cell_ids` (kernel/threads.py); [] for a profile without them (older, a script, an import)."""
    threads = (meta or {}).get("threads")
    ids = threads.get("cell_ids") if isinstance(threads, dict) else None
    if not isinstance(ids, list):
        return []
    return [str(i) for i in ids if isinstance(i, int) and not isinstance(i, bool) and i >= 0]


def pending_marker(entry: Path) -> Path:
    """Present while the kernel computes `entry` for its cell summary (kernel/summary.py)."""
    return entry.with_name(entry.name + ".pending")
