"""What a comparison (`vmprof-convert A --diff B`) costs, side by side with a peer bundle.

    python bench/diff_cost.py --peer OTHER_BUNDLE.js [--bundle THIS_BUNDLE.js] [--runs N]

Runs the built converter (jupyterlab_vmprof/converter/vmprof-convert.js) and the peer
(say, a bundle built from the commit before a change: `git archive COMMIT src package.json
tsconfig.json | tar -x -C DIR`, link node_modules, then esbuild as `jlpm build:converter`
does) on the same pairs, interleaved (this, peer, this, peer, ...) so that a busy machine
slows both alike. Reports the median wall time of each, their ratio, and the size of the
Diff JSON each writes. Quote the load average with the numbers (`uptime`).

Pairs:
- small:   test-data/profiles/generated/mixed.prof vs numpy_work.prof (758 and 208 samples)
- repeated: the same, their samples repeated 300 times (bench/make_big_profile.py)
- native:  two runs of ts-tests/engine/diff_workload.py (numpy with native frames, each in its
           own process and temporary folder), with their maps.txt (--maps, --diff-maps)
"""

from __future__ import annotations

import argparse
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
BUNDLE = ROOT / "jupyterlab_vmprof" / "converter" / "vmprof-convert.js"
GENERATED = ROOT / "test-data" / "profiles" / "generated"
REPEAT = 300


def run_once(bundle: Path, args: list[str]) -> tuple[float, int]:
    """Wall seconds of one conversion, and the bytes it wrote."""
    start = time.perf_counter()
    done = subprocess.run(["node", str(bundle), *args], capture_output=True, check=True)
    return time.perf_counter() - start, len(done.stdout)


def native_pair(work: Path) -> list[str]:
    """Two real profiles of one numpy workload from two processes, with their maps."""
    folders = []
    for name in ("a", "b"):
        folder = work / name
        folder.mkdir()
        shutil.copy(ROOT / "ts-tests" / "engine" / "diff_workload.py", folder)
        env = {**os.environ, "OPENBLAS_NUM_THREADS": "1"}
        subprocess.run([sys.executable, str(folder / "diff_workload.py"), str(folder)], check=True, env=env)
        folders.append(folder)
    a, b = folders
    return [
        str(a / "profile.prof"),
        "--maps",
        str(a / "maps.txt"),
        "--diff",
        str(b / "profile.prof"),
        "--diff-maps",
        str(b / "maps.txt"),
    ]


def repeated_pair(work: Path) -> list[str]:
    out = []
    for name in ("mixed.prof", "numpy_work.prof"):
        target = work / f"big-{name}"
        subprocess.run(
            [
                sys.executable,
                str(ROOT / "bench" / "make_big_profile.py"),
                str(GENERATED / name),
                str(target),
                str(REPEAT),
            ],
            check=True,
            capture_output=True,
        )
        out.append(str(target))
    return [out[0], "--diff", out[1]]


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--peer", required=True, type=Path, help="the other converter bundle")
    parser.add_argument("--bundle", type=Path, default=BUNDLE, help="this converter (default: the built one)")
    parser.add_argument("--runs", type=int, default=7)
    options = parser.parse_args()
    print(f"load average before: {os.getloadavg()[0]:.1f}")
    with tempfile.TemporaryDirectory(prefix="vmprof-diff-bench-") as tmp:
        work = Path(tmp)
        (work / "native").mkdir()
        (work / "repeated").mkdir()
        pairs = {
            "small": [str(GENERATED / "mixed.prof"), "--diff", str(GENERATED / "numpy_work.prof")],
            "repeated": repeated_pair(work / "repeated"),
            "native": native_pair(work / "native"),
        }
        print(f"{'pair':10} {'this (s)':>9} {'peer (s)':>9} {'ratio':>6} {'this KB':>8} {'peer KB':>8}")
        for label, args in pairs.items():
            times: dict[str, list[float]] = {"this": [], "peer": []}
            sizes: dict[str, int] = {}
            run_once(options.bundle, args)  # warm the file cache
            for _ in range(options.runs):
                for who, bundle in (("this", options.bundle), ("peer", options.peer)):
                    seconds, size = run_once(bundle, args)
                    times[who].append(seconds)
                    sizes[who] = size
            this, peer = statistics.median(times["this"]), statistics.median(times["peer"])
            print(
                f"{label:10} {this:9.3f} {peer:9.3f} {this / peer:6.2f} {sizes['this'] / 1024:8.1f} {sizes['peer'] / 1024:8.1f}"
            )
    print(f"load average after: {os.getloadavg()[0]:.1f}")


if __name__ == "__main__":
    main()
