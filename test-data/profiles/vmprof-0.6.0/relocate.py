"""Rewrite the file paths inside the name records of a raw vmprof profile.

Recorded test profiles name the recording machine's checkout in every `py:` name;
generate.py replaces that folder by a fixed placeholder so that the data does not
depend on where it was made. A name record is marker, id, length, bytes
(docs/vmprof-format.md): the length is rewritten with the name, every other byte is
kept as it was.
"""
import struct

from jupyterlab_vmprof.kernel.lean.rawscan import MARKER_NATIVE_SYMBOLS, MARKER_VIRTUAL_IP, records

_NAME_RECORD = struct.Struct("<Bqq")  # marker, id, length (64-bit Linux files)


def relocate_names(data: bytes, old: bytes, new: bytes) -> bytes:
    """`data` with `old` replaced by `new` in every name record."""
    parts, last = [], None
    for marker, pos, end in records(data):
        if last is None:
            parts.append(data[:pos])  # the header
        if marker in (MARKER_VIRTUAL_IP, MARKER_NATIVE_SYMBOLS):
            _, ident, _ = _NAME_RECORD.unpack_from(data, pos)
            name = data[pos + _NAME_RECORD.size:end].replace(old, new)
            parts.append(_NAME_RECORD.pack(marker, ident, len(name)) + name)
        else:
            parts.append(data[pos:end])
        last = end
    if last is None:
        return data
    parts.append(data[last:])
    return b"".join(parts)
