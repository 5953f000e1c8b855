"""Oracle for the engine tests: per-function sample counts from vmprof's own reader.

Usage: python oracle.py PROFILE  ->  one JSON object on stdout:
  {"samples": n, "functions": {label: [self, inclusive]}}
or {"error": "..."} when vmprof cannot read the file.

Counts are raw sample counts: every entry of Stats.profiles counts 1.
vmprof 0.6.0 weights version-7 samples by the timestamp gap to the previous
sample (Stats.profiles[i][1] is that weight, a float >= 1); the engine
reports samples, not estimated timer periods, so the weight is ignored here.

Where one code address has several Python names (a code object freed while
profiling and its memory reused), vmprof's reader keeps one name for all
samples; the engine names each sample by the code object alive when it was
taken. The oracle does the same from its own walk of the records
(sample_names): a sample takes the first 0x02 name of its address written
after it, or the name of a birth the kernel recorded (meta `code_births`)
at or before it.

A function is counted once per sample however often it is on the stack
(recursion), like the engine's call graph. Labels are "name|file|line",
built from vmprof's name strings by the same rules as src/formats/vmprof.ts
(parseVmprofName and the placeholders for unnamed ids).
"""
import json
import re
import struct
import sys

import vmprof
from vmprof.reader import AssemblerCode, JittedCode, NativeCode


def label(addr, names):
    text = names.get(addr)
    native = isinstance(addr, NativeCode) or (not isinstance(addr, JittedCode) and addr > 0 and addr & 1)
    if text is not None and text.startswith('py:'):
        parts = text[3:].split(':', 2)
        if len(parts) == 3 and re.fullmatch(r'-?\d+', parts[1]):
            return '%s|%s|%d' % (parts[0], parts[2], int(parts[1]))
    if text is not None and (native or not text.startswith('n:')):
        m = re.match(r'^n:(.*):(-?\d+):(.*)$', text, re.S)
        if m:
            return '%s|%s|%d' % (m.group(1), '' if m.group(3) == '-' else m.group(3), int(m.group(2)))
        m = re.match(r'^([a-z]+):([^:]*):(-?\d+):(.*)$', text, re.S)
        if m:
            return '%s|%s|%d' % (m.group(2), m.group(4), int(m.group(3)))
        return '%s||0' % text
    hexaddr = ('-0x%x' % -addr) if addr < 0 else ('0x%x' % addr)
    if native:
        return '<native symbol %s>||0' % hexaddr
    return '<unknown code %s>||0' % hexaddr


def record_offsets(data):
    """(offsets of the sample records, {id: [(offset, name)]} of 0x02 records, meta)
    for 64-bit little-endian files of version 4 or later; None for others."""
    if len(data) < 45 or struct.unpack_from('<5q', data, 0)[:3] != (0, 3, 0) or data[40] != 5:
        return None
    version = int.from_bytes(data[41:43], 'big')
    if version < 4:
        return None
    flags = data[43]
    if flags & 0x08:
        return None  # PyPy: not needed here
    pos = 45 + data[44]
    tail = 8 + 8 * bool(flags & 1) + 8 * (version >= 7)
    samples, names, meta = [], {}, {}
    while pos < len(data):
        marker = data[pos]
        if marker == 1:
            depth = struct.unpack_from('<q', data, pos + 9)[0]
            samples.append(pos)
            pos += 17 + 8 * depth + tail
        elif marker in (2, 8):
            ident, length = struct.unpack_from('<qq', data, pos + 1)
            if marker == 2:
                names.setdefault(ident, []).append((pos, data[pos + 17:pos + 17 + length].decode('utf-8', 'replace')))
            pos += 17 + length
        elif marker == 7:
            kl = struct.unpack_from('<q', data, pos + 1)[0]
            key = data[pos + 9:pos + 9 + kl].decode()
            vl = struct.unpack_from('<q', data, pos + 9 + kl)[0]
            meta[key] = data[pos + 17 + kl:pos + 17 + kl + vl].decode('utf-8', 'replace')
            pos += 17 + kl + vl
        elif marker == 6:
            pos += 25
        else:
            break  # trailer, end, or bytes the engine's tests cover elsewhere
    return samples, names, meta


def sample_names(path, count):
    """Per sample, a function addr -> name for the addresses named differently over time."""
    with open(path, 'rb') as f:
        scanned = record_offsets(f.read())
    if scanned is None:
        return None
    samples, names, meta = scanned
    if len(samples) != count:
        return None
    births = {int(i): (at, name) for i, at, name in json.loads(meta.get('code_births', '[]'))}
    timed = {i: recs for i, recs in names.items() if len({n for _, n in recs}) > 1}
    timed.update({i: names.get(i, []) for i in births})

    def name_at(ident, at):
        birth = births.get(ident)
        if birth is not None and at >= birth[0]:
            return birth[1]
        recs = timed[ident]
        later = [n for pos, n in recs if pos > at]
        return later[0] if later else (recs[-1][1] if recs else None)

    return lambda i, ident: name_at(ident, samples[i]) if ident in timed else None


def main(path):
    try:
        stats = vmprof.read_profile(path)
    except Exception as e:  # the tests skip files vmprof cannot read
        print(json.dumps({'error': '%s: %s' % (type(e).__name__, e)}))
        return
    names = stats.adr_dict
    lines = stats.profile_lines
    functions = {}
    timed = sample_names(path, len(stats.profiles))
    for index, (trace, _weight, _thread, _mem) in enumerate([p[:4] for p in stats.profiles]):
        seen = set()
        leaf = None
        for i, addr in enumerate(trace):
            if lines and i % 2 == 1:
                continue  # root-first [addr, -line, addr, -line, ...]
            if isinstance(addr, AssemblerCode):
                continue
            named = timed(index, addr) if timed is not None else None
            key = label(addr, {addr: named} if named is not None else names)
            leaf = key
            if key not in seen:
                seen.add(key)
                functions.setdefault(key, [0, 0])[1] += 1
        if leaf is not None:
            functions.setdefault(leaf, [0, 0])[0] += 1
    print(json.dumps({'samples': len(stats.profiles), 'functions': functions}))


if __name__ == '__main__':
    main(sys.argv[1])
