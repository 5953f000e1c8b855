"""Make a large vmprof profile by repeating the samples of a real one.

    python bench/make_big_profile.py SOURCE.prof OUT.prof FACTOR

Why repetition rather than a long real run: a profile with FACTOR x the samples of a
known file has an exactly known sample count (tests can assert it), takes no minutes
of profiling to produce, and exercises the converter like a long run would (same
symbol table, many more stack records). The header, metadata, name records and
trailer are kept once; only the stack records (marker 0x01) are repeated.

Handles Linux 64-bit files (8-byte words and addresses), versions 1 to 7, with or
without memory mode, which is what `vmprof` writes on the machines we test on.
"""
from __future__ import annotations

import struct
import sys
from pathlib import Path

STACKTRACE, VIRTUAL_IP, TRAILER, HEADER, TIME_N_ZONE, META, NATIVE_SYMBOLS = 1, 2, 3, 5, 6, 7, 8
PROFILE_MEMORY = 0x01
WORD = 8


def _word(data: bytes, offset: int) -> int:
    return struct.unpack_from("<q", data, offset)[0]


def split_records(data: bytes) -> tuple[bytes, list[tuple[int, bytes]]]:
    """(header bytes, [(marker, record bytes)...]) of a Linux 64-bit vmprof file."""
    if len(data) < 5 * WORD + 5 or _word(data, WORD) != 3:
        raise ValueError("not a 64-bit Linux vmprof file")
    offset = 5 * WORD
    if data[offset] != HEADER:
        raise ValueError("no header record")
    version = struct.unpack_from(">h", data, offset + 1)[0]
    flags = data[offset + 3] if version >= 4 else 0
    offset += 4 if version >= 4 else 3
    offset += 1 + data[offset]  # interpreter name
    header = data[:offset]
    records = []
    while offset < len(data):
        marker = data[offset]
        start = offset
        offset += 1
        if marker == STACKTRACE:
            depth = _word(data, offset + WORD)
            offset += 2 * WORD + depth * WORD
            offset += WORD if version >= 1 else 0  # thread id
            offset += WORD if flags & PROFILE_MEMORY else 0  # rss
        elif marker in (VIRTUAL_IP, NATIVE_SYMBOLS):
            offset += WORD
            offset += WORD + _word(data, offset)
        elif marker in (TIME_N_ZONE, TRAILER):
            offset += 3 * WORD if marker == TIME_N_ZONE or version >= 5 else 0
        elif marker == META:
            offset += WORD + _word(data, offset)
            offset += WORD + _word(data, offset)
        elif marker == 0:
            break
        else:
            raise ValueError(f"unknown marker {marker:#x} at offset {start}")
        if offset > len(data):
            raise ValueError(f"record at offset {start} is cut short")
        records.append((marker, data[start:offset]))
        if marker == TRAILER:
            break
    return header, records


def multiply(data: bytes, factor: int) -> tuple[bytes, int]:
    """The profile with its samples repeated `factor` times, and its sample count."""
    header, records = split_records(data)
    first = next(i for i, (marker, _) in enumerate(records) if marker == STACKTRACE)
    samples = b"".join(record for marker, record in records if marker == STACKTRACE)
    count = sum(1 for marker, _ in records if marker == STACKTRACE)
    before = b"".join(record for _, record in records[:first])
    after = b"".join(record for marker, record in records[first:] if marker != STACKTRACE)
    return header + before + samples * factor + after, count * factor


def main(argv: list[str]) -> int:
    if len(argv) != 3:
        print(__doc__.strip().splitlines()[2].strip(), file=sys.stderr)
        return 2
    source, out, factor = Path(argv[0]), Path(argv[1]), int(argv[2])
    data, count = multiply(source.read_bytes(), factor)
    out.write_bytes(data)
    print(f"{out}: {len(data)} bytes, {count} samples")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
