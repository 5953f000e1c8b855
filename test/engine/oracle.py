"""Oracle for the engine tests: per-function sample counts from vmprof's own reader.

Usage: python oracle.py PROFILE  ->  one JSON object on stdout:
  {"samples": n, "functions": {label: [self, inclusive]}}
or {"error": "..."} when vmprof cannot read the file.

Counts are raw sample counts: every entry of Stats.profiles counts 1.
vmprof 0.6.0 weights version-7 samples by the timestamp gap to the previous
sample (Stats.profiles[i][1] is that weight, a float >= 1); the engine
reports samples, not estimated timer periods, so the weight is ignored here.

A function is counted once per sample however often it is on the stack
(recursion), like the engine's call graph. Labels are "name|file|line",
built from vmprof's name strings by the same rules as src/formats/vmprof.ts
(parseVmprofName and the placeholders for unnamed ids).
"""
import json
import re
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


def main(path):
    try:
        stats = vmprof.read_profile(path)
    except Exception as e:  # the tests skip files vmprof cannot read
        print(json.dumps({'error': '%s: %s' % (type(e).__name__, e)}))
        return
    names = stats.adr_dict
    lines = stats.profile_lines
    functions = {}
    for trace, _weight, _thread, _mem in [p[:4] for p in stats.profiles]:
        seen = set()
        leaf = None
        for i, addr in enumerate(trace):
            if lines and i % 2 == 1:
                continue  # root-first [addr, -line, addr, -line, ...]
            if isinstance(addr, AssemblerCode):
                continue
            key = label(addr, names)
            leaf = key
            if key not in seen:
                seen.add(key)
                functions.setdefault(key, [0, 0])[1] += 1
        if leaf is not None:
            functions.setdefault(leaf, [0, 0])[0] += 1
    print(json.dumps({'samples': len(stats.profiles), 'functions': functions}))


if __name__ == '__main__':
    main(sys.argv[1])
