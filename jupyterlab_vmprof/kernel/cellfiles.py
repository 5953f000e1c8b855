"""Write the code of this kernel's cells to their files, for the Lines view's source text.

ipykernel names each cell's code `/tmp/ipykernel_<pid>/<hash>.py` but keeps the text
only in `linecache` (its debugger writes the file on demand). The converter runs in
another process and reads source files, so after a lines-mode cell the kernel writes
every cell of its own that is in linecache and not yet on disk, as the debugger would.
Bounded: at most MAX_FILES files of at most MAX_BYTES each per call.
"""

from __future__ import annotations

import linecache
import os
import tempfile

MAX_FILES = 200
MAX_BYTES = 1 << 20


def cell_directory() -> str:
    """ipykernel's folder for this kernel's cell files."""
    return os.path.join(tempfile.gettempdir(), "ipykernel_%d" % os.getpid())


def write_cell_files() -> int:
    """Write the missing cell files of this kernel; return how many were written."""
    folder = cell_directory() + os.sep
    written = 0
    for filename, entry in list(linecache.cache.items()):
        if written >= MAX_FILES:
            break
        if not isinstance(filename, str) or not filename.startswith(folder) or os.path.exists(filename):
            continue
        try:
            text = "".join(entry[2])
        except (IndexError, TypeError):
            continue
        if len(text) > MAX_BYTES:
            continue
        try:
            os.makedirs(os.path.dirname(filename), exist_ok=True)
            with open(filename, "w", encoding="utf-8") as f:
                f.write(text)
            written += 1
        except OSError:
            continue
    return written
