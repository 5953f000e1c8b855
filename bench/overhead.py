"""What %%vmprof costs a cell, next to %%prun and pyinstrument, in a real kernel.

    .venv/bin/python bench/overhead.py [--reps 5] [--target 1.0] [--no-breakdown]

Starts an ipykernel with jupyter_client (profile store in a temporary folder via
JUPYTERLAB_VMPROF_STORE), loads jupyterlab_vmprof and pyinstrument, and runs three
cells of about --target seconds each:

  python  recursive fib + a sort with a key function
  numpy   matrix products
  numba   an @njit loop called many times (compiled in the setup cell)

in six modes: plain; vmprof's own cost (vmprof.enable/vmprof.disable around the
body, nothing else); %%vmprof (default period); %%prun -q (cProfile); %%pyinstrument
(or pyinstrument's Profiler API if the magic is missing); and py-spy attached to the
kernel from outside (`py-spy record -p <kernel pid> -r 1000`, overhead_pyspy.py). After a
warm-up, --reps repetitions run interleaved (each repetition runs every mode of a
cell back to back, in a rotating order) so that machine noise spreads over the modes.

Three times per run:
  body  perf_counter around the cell's own code, inside the cell (profiler
        running; excludes starting/stopping it)
  cell  the kernel's pre_run_cell..post_run_cell of the top-level cell: the body
        plus everything the magic does around it (enable, disable and symbol
        dump, meta.json, display message; the converter summary runs in a
        thread after the cell unless --wait-summary)
  e2e   client side, execute_request sent .. execute_reply received

plus the kernel process's CPU time (process_time) of body and cell: on a small,
shared machine wall times swing with other processes, CPU times much less. As
the noise-robust summary it reports, per run, the time a mode adds AROUND the
body (e2e - body, same run) and the in-body cost from the best CPU times.

Then (unless --no-breakdown) it times the parts of %%vmprof by wrapping, for
timing only, the functions the magic goes through (nothing in the package is
changed on disk); compares native and --no-native sampling; measures an empty
cell, vmprof.enable/disable alone, the real sampling rate, disable against heap
size, node's start-up, the Numba trampoline per call, and one cell --long-factor
times longer.

vmprof 0.6.0 can kill the kernel (SIGSEGV, see docs/kernel.md) on the python
cell (sorted with a key function): such runs are recorded under
"kernel_crashes", the kernel is restarted and the benchmark goes on.

Prints markdown tables and writes bench/out/overhead.json. Results and their
reading: docs/benchmarks.md. The parts: overhead_cells.py (the cells), overhead_runs.py
(running them), overhead_stats.py (the tables), overhead_breakdown.py, overhead_report.py
(the markdown); in the kernel overhead_probe.py and overhead_micro.py.
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from overhead_breakdown import breakdown
from overhead_cells import MODES, REPS_NAME, SETUP
from overhead_kernel import Kernel
from overhead_report import render
from overhead_runs import calibrate, main_benchmark

HERE = Path(__file__).resolve().parent
OUT = HERE / "out" / "overhead.json"
AIM_PCT = 5.0


def uptime() -> str:
    """`uptime`'s line: how busy the shared machine was."""
    try:
        return subprocess.run(["uptime"], capture_output=True, text=True, check=False).stdout.strip()
    except OSError:
        return "load average: " + ", ".join(f"{v:.2f}" for v in os.getloadavg())


def parse_args() -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--reps", type=int, default=5, help="measured repetitions of every cell x mode (default 5)")
    parser.add_argument("--warmup", type=int, default=1, help="warm-up runs of every cell x mode (default 1)")
    parser.add_argument("--target", type=float, default=1.0, help="plain body seconds per cell (default 1.0)")
    parser.add_argument("--breakdown-reps", type=int, default=3, help="runs per variant in the breakdown (default 3)")
    parser.add_argument(
        "--blas-threads",
        type=int,
        default=1,
        help="BLAS threads in the kernel (default 1: a multi-threaded BLAS on a small shared machine "
        "measures the scheduler, not the profiler; 0 = the library's default)",
    )
    parser.add_argument(
        "--long-factor",
        type=int,
        default=5,
        help="the breakdown also runs the python cell this many times longer once (default 5; 1 = skip)",
    )
    parser.add_argument("--no-breakdown", action="store_true", help="skip the %%vmprof cost breakdown")
    parser.add_argument(
        "--modes",
        default=",".join(MODES),
        help="comma-separated modes to run, plain always included (default: all of " + ",".join(MODES) + ")",
    )
    parser.add_argument("--out", type=Path, default=OUT, help=f"JSON results (default {OUT})")
    return parser.parse_args()


def run(args: argparse.Namespace, modes: tuple) -> dict:
    """The whole benchmark in one kernel (store in a temporary folder): the report, without the timing."""
    with tempfile.TemporaryDirectory(prefix="vmprof-bench-store-") as store:
        kernel = Kernel(Path(store), args.blas_threads)
        try:
            setup = kernel.execute(SETUP)
            kernel.startup.append(SETUP)
            if setup["stdout"].strip():
                print(setup["stdout"], file=sys.stderr)
            has_pi_magic = kernel.value("_bench_has_pyinstrument_magic")
            environment = kernel.value("_bp.environment()")
            print("calibrating", file=sys.stderr)
            counts = calibrate(kernel, args.target)
            kernel.startup.append("; ".join(f"{REPS_NAME[c]} = {n}" for c, n in counts.items()))
            table, raw = main_benchmark(kernel, args, has_pi_magic, modes)
            bd = None if args.no_breakdown else breakdown(kernel, args, counts)
        finally:
            kernel.shutdown()
    return {
        "config": {
            "reps": args.reps,
            "blas_threads": args.blas_threads or "library default",
            "warmup": args.warmup,
            "target_s": args.target,
            "breakdown_reps": args.breakdown_reps,
            "repetition_counts": counts,
            "pyinstrument": "magic" if has_pi_magic else "Profiler API",
            "aim_overhead_pct": AIM_PCT,
        },
        "environment": environment,
        "table": table,
        "breakdown": bd,
        "kernel_crashes": kernel.crashes,
        "raw": raw,
    }


def main() -> None:
    args = parse_args()
    modes = ("plain",) + tuple(mode for mode in args.modes.split(",") if mode in MODES and mode != "plain")
    started = time.perf_counter()
    load_before = os.getloadavg()
    uptime_before = uptime()
    report = run(args, modes)
    elapsed = time.perf_counter() - started
    report.update(
        runtime_s=elapsed,
        loadavg_before_after=[load_before, os.getloadavg()],
        uptime_before_after=[uptime_before, uptime()],
    )
    args.out.parent.mkdir(parents=True, exist_ok=True)
    args.out.write_text(json.dumps(report, indent=1))

    print(render(report), end="")
    print(f"\nWrote {args.out} in {elapsed:.0f} s.")


if __name__ == "__main__":
    main()
