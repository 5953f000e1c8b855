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
reading: docs/benchmarks.md.
"""
from __future__ import annotations

import argparse
import json
import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from overhead_kernel import Kernel, KernelDied
from overhead_pyspy import PySpyRecord
from overhead_report import overhead, render

HERE = Path(__file__).resolve().parent
OUT = HERE / "out" / "overhead.json"
MODES = ("plain", "vmprof_raw", "vmprof", "prun", "pyinstrument", "pyspy")
CELLS = ("python", "numpy", "numba")
AIM_PCT = 5.0

SETUP = f"""
import sys, time, random
sys.path.insert(0, {str(HERE)!r})
import overhead_probe as _bp
_bp.install(get_ipython())
%load_ext jupyterlab_vmprof
try:
    %load_ext pyinstrument
except Exception as _err:
    print('pyinstrument extension not loaded:', _err)
_bench_has_pyinstrument_magic = 'pyinstrument' in get_ipython().magics_manager.magics['cell']
from pyinstrument import Profiler as _BenchProfiler

import numpy as np
from numba import njit

def fib(n):
    return n if n < 2 else fib(n - 1) + fib(n - 2)

_rng = random.Random(0)
words = [''.join(_rng.choice('abcdefghijklmnopqrstuvwxyz') for _ in range(_rng.randint(3, 12))) for _ in range(20000)]

def word_key(word):
    return (word[-1], len(word), word)

_nrng = np.random.default_rng(0)
mat_a = _nrng.random((400, 400))
mat_b = _nrng.random((400, 400))

@njit
def nb_loop(x):
    total = 0.0
    for i in range(x.shape[0]):
        v = x[i]
        total += v * v - 0.5 * v
    return total

@njit
def nb_tiny(x):
    return x + 1.0

nb_data = _nrng.random(50000)
nb_loop(nb_data)
nb_tiny(1.0)

PY_REPS, NP_REPS, NB_REPS = 10, 50, 2000
"""

# Each body times itself; the magic line (if any) goes on top.
WORK = {
    "python": """for _ in range(PY_REPS):
    fib(20)
    sorted(words, key=word_key)""",
    "numpy": """for _ in range(NP_REPS):
    mat_c = mat_a @ mat_b
    mat_c = mat_c @ mat_a""",
    "numba": """for _ in range(NB_REPS):
    nb_total = nb_loop(nb_data)""",
}
REPS_NAME = {"python": "PY_REPS", "numpy": "NP_REPS", "numba": "NB_REPS"}


def body(cell: str) -> str:
    return (f"_bench_c0 = time.process_time()\n_bench_t0 = time.perf_counter()\n{WORK[cell]}\n"
            "_bench_body = time.perf_counter() - _bench_t0\n_bench_cpu = time.process_time() - _bench_c0\n")


def _indent(text: str) -> str:
    return "".join("    " + line + "\n" for line in text.splitlines())


def source(cell: str, mode: str, has_pyinstrument_magic: bool = True, vmprof_options: str = "") -> str:
    text = body(cell)
    if mode in ("plain", "pyspy"):  # py-spy samples a plain cell from outside the kernel
        return text
    if mode == "vmprof_raw":  # vmprof's own cost: its enable and disable around the body, nothing else
        return f"_bp.raw_vmprof_start()\ntry:\n{_indent(text)}finally:\n    _bp.raw_vmprof_stop()\n"
    if mode == "vmprof":
        return f"%%vmprof {vmprof_options}".rstrip() + "\n" + text
    if mode == "prun":
        return "%%prun -q\n" + text
    if mode == "pyinstrument":
        if has_pyinstrument_magic:
            return "%%pyinstrument\n" + text
        return (
            "_bench_pi = _BenchProfiler(interval=0.001)\n_bench_pi.start()\ntry:\n"
            f"{_indent(text)}finally:\n    _bench_pi.stop()\n_bench_pi.output_text()\n"
        )
    raise ValueError(mode)


TIMES = {"body": "_bench_body", "cell": "_bp.last_cell", "body_cpu": "_bench_cpu", "cell_cpu": "_bp.last_cell_cpu"}
MEASURES = ("body", "cell", "e2e", "body_cpu", "cell_cpu")


def run_cell(kernel: Kernel, code: str, extra: dict | None = None) -> dict:
    result = kernel.execute(code, dict(TIMES, **(extra or {})))
    values = result["values"]
    if values["body"] is None:
        raise RuntimeError(f"the cell did not record its body time:\n{code}\n{result['stdout']}")
    row = {"body": values["body"], "cell": values["cell"], "e2e": result["e2e"],
           "body_cpu": values["body_cpu"], "cell_cpu": values["cell_cpu"]}
    for key in extra or {}:
        row[key] = values[key]
    return row


def attempt(kernel: Kernel, code: str, extra: dict | None = None, meta: bool = False, pyspy: bool = False,
            **where) -> dict | None:
    """run_cell, or None if the cell killed the kernel (recorded, kernel restarted).

    pyspy: py-spy attached to the kernel from before the request until after the reply.

    meta: also fetch the profile's meta.json, in a request of its own after the timed one:
    its sample count is written by the summary thread after the cell's reply, and waiting
    for it inside the timed request would count the summary again.
    """
    try:
        if pyspy:
            record = PySpyRecord(kernel.pid)
            record.start()
            try:
                row = run_cell(kernel, code, extra)
            finally:
                row_samples = record.stop()
            row["pyspy_samples"] = row_samples
        else:
            row = run_cell(kernel, code, extra)
        if meta:
            row["meta"] = kernel.value("_bp.latest_meta(wait=True)")
        return row
    except KernelDied as err:
        kernel.crashes.append(dict(where, error=str(err), code_head=code.splitlines()[0]))
        print(f"  !! {err} during {where}; restarting the kernel", file=sys.stderr)
        kernel.restart()
        return None


def med(values) -> float | None:
    values = [v for v in values if v is not None]
    return statistics.median(values) if values else None


def calibrate(kernel: Kernel, target: float) -> dict:
    """Repetition counts giving about `target` seconds of plain body per cell."""
    counts = {}
    for cell in CELLS:
        name = REPS_NAME[cell]
        run_cell(kernel, source(cell, "plain"))  # first run: caches, page faults
        reps = kernel.value(name)
        for _ in range(3):
            elapsed = run_cell(kernel, source(cell, "plain"))["body_cpu"]  # CPU: less hurt by other processes
            reps = max(1, round(reps * target / elapsed))
            kernel.execute(f"{name} = {reps}")
            if abs(elapsed - target) < 0.1 * target:
                break
        counts[cell] = reps
    return counts


def summary(values: list[float]) -> dict:
    return {"median": med(values), "min": min(values) if values else None, "n": len(values)}


def main_benchmark(kernel: Kernel, args, has_pi_magic: bool) -> tuple[dict, list]:
    print(f"warm-up: {args.warmup} run(s) of every cell x mode", file=sys.stderr)
    for _ in range(args.warmup):
        for cell in CELLS:
            for mode in MODES:
                attempt(kernel, source(cell, mode, has_pi_magic), pyspy=mode == "pyspy",
                        phase="warm-up", cell=cell, mode=mode)
    raw = []
    for rep in range(args.reps):
        for cell in CELLS:
            order = MODES[rep % len(MODES):] + MODES[: rep % len(MODES)]
            for mode in order:
                row = attempt(kernel, source(cell, mode, has_pi_magic), meta=mode == "vmprof",
                              pyspy=mode == "pyspy", phase="measure", cell=cell, mode=mode, rep=rep)
                if row is not None:
                    row.update(cell_name=cell, mode=mode, rep=rep)
                    raw.append(row)
        print(f"  repetition {rep + 1}/{args.reps} done", file=sys.stderr)
    table = {}
    for cell in CELLS:
        table[cell] = {}
        for mode in MODES:
            rows = [r for r in raw if r["cell_name"] == cell and r["mode"] == mode]
            table[cell][mode] = {measure: summary([r[measure] for r in rows]) for measure in MEASURES}
            # Time a mode adds around the body within the same run: immune to run-to-run noise in the body.
            table[cell][mode]["around_cell"] = summary([r["cell"] - r["body"] for r in rows])
            table[cell][mode]["around_e2e"] = summary([r["e2e"] - r["body"] for r in rows])
            if mode == "vmprof":
                metas = [r["meta"] for r in rows if r.get("meta")]
                table[cell][mode]["samples_median"] = statistics.median(m["samples"] or 0 for m in metas) if metas else None
                table[cell][mode]["profile_bytes_median"] = (
                    statistics.median(m["profile_bytes"] or 0 for m in metas) if metas else None)
                table[cell][mode]["warnings"] = sorted({w for m in metas for w in (m.get("warnings") or [])})
            if mode == "pyspy":
                table[cell][mode]["pyspy_samples_median"] = med(r.get("pyspy_samples") for r in rows)
        for mode in MODES:  # paired: each repetition's run against the same repetition's plain run
            for measure in MEASURES:
                ratios = []
                for rep in range(args.reps):
                    base = [r[measure] for r in raw if r["cell_name"] == cell and r["mode"] == "plain" and r["rep"] == rep]
                    this = [r[measure] for r in raw if r["cell_name"] == cell and r["mode"] == mode and r["rep"] == rep]
                    if base and this:
                        ratios.append(overhead(this[0], base[0]))
                table[cell][mode][measure]["overhead_pct_paired_median"] = med(ratios)
        plain = table[cell]["plain"]
        for mode in MODES:
            for measure in MEASURES:
                stats = table[cell][mode][measure]
                stats["overhead_pct_median"] = overhead(stats["median"], plain[measure]["median"])
                stats["overhead_pct_min"] = overhead(stats["min"], plain[measure]["min"])
            # Noise-robust estimate for a cell of this size: sampling cost from the best body CPU times,
            # plus the median time added around the body (relative to the plain body's best wall time).
            this = table[cell][mode]
            sampling = overhead(this["body_cpu"]["min"], plain["body_cpu"]["min"])
            if None in (sampling, this["around_e2e"]["median"], plain["around_e2e"]["median"], plain["body"]["min"]):
                this["estimate"] = {"sampling_pct": None, "added_s": None, "added_pct": None, "total_pct": None}
                continue  # every run of this mode killed the kernel
            added = this["around_e2e"]["median"] - plain["around_e2e"]["median"]
            this["estimate"] = {"sampling_pct": sampling, "added_s": added,
                                "added_pct": 100.0 * added / plain["body"]["min"],
                                "total_pct": sampling + 100.0 * added / plain["body"]["min"]}
    return table, raw


def breakdown(kernel: Kernel, args, counts: dict) -> dict:
    """Where %%vmprof's time goes: timed parts, native vs not, empty cell, trampolines."""
    result: dict = {"parts": {}, "parts_no_native": {}, "native": {}, "empty_cell": {}, "micro": {}}
    wrap = "_bp.wrap_vmprof_parts()"
    labels = kernel.value(wrap)
    kernel.startup.append(wrap)  # a restarted kernel gets the wrappers again
    result["labels"] = labels

    def parts_median(runs: list) -> dict:
        return {label: med(run.get(label, [0.0])[0] for run in runs) for label in labels}

    print("breakdown: timed parts of %%vmprof, native vs --no-native", file=sys.stderr)
    try:
        for cell in CELLS:
            variants = {
                "plain": source(cell, "plain"),
                "vmprof": source(cell, "vmprof"),
                "vmprof --no-native": source(cell, "vmprof", vmprof_options="--no-native"),
            }
            rows: dict = {name: [] for name in variants}
            for rep in range(args.breakdown_reps):
                for name, code in variants.items():
                    row = attempt(kernel, code, {"parts": "_bp.parts()"}, meta=name != "plain",
                                  phase="breakdown", cell=cell, variant=name, rep=rep)
                    if row is not None:
                        rows[name].append(row)
            result["native"][cell] = {
                name: {
                    "runs": len(rs),
                    "body_median": med(r["body"] for r in rs),
                    "body_cpu_median": med(r["body_cpu"] for r in rs),
                    "cell_median": med(r["cell"] for r in rs),
                    "e2e_median": med(r["e2e"] for r in rs),
                    "samples_median": (med((r["meta"] or {}).get("samples") for r in rs) if name != "plain" else None),
                    "profile_bytes_median": (med((r["meta"] or {}).get("profile_bytes") for r in rs)
                                             if name != "plain" else None),
                }
                for name, rs in rows.items()
            }
            result["parts"][cell] = parts_median([r["parts"] for r in rows["vmprof"]])
            result["parts_no_native"][cell] = parts_median([r["parts"] for r in rows["vmprof --no-native"]])
            result["parts"][cell]["(cell, pre_run_cell..post_run_cell)"] = med(r["cell"] for r in rows["vmprof"])
            result["parts"][cell]["(body, inside the cell)"] = med(r["body"] for r in rows["vmprof"])
        # Fixed cost: an empty cell.
        empty = {"plain": "_bench_body = 0.0\n", "vmprof": "%%vmprof\n_bench_body = 0.0\n"}
        runs: dict = {name: [] for name in empty}
        for rep in range(max(3, args.breakdown_reps)):
            for name, code in empty.items():
                # meta=True lets the summary finish untimed: the fixed cost, not a wait for the last summary.
                row = attempt(kernel, code, {"parts": "_bp.parts()"}, meta=name != "plain",
                              phase="breakdown", cell="empty", variant=name, rep=rep)
                if row is not None:
                    runs[name].append(row)
        result["empty_cell"] = {
            name: {"cell_median": med(r["cell"] for r in rs), "e2e_median": med(r["e2e"] for r in rs)}
            for name, rs in runs.items()
        }
        result["empty_cell"]["vmprof_parts"] = parts_median([r["parts"] for r in runs["vmprof"]])
        kernel.execute("_bp.unwrap()")
        kernel.startup.remove(wrap)
        result["micro"]["trampoline"] = kernel.value("_bp.trampoline_cost(nb_tiny, 1.0)")
        result["micro"]["trampoline_loop"] = kernel.value(
            f"_bp.trampoline_cost(nb_loop, nb_data, calls={counts['numba']}, rounds=3)")
        result["micro"]["node_startup_s"] = kernel.value("_bp.node_startup()")
        result["micro"]["enable_disable"] = kernel.value("_bp.enable_cost()")
        result["micro"]["sampling_rate"] = kernel.value("_bp.sampling_rate()")
        result["micro"]["disable_vs_heap"] = kernel.value("_bp.disable_vs_heap()")
        # What grows with the profile: one long Python cell (last: the most likely to crash).
        if args.long_factor > 1:
            print(f"breakdown: one %%vmprof run of the python cell x{args.long_factor}", file=sys.stderr)
            kernel.execute(wrap)
            kernel.startup.append(wrap)
            kernel.execute(f"PY_REPS = PY_REPS * {args.long_factor}")
            row = attempt(kernel, source("python", "vmprof"), {"parts": "_bp.parts()"}, meta=True,
                          phase="breakdown", cell="python", variant=f"vmprof x{args.long_factor}")
            result["long_cell"] = {"factor": args.long_factor, "crashed": row is None}
            if row is not None:
                result["long_cell"].update(body=row["body"], body_cpu=row["body_cpu"], cell=row["cell"], e2e=row["e2e"],
                                           meta=row["meta"],
                                           parts={label: row["parts"].get(label, [0.0])[0] for label in labels})
    finally:
        if wrap in kernel.startup:
            kernel.startup.remove(wrap)
    return result


# ---------------------------------------------------------------------------------
# Reporting

def uptime() -> str:
    """`uptime`'s line: how busy the shared machine was."""
    try:
        return subprocess.run(["uptime"], capture_output=True, text=True, check=False).stdout.strip()
    except OSError:
        return "load average: " + ", ".join(f"{v:.2f}" for v in os.getloadavg())


def main() -> None:
    global MODES  # --modes narrows the run
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--reps", type=int, default=5, help="measured repetitions of every cell x mode (default 5)")
    parser.add_argument("--warmup", type=int, default=1, help="warm-up runs of every cell x mode (default 1)")
    parser.add_argument("--target", type=float, default=1.0, help="plain body seconds per cell (default 1.0)")
    parser.add_argument("--breakdown-reps", type=int, default=3, help="runs per variant in the breakdown (default 3)")
    parser.add_argument("--blas-threads", type=int, default=1,
                        help="BLAS threads in the kernel (default 1: a multi-threaded BLAS on a small shared machine "
                             "measures the scheduler, not the profiler; 0 = the library's default)")
    parser.add_argument("--long-factor", type=int, default=5,
                        help="the breakdown also runs the python cell this many times longer once (default 5; 1 = skip)")
    parser.add_argument("--no-breakdown", action="store_true", help="skip the %%vmprof cost breakdown")
    parser.add_argument("--modes", default=",".join(MODES),
                        help="comma-separated modes to run, plain always included (default: all of " + ",".join(MODES) + ")")
    parser.add_argument("--out", type=Path, default=OUT, help=f"JSON results (default {OUT})")
    args = parser.parse_args()
    MODES = ("plain",) + tuple(mode for mode in args.modes.split(",") if mode in MODES and mode != "plain")

    started = time.perf_counter()
    load_before = os.getloadavg()
    uptime_before = uptime()
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
            table, raw = main_benchmark(kernel, args, has_pi_magic)
            bd = None if args.no_breakdown else breakdown(kernel, args, counts)
        finally:
            kernel.shutdown()
    elapsed = time.perf_counter() - started

    report = {
        "config": {"reps": args.reps, "blas_threads": args.blas_threads or "library default", "warmup": args.warmup, "target_s": args.target,
                   "breakdown_reps": args.breakdown_reps, "repetition_counts": counts,
                   "pyinstrument": "magic" if has_pi_magic else "Profiler API", "aim_overhead_pct": AIM_PCT},
        "environment": environment,
        "table": table,
        "breakdown": bd,
        "kernel_crashes": kernel.crashes,
        "raw": raw,
        "runtime_s": elapsed,
        "loadavg_before_after": [load_before, os.getloadavg()],
        "uptime_before_after": [uptime_before, uptime()],
    }
    args.out.parent.mkdir(parents=True, exist_ok=True)
    args.out.write_text(json.dumps(report, indent=1))

    print(render(report), end="")
    print(f"\nWrote {args.out} in {elapsed:.0f} s.")


if __name__ == "__main__":
    main()
