"""Cost per distinct stack: the converter against vmprof's own reader, side by side.

    .venv/bin/python bench/stack_shapes.py [--runs N] [--tail N] [--converter NAME=JS]... [--cli NAME=DIR]...
        [--node-flags NAME=FLAGS]... [SAMPLES:DISTINCT ...]

Each SAMPLES:DISTINCT (default 300000:10000 300000:100000 300000:300000) makes a
vmprof 0.6.0 file (version 7, CPython, no native frames) of SAMPLES samples over
DISTINCT distinct 20-deep stacks, then runs, interleaved N times (default 3):
- the converter as the server and the CLI run it (`node vmprof-convert.js FILE
  -o OUT`, Graph JSON, Node start-up included);
- `vmprof.read_profile(FILE)` + `get_tree()` in a fresh Python (start-up included).
Each run is a fresh process under /usr/bin/time: wall and CPU seconds and peak
RSS are its own (CPU time is the fairer figure on a busy machine). `--converter
NAME=JS` (repeatable) compares converter bundles, e.g. before and after a change;
`--cli NAME=DIR` (repeatable) adds the command line as a user runs it,
`vmproftocallgrind FILE --format json -o OUT` with the package imported from DIR
(Python start-up, its imports and the converter it runs, each included).
`--node-flags NAME="--opt ..."` gives converter NAME node options (say, the server's
node_converter.V8_FLAGS for one bundle and none for the other); none by default.
Prints the median and min per tool, the ratio of medians, the size of
the Graph JSON, and the 1-minute load average before and after.

Why this shape: the cost of a profile grows with its distinct stacks, not only
its samples (the call tree has one node per distinct prefix). Stack i's frame
at depth d (outermost d = 0) is function (d, digit 19 - d of i in base 4): the
stacks share their outer frames and branch 4 ways per level near the leaves,
as real programs' stacks do, about 1.33 call-tree nodes per distinct stack.
`--tail N` draws the innermost N frames at random from 1,000 functions instead
(about N more nodes per distinct stack: the reader's memory bound refuses such
files beyond ~450k nodes per 58 MB). The header, time and meta records come
from test-data/profiles/vmprof-0.6.0/nonative.prof.
"""

from __future__ import annotations

import os
import random
import statistics
import struct
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
SOURCE = ROOT / "test-data/profiles/vmprof-0.6.0/nonative.prof"
CONVERTER = ROOT / "jupyterlab_vmprof/converter/vmprof-convert.js"
PYTHON = os.environ.get("VMPROF_PYTHON", str(ROOT / ".venv/bin/python"))
DEPTH = 20
LEAF_FUNCTIONS = 1000
CODE_BASE = 0x7F00_0000_0000
THREAD = 140_000_000_000_000
PY_CLI = "import sys; from jupyterlab_vmprof.cli.main import tocallgrind_main; sys.exit(tocallgrind_main())"
PY_READER = (
    "import sys, vmprof\n"
    "stats = vmprof.read_profile(sys.argv[1])\n"
    "tree = stats.get_tree()\n"
    "print(len(stats.profiles))\n"
)


def _prefix_end(data: bytes) -> int:
    """Offset of the first record after the header, time and meta records."""
    offset = 5 * 8
    offset += 4
    offset += 1 + data[offset]  # interpreter name
    while data[offset] in (6, 7):  # TIME_N_ZONE, META
        if data[offset] == 6:
            offset += 1 + 24
        else:
            offset += 1
            for _ in range(2):
                length = struct.unpack_from("<q", data, offset)[0]
                offset += 8 + length
    return offset


def _function_count() -> int:
    return DEPTH * 4 + LEAF_FUNCTIONS


def _stack(i: int, tail: int, rng: random.Random) -> list[int]:
    """Code ids, innermost first (vmprof's order)."""
    outer = [d * 4 + (i >> (2 * (DEPTH - 1 - d))) % 4 for d in range(DEPTH - tail)]
    inner = [DEPTH * 4 + rng.randrange(LEAF_FUNCTIONS) for _ in range(tail)]
    return [CODE_BASE + 16 * k for k in reversed(outer + inner)]


def make_profile(path: Path, samples: int, distinct: int, tail: int = 0, seed: int = 16) -> None:
    source = SOURCE.read_bytes()
    rng = random.Random(seed)
    stacks = [_stack(i, tail, rng) for i in range(distinct)]
    sample = struct.Struct(f"<Bqq{DEPTH}qqq")
    with path.open("wb") as out:
        out.write(source[: _prefix_end(source)])
        for i in range(samples):
            out.write(sample.pack(1, 1, DEPTH, *stacks[i % distinct], THREAD, i * 4_000_000))
        for k in range(_function_count()):
            name = f"py:f{k}:{k + 1}:/bench/shapes.py".encode()
            out.write(struct.pack("<Bqq", 2, CODE_BASE + 16 * k, len(name)) + name)
        out.write(source[-25:])  # trailer


def _timed(cmd: list[str], env: dict | None = None) -> tuple[float, float, int]:
    """(wall seconds, CPU seconds, peak RSS in MB) of one fresh process and its children."""
    t0 = time.perf_counter()
    r = subprocess.run(["/usr/bin/time", "-f", "cpu=%U+%S maxrss=%M", *cmd], capture_output=True, text=True, env=env)
    wall = time.perf_counter() - t0
    if r.returncode != 0:
        raise RuntimeError(f"{cmd[0]} failed: {r.stderr[-2000:]}")
    stats = r.stderr.rsplit("cpu=", 1)[1].split()
    user, system = stats[0].split("+")
    return wall, float(user) + float(system), int(stats[1].removeprefix("maxrss=")) // 1024


def compare(
    samples: int,
    distinct: int,
    tail: int,
    runs: int,
    work: Path,
    converters: dict[str, str],
    clis: dict[str, str],
    node_flags: dict[str, list[str]],
) -> None:
    prof = work / f"shapes-{samples}-{distinct}-{tail}.prof"
    if not prof.exists():
        make_profile(prof, samples, distinct, tail)
    out = work / "out.json"
    tools = {
        name: ["node", *node_flags.get(name, []), path, str(prof), "-o", str(out)] for name, path in converters.items()
    }
    envs: dict[str, dict] = {}
    for name, folder in clis.items():
        tools[name] = [PYTHON, "-c", PY_CLI, str(prof), "--format", "json", "-o", str(out)]
        envs[name] = {**os.environ, "PYTHONPATH": folder}
    tools["vmprof"] = [PYTHON, "-c", PY_READER, str(prof)]
    results: dict[str, list[tuple[float, float, int]]] = {name: [] for name in tools}
    for _ in range(runs):
        for name, cmd in tools.items():  # interleaved: both see the same load
            results[name].append(_timed(cmd, envs.get(name)))
    line = [f"{samples:>9,} samples {distinct:>8,} distinct tail {tail} ({prof.stat().st_size / 1e6:.0f} MB):"]
    med = {}
    for name, rows in results.items():
        walls, cpus = [w for w, _, _ in rows], [c for _, c, _ in rows]
        med[name] = statistics.median(cpus)
        line.append(
            f"{name} CPU median {med[name]:.2f} s min {min(cpus):.2f} s, wall median {statistics.median(walls):.2f} s, "
            f"rss {max(r for _, _, r in rows)} MB;"
        )
    ratios = ", ".join(f"{name} {med['vmprof'] / med[name]:.1f}x" for name in [*converters, *clis])
    line.append(f"vmprof / converter: {ratios}; graph JSON {out.stat().st_size / 1e6:.1f} MB")
    print(" ".join(line), flush=True)


def main(argv: list[str]) -> int:
    runs, tail, converters, clis, node_flags = 3, 0, {}, {}, {}
    while argv[:1] in (["--runs"], ["--tail"], ["--converter"], ["--cli"], ["--node-flags"]):
        if argv[0] == "--runs":
            runs = int(argv[1])
        elif argv[0] == "--tail":
            tail = int(argv[1])
        elif argv[0] == "--node-flags":
            name, _, flags = argv[1].partition("=")
            node_flags[name] = flags.split()
        else:
            name, _, path = argv[1].partition("=")
            (converters if argv[0] == "--converter" else clis)[name] = path
        argv = argv[2:]
    converters = converters or {"converter": str(CONVERTER)}
    cases = [tuple(int(x) for x in a.split(":")) for a in argv] or [
        (300_000, 10_000),
        (300_000, 100_000),
        (300_000, 300_000),
    ]
    print(f"load average before: {os.getloadavg()[0]:.2f} (2 cores); runs per tool: {runs}", flush=True)
    with tempfile.TemporaryDirectory(prefix="stack-shapes-") as tmp:
        for samples, distinct in cases:
            compare(samples, distinct, tail, runs, Path(tmp), converters, clis, node_flags)
    print(f"load average after: {os.getloadavg()[0]:.2f}")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
