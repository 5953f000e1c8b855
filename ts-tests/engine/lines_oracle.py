"""Oracle for per-line costs: what vmprof's own reader says about each line.

Usage: python lines_oracle.py PROFILE  ->  one JSON object on stdout:
  {"samples": n,
   "direct": {label: {line: [self, inclusive]}},
   "tree": {label: {line: count}},
   "recursive": [label, ...]}
or {"error": "..."} when vmprof cannot read the file or it has no lines.

- "direct" is computed from Stats.profiles, each sample counting 1 (see
  oracle.py for why 0.6.0's timestamp weights are left out): self when the
  function is the innermost Python frame (native frames above it run for its
  line, as line_profiler counts), inclusive once per sample per
  (function, line).
- "tree" is vmprof's own Stats.get_tree() with every weight set to 1 and its
  filter_top() step (which keeps one subtree) turned off: the sum of
  Node.lines over all nodes of a function. For a function that is never
  twice on one stack this equals the inclusive count above; "recursive"
  lists the functions for which it does not have to.

Labels are "name|file|first line" as in oracle.py; only Python code ("py:"
names) and lines > 0 count, as in the engine.
"""
import json
import os
import sys

import vmprof

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from oracle import label  # noqa: E402


def main(path):
    try:
        stats = vmprof.read_profile(path)
    except Exception as e:
        print(json.dumps({'error': '%s: %s' % (type(e).__name__, e)}))
        return
    if not stats.profile_lines:
        print(json.dumps({'error': 'not a lines-mode profile'}))
        return
    names = stats.adr_dict
    is_python = {}

    def python_label(addr):
        if addr not in is_python:
            text = names.get(addr)
            is_python[addr] = label(addr, names) if text is not None and text.startswith('py:') else None
        return is_python[addr]

    direct = {}
    recursive = set()
    for trace in [p[0] for p in stats.profiles]:
        # root first: [addr, -line, addr, -line, ...]
        pairs = [(trace[i], -trace[i + 1]) for i in range(0, len(trace) - 1, 2)]
        seen = set()
        functions = set()
        for addr, line in pairs:
            key = python_label(addr)
            if key is None:
                continue
            if key in functions:
                recursive.add(key)
            functions.add(key)
            if line > 0 and (key, line) not in seen:
                seen.add((key, line))
                direct.setdefault(key, {}).setdefault(line, [0, 0])[1] += 1
        # Self goes to the innermost Python frame: native code above it runs for its line.
        for addr, line in reversed(pairs):
            key = python_label(addr)
            if key is None:
                continue
            if line > 0:
                direct.setdefault(key, {}).setdefault(line, [0, 0])[0] += 1
            break

    stats.profiles = [(p[0], 1) + tuple(p[2:]) for p in stats.profiles]
    stats.filter_top = lambda top: top
    tree = {}
    pending = [stats.get_tree()]
    while pending:
        node = pending.pop()
        pending.extend(node.children.values())
        key = python_label(node.addr)
        if key is None:
            continue
        for line, count in node.lines.items():
            if line > 0:
                per_line = tree.setdefault(key, {})
                per_line[line] = per_line.get(line, 0) + count
    print(json.dumps({'samples': len(stats.profiles), 'direct': direct, 'tree': tree,
                      'recursive': sorted(recursive)}))


if __name__ == '__main__':
    main(sys.argv[1])
