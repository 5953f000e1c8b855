"""What the crash guard (kernel/lean/_framecheck.c) costs, with and without it side by side.

    .venv/bin/python bench/crashguard.py [--reps 5] [--target 1.0] [--rounds 5]

1. The check alone: ns per call of the frame check the guard runs on every sample,
   from frames 1, 100 and 1000 deep (the check walks the frames of the thread's
   top data-stack chunk), against a C call that does nothing.
2. Per sample, end to end: one process samples a pure-Python loop (no call from C
   into Python, so nothing crashes without the guard) with vmprof in real-time mode
   every 0.5 ms, alternating rounds with the guard and without: CPU seconds per round,
   samples taken and dropped.
3. The overhead benchmark's cells (bench/overhead_cells.py: python = fib + a sort with a key
   function, numpy, numba; plus fib alone) in one kernel: plain, %%vmprof with the
   guard and %%vmprof without it (JUPYTERLAB_VMPROF_NO_GUARD set in the kernel for that
   cell only), interleaved. Without the guard the python cell usually kills the kernel
   (counted; the kernel is restarted).

Prints markdown tables and writes bench/out/crashguard.json (docs/benchmarks.md).
"""
from __future__ import annotations

import argparse
import json
import os
import statistics
import sys
import tempfile
import time
import timeit
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE.parent))  # the working tree's package

import overhead_cells  # noqa: E402
from overhead_cells import REPS_NAME, SETUP, WORK, source  # noqa: E402
from overhead_kernel import Kernel  # noqa: E402
from overhead_report import overhead  # noqa: E402
from overhead_runs import attempt, calibrate  # noqa: E402

from jupyterlab_vmprof.kernel.lean import crashguard  # noqa: E402

OUT = HERE / "out" / "crashguard.json"
MODES = ("plain", "guard", "no guard")
NO_GUARD_ON = f"import os as _bench_os; _bench_os.environ[{crashguard.NO_GUARD_ENV!r}] = '1'"
NO_GUARD_OFF = f"_bench_os.environ.pop({crashguard.NO_GUARD_ENV!r}, None)"
# fib alone: pure Python with no call from C into Python (calibrated like the others).
WORK["fib"] = """for _ in range(FIB_REPS):
    fib(21)"""
REPS_NAME["fib"] = "FIB_REPS"
CELLS = (*overhead_cells.CELLS, "fib")


def check_cost(number: int = 200_000) -> dict:
    """ns per frame check at several depths, and per trivial C call (the call's own cost)."""
    from jupyterlab_vmprof.kernel.lean import _framecheck

    def at_depth(depth: int, measure):
        return measure() if depth <= 1 else at_depth(depth - 1, measure)

    def best_ns(function) -> float:
        return min(timeit.repeat(function, number=number, repeat=5)) / number * 1e9

    sys.setrecursionlimit(5000)
    result = {"empty C call": best_ns(_framecheck.active)}
    for depth in (1, 100, 1000):
        result[f"check, {depth} frames deep"] = at_depth(depth, lambda: best_ns(_framecheck.check_current_thread))
    return result


def fib(n: int) -> int:
    return n if n < 2 else fib(n - 1) + fib(n - 2)


def per_sample(rounds: int) -> dict:
    """CPU seconds and samples of the same loop under vmprof, with the guard and without."""
    import vmprof

    from jupyterlab_vmprof.kernel.lean import leanvmprof
    from jupyterlab_vmprof.kernel.lean.rawscan import scan_profile

    rows = {"guard": [], "no guard": []}
    with tempfile.TemporaryDirectory() as folder:
        for index in range(2 * rounds):
            guarded = index % 2 == 0
            os.environ.pop(crashguard.NO_GUARD_ENV, None)
            if not guarded:
                os.environ[crashguard.NO_GUARD_ENV] = "1"
            path = Path(folder) / f"{index}.prof"
            fd = os.open(path, os.O_RDWR | os.O_CREAT | os.O_TRUNC, 0o644)
            leanvmprof.enable(vmprof, fd, period=0.0005, memory=False, lines=False, native=True, real_time=True)
            cpu = time.process_time()
            for _ in range(300):
                fib(22)
            cpu = time.process_time() - cpu
            report = leanvmprof.stop(fd)
            os.close(fd)
            samples = scan_profile(path.read_bytes()).samples
            rows["guard" if guarded else "no guard"].append(
                {"cpu_s": cpu, "samples": samples, "dropped": report.guard.get("dropped_samples", 0)})
    os.environ.pop(crashguard.NO_GUARD_ENV, None)
    return {mode: {"cpu_s_median": statistics.median(r["cpu_s"] for r in rs),
                   "cpu_s_min": min(r["cpu_s"] for r in rs),
                   "samples_median": statistics.median(r["samples"] for r in rs),
                   "dropped_median": statistics.median(r["dropped"] for r in rs), "runs": rs}
            for mode, rs in rows.items()}


def cells(kernel: Kernel, reps: int) -> tuple[dict, list]:
    raw = []
    names = CELLS
    for rep in range(reps):
        for cell in names:
            order = MODES[rep % len(MODES):] + MODES[: rep % len(MODES)]
            for mode in order:
                code = source(cell, "plain" if mode == "plain" else "vmprof")
                if mode == "no guard":
                    kernel.execute(NO_GUARD_ON)
                row = attempt(kernel, code, meta=mode != "plain", phase="measure", cell=cell, mode=mode, rep=rep)
                if mode == "no guard" and row is not None:
                    kernel.execute(NO_GUARD_OFF)
                raw.append(dict(row or {}, cell_name=cell, mode=mode, rep=rep, crashed=row is None))
        print(f"  repetition {rep + 1}/{reps} done", file=sys.stderr)
    table = {}
    for cell in names:
        plain = [r for r in raw if r["cell_name"] == cell and r["mode"] == "plain" and not r["crashed"]]
        table[cell] = {}
        for mode in MODES:
            rows = [r for r in raw if r["cell_name"] == cell and r["mode"] == mode]
            done = [r for r in rows if not r["crashed"]]
            metas = [r.get("meta") or {} for r in done] if mode != "plain" else []
            table[cell][mode] = {
                "runs": len(rows),
                "crashes": len(rows) - len(done),
                "body_cpu_min": min((r["body_cpu"] for r in done), default=None),
                "body_cpu_median": statistics.median(r["body_cpu"] for r in done) if done else None,
                "e2e_median": statistics.median(r["e2e"] for r in done) if done else None,
                "samples_median": statistics.median(m.get("samples") or 0 for m in metas) if metas else None,
                "dropped_median": statistics.median((m.get("guard") or {}).get("dropped_samples") or 0
                                                    for m in metas) if metas else None,
            }
            if plain and done:
                table[cell][mode]["body_cpu_overhead_pct_min"] = overhead(
                    table[cell][mode]["body_cpu_min"], min(r["body_cpu"] for r in plain))
    return table, raw


def render(report: dict) -> str:
    lines = ["## The check alone (ns per call, best of 5)", "", "| call | ns |", "|---|---|"]
    lines += [f"| {name} | {ns:.0f} |" for name, ns in report["check"].items()]
    lines += ["", "## Per sample: fib(22) x 300 under vmprof, real time, 0.5 ms, native (median of the rounds)", "",
              "| | CPU s (median) | CPU s (min) | samples | dropped |", "|---|---|---|---|---|"]
    for mode, row in report["per_sample"].items():
        lines.append(f"| {mode} | {row['cpu_s_median']:.3f} | {row['cpu_s_min']:.3f} | {row['samples_median']:.0f} "
                     f"| {row['dropped_median']:.0f} |")
    lines += ["", "## Overhead cells in one kernel", "",
              "| cell | mode | runs | kernel deaths | body CPU s (min) | vs plain | samples | dropped |",
              "|---|---|---|---|---|---|---|---|"]
    for cell, modes in report["cells"].items():
        for mode, row in modes.items():
            cpu = "n/a" if row["body_cpu_min"] is None else f"{row['body_cpu_min']:.3f}"
            pct = row.get("body_cpu_overhead_pct_min")
            vs = "" if mode == "plain" or pct is None else f"{pct:+.1f} %"
            samples = "" if row["samples_median"] is None else f"{row['samples_median']:.0f}"
            dropped = "" if row["dropped_median"] is None else f"{row['dropped_median']:.0f}"
            lines.append(f"| {cell} | {mode} | {row['runs']} | {row['crashes']} | {cpu} | {vs} | {samples} | {dropped} |")
    return "\n".join(lines) + "\n"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--reps", type=int, default=5, help="repetitions of every cell x mode (default 5)")
    parser.add_argument("--target", type=float, default=1.0, help="plain body seconds per cell (default 1.0)")
    parser.add_argument("--rounds", type=int, default=5, help="rounds per mode of the per-sample loop (default 5)")
    parser.add_argument("--out", type=Path, default=OUT)
    args = parser.parse_args()
    if not crashguard.needed() or crashguard.off_reason():
        sys.exit(f"no crash guard to measure here: {crashguard.off_reason() or 'this Python needs none'}")
    started = time.perf_counter()
    report = {"check": check_cost(), "per_sample": per_sample(args.rounds)}
    with tempfile.TemporaryDirectory(prefix="vmprof-bench-store-") as store:
        kernel = Kernel(Path(store), blas_threads=1)
        try:
            kernel.execute(SETUP + "\nFIB_REPS = 20\n")
            kernel.startup.append(SETUP)
            counts = calibrate(kernel, args.target, CELLS)
            kernel.startup.append("; ".join(f"{REPS_NAME[c]} = {n}" for c, n in counts.items()))
            report["cells"], raw = cells(kernel, args.reps)
        finally:
            kernel.shutdown()
    report.update(config=vars(args) | {"out": str(args.out), "repetition_counts": counts},
                  kernel_crashes=kernel.crashes, raw=raw, runtime_s=time.perf_counter() - started,
                  python=sys.version.split()[0], loadavg=os.getloadavg())
    args.out.parent.mkdir(parents=True, exist_ok=True)
    args.out.write_text(json.dumps(report, indent=1, default=str))
    print(render(report), end="")
    print(f"\nWrote {args.out} in {report['runtime_s']:.0f} s.")


if __name__ == "__main__":
    main()
