"""What %%vmprof adds to a cell, idle and back to back: this tree against a variant, in one run.

    .venv/bin/python bench/cell_cost.py [--reps 15] [--burst 5] [--peer PATH]

Two real ipykernels side by side, each with its own profile store: "this" imports
jupyterlab_vmprof from this tree; "peer" from PATH (--peer), a copy of the package to
compare with (e.g. an older commit's `git archive`, with the built converter and crash
guard copied in), or, by default, this tree with the profile files fsync'd on the reply's
path again (`--peer sync`: ProfileStore(sync_writes=True), as before the change).

Per kernel, interleaved (this, peer, this, ...):

- idle: an empty `%%vmprof` cell after the previous cell's summary has finished (asked
  in a request of its own, untimed), and an empty plain cell;
- back to back: --burst empty `%%vmprof` cells sent one after the other, each as soon as
  the previous one replied (the next starts while the previous summary runs).

Measured per cell: in the kernel, IPython's pre_run_cell..post_run_cell of the top-level
cell (bench/overhead_probe.py), and e2e on the client (request sent .. reply received).
"Added" is the %%vmprof cell minus the median plain cell of the same kernel in this run.
"""

from __future__ import annotations

import argparse
import json
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from overhead_kernel import Kernel

HERE = Path(__file__).resolve().parent
REPO = HERE.parent
SETUP = f"""
import sys
sys.path.insert(0, {str(HERE)!r})
import overhead_probe as _bp
_bp.install(get_ipython())
%load_ext jupyterlab_vmprof
import jupyterlab_vmprof, numpy, numba
"""
EMPTY_PLAIN = "_bench_body = 0.0\n"
EMPTY_VMPROF = "%%vmprof{options}\n_bench_body = 0.0\n"
WAIT_SUMMARY = "from jupyterlab_vmprof.kernel import output as _o; _o.wait_pending()"


def sync_peer(folder: Path) -> Path:
    """This tree's package with the fsyncs back on the reply's path (ProfileStore(sync_writes=True))."""
    target = folder / "jupyterlab_vmprof"
    shutil.copytree(
        REPO / "jupyterlab_vmprof", target, symlinks=True, ignore=shutil.ignore_patterns("__pycache__", "labextension")
    )
    magic = target / "kernel" / "magic.py"
    text = magic.read_text()
    if "ProfileStore(sync_writes=False)" not in text:
        raise SystemExit("this tree's magic.py has no ProfileStore(sync_writes=False) to turn back")
    magic.write_text(text.replace("ProfileStore(sync_writes=False)", "ProfileStore(sync_writes=True)"))
    return folder


def cell(kernel: Kernel, code: str) -> dict:
    result = kernel.execute(code, {"cell": "_bp.last_cell"})
    return {"cell": result["values"]["cell"], "e2e": result["e2e"]}


def stats(values: list) -> dict:
    return {
        "median_ms": round(1000 * statistics.median(values), 2),
        "min_ms": round(1000 * min(values), 2),
        "n": len(values),
    }


def measure(kernels: dict, reps: int, burst: int, options: dict) -> dict:
    """`options`: per kernel, what follows `%%vmprof` on its profiled cells' first line."""
    rows: dict = {name: {"plain": [], "idle": [], "burst": []} for name in kernels}
    profiled = {name: EMPTY_VMPROF.format(options=options.get(name, "")) for name in kernels}
    for name, kernel in kernels.items():  # warm-up: imports, caches, the first summary
        for _ in range(2):
            cell(kernel, profiled[name])
            kernel.execute(WAIT_SUMMARY)
            cell(kernel, EMPTY_PLAIN)
    for rep in range(reps):
        order = list(kernels) if rep % 2 == 0 else list(kernels)[::-1]
        for name in order:
            kernel = kernels[name]
            rows[name]["plain"].append(cell(kernel, EMPTY_PLAIN))
            kernel.execute(WAIT_SUMMARY)
            rows[name]["idle"].append(cell(kernel, profiled[name]))
            kernel.execute(WAIT_SUMMARY)
            if rep % 3 == 0:  # a burst every third repetition: burst cells each
                rows[name]["burst"] += [cell(kernel, profiled[name]) for _ in range(burst)]
                kernel.execute(WAIT_SUMMARY)
        print(f"  repetition {rep + 1}/{reps}", file=sys.stderr)
    result = {}
    for name, kinds in rows.items():
        plain_cell = statistics.median(r["cell"] for r in kinds["plain"])
        plain_e2e = statistics.median(r["e2e"] for r in kinds["plain"])
        result[name] = {
            "plain": {
                "cell": stats([r["cell"] for r in kinds["plain"]]),
                "e2e": stats([r["e2e"] for r in kinds["plain"]]),
            }
        }
        for kind in ("idle", "burst"):
            result[name][kind] = {
                "cell_added": stats([r["cell"] - plain_cell for r in kinds[kind]]),
                "e2e_added": stats([r["e2e"] - plain_e2e for r in kinds[kind]]),
            }
    return result


def uptime() -> str:
    return subprocess.run(["uptime"], capture_output=True, text=True, check=False).stdout.strip()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--reps", type=int, default=15)
    parser.add_argument("--burst", type=int, default=5)
    parser.add_argument(
        "--peer", default="sync", help="'sync' (default), 'this', or the folder holding a jupyterlab_vmprof to compare"
    )
    parser.add_argument(
        "--peer-options", default="", help="what follows %%%%vmprof in the peer's cells, e.g. ' --no-native'"
    )
    parser.add_argument("--out", type=Path, default=HERE / "out" / "cell_cost.json")
    args = parser.parse_args()
    before = uptime()
    with tempfile.TemporaryDirectory(prefix="vmprof-bench-cellcost-") as work:
        work = Path(work)
        if args.peer == "sync":
            peer = sync_peer(work / "peer")
        else:
            peer = REPO if args.peer == "this" else Path(args.peer)
        kernels = {}
        try:
            for name, path in (("this", REPO), ("peer", peer)):
                (work / f"store-{name}").mkdir()
                kernels[name] = Kernel(work / f"store-{name}", 1, env={"PYTHONPATH": str(path)})
                kernels[name].execute(SETUP)
                where = kernels[name].value("jupyterlab_vmprof.__file__")
                print(f"{name}: {where}", file=sys.stderr)
            started = time.perf_counter()
            result = measure(kernels, args.reps, args.burst, {"peer": args.peer_options})
        finally:
            for kernel in kernels.values():
                kernel.shutdown()
    report = {
        "peer": args.peer,
        "peer_options": args.peer_options,
        "reps": args.reps,
        "burst": args.burst,
        "uptime_before_after": [before, uptime()],
        "runtime_s": round(time.perf_counter() - started, 1),
        "result": result,
    }
    args.out.parent.mkdir(parents=True, exist_ok=True)
    args.out.write_text(json.dumps(report, indent=1))
    print(f"uptime before / after: {before} / {report['uptime_before_after'][1]}")
    print(
        "| kernel | plain cell, median ms | %%vmprof idle: added in the kernel, median (min) ms | e2e | "
        "back to back: added in the kernel | e2e |"
    )
    print("|---|---:|---:|---:|---:|---:|")
    for name, r in result.items():

        def both(kind, measure):
            s = r[kind][measure]
            return f"{s['median_ms']} ({s['min_ms']})"

        print(
            f"| {name} | {r['plain']['cell']['median_ms']} | {both('idle', 'cell_added')} | {both('idle', 'e2e_added')} "
            f"| {both('burst', 'cell_added')} | {both('burst', 'e2e_added')} |"
        )


if __name__ == "__main__":
    main()
