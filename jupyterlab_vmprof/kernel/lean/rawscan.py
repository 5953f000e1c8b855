"""A fast scan of a raw vmprof file written by this process: which Python code ids
the samples hold, which ids already have a name, and where the trailer starts.

Format: docs/vmprof-format.md (vmprof's `src/vmprof_common.c`,
`vmprof/reader.py`). Only what a profile written here can hold is read: 64-bit
little-endian words and addresses (Linux, macOS), versions 4–7. The full reader,
for every file in the wild, is the engine's (src/formats/vmprof.ts); this one only
serves the kernel's stop (leanvmprof.py), where vmprof's own Python reader costs
tens of milliseconds per second of profile.
"""
from __future__ import annotations

import dataclasses
import struct
from typing import Iterator, Optional

MARKER_STACKTRACE = 0x01
MARKER_VIRTUAL_IP = 0x02
MARKER_TRAILER = 0x03
MARKER_HEADER = 0x05
MARKER_TIME_N_ZONE = 0x06
MARKER_META = 0x07
MARKER_NATIVE_SYMBOLS = 0x08

FLAG_MEMORY = 0x01
FLAG_LINES = 0x02
VERSION_THREAD_ID = 1
VERSION_DURATION = 5
VERSION_SAMPLE_TIME = 7
TIME_PAYLOAD = 24  # i64 seconds, i64 microseconds, 8 bytes zone

_TWO_WORDS = struct.Struct("<qq")
_WORD = struct.Struct("<q")
_HEADER_WORDS = struct.Struct("<5q")
_STACKS: dict[int, struct.Struct] = {}


class ScanError(ValueError):
    """The file is not a profile this scanner can read; `offset` says where."""

    def __init__(self, message: str, offset: int):
        super().__init__(f"{message} at byte {offset}")
        self.offset = offset


@dataclasses.dataclass
class RawScan:
    version: int
    flags: int
    samples: int
    #: Python code ids found in the samples (code object addresses).
    code_ids: set
    #: Ids named by a code record (0x02) already in the file.
    named_ids: set
    #: Offset of the trailer record, or None when the file ends without one.
    trailer_offset: Optional[int]


def _stack_struct(depth: int) -> struct.Struct:
    cached = _STACKS.get(depth)
    if cached is None:
        cached = _STACKS[depth] = struct.Struct(f"<{depth}q")
    return cached


def _read_header(data: bytes) -> tuple[int, int, int]:
    """(version, flags, offset of the first record)."""
    if len(data) < 44:
        raise ScanError("too short for a vmprof header", 0)
    words = _HEADER_WORDS.unpack_from(data, 0)
    if words[:3] != (0, 3, 0) or data[40] != MARKER_HEADER:
        raise ScanError("not a 64-bit vmprof profile", 0)
    version = int.from_bytes(data[41:43], "big")
    if version < 4:
        raise ScanError(f"vmprof version {version} is older than this scanner reads", 41)
    flags = data[43]
    name_length = data[44] if len(data) > 44 else 0
    return version, flags, 45 + name_length


def records(data: bytes) -> Iterator[tuple[int, int, int]]:
    """(marker, start, end) of each whole record after the header, up to the trailer
    (included) or a cut; raises ScanError on bytes it cannot follow."""
    version, flags, pos = _read_header(data)
    # After the stack: thread id, resident memory (memory mode), sample time (version 7).
    tail = 8 * ((version >= VERSION_THREAD_ID) + bool(flags & FLAG_MEMORY) + (version >= VERSION_SAMPLE_TIME))
    end = len(data)
    while pos < end:
        marker = data[pos]
        if marker == MARKER_STACKTRACE:
            if pos + 17 > end:
                return  # cut mid-record: the records before it count
            depth = _TWO_WORDS.unpack_from(data, pos + 1)[1]
            if not 0 <= depth <= 1 << 16:
                raise ScanError(f"stack depth {depth} out of range", pos)
            size = 17 + 8 * depth + tail
        elif marker in (MARKER_VIRTUAL_IP, MARKER_NATIVE_SYMBOLS):
            if pos + 17 > end:
                return
            length = _TWO_WORDS.unpack_from(data, pos + 1)[1]
            if not 0 <= length <= 1 << 20:
                raise ScanError(f"name length {length} out of range", pos)
            size = 17 + length
        elif marker == MARKER_META:
            size = 1
            for _ in range(2):
                at = pos + size
                length = _WORD.unpack_from(data, at)[0] if at + 8 <= end else 0
                if not 0 <= length <= 1 << 20:
                    raise ScanError(f"meta length {length} out of range", at)
                size += 8 + length
        elif marker == MARKER_TIME_N_ZONE:
            size = 1 + TIME_PAYLOAD
        elif marker == MARKER_TRAILER:
            yield marker, pos, min(end, pos + 1 + (TIME_PAYLOAD if version >= VERSION_DURATION else 0))
            return
        elif marker == 0:
            return
        else:
            raise ScanError(f"unknown record marker 0x{marker:02x}", pos)
        if pos + size > end:
            return
        yield marker, pos, pos + size
        pos += size


def scan_profile(data: bytes) -> RawScan:
    """Scan `data` (a whole raw profile); raises ScanError on bytes it cannot follow."""
    version, flags, _ = _read_header(data)
    lines = bool(flags & FLAG_LINES)
    entries: set = set()
    named: set = set()
    samples = 0
    trailer = None
    for marker, pos, _end in records(data):
        if marker == MARKER_STACKTRACE:
            depth = _TWO_WORDS.unpack_from(data, pos + 1)[1]
            stack = _stack_struct(depth).unpack_from(data, pos + 17)
            # Lines mode writes (line, code id) pairs, leaf first.
            entries.update(stack[1::2] if lines else stack)
            samples += 1
        elif marker == MARKER_VIRTUAL_IP:
            named.add(_WORD.unpack_from(data, pos + 1)[0])
        elif marker == MARKER_TRAILER:
            trailer = pos
    # Python code ids are object addresses: even and far above any line number;
    # native frames have bit 0 set.
    code_ids = {e for e in entries if e > 0xFFFF and not e & 1}
    return RawScan(version, flags, samples, code_ids, named, trailer)

