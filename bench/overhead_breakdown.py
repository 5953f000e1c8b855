"""Where %%vmprof's time goes (bench/overhead.py, unless --no-breakdown).

Times the parts of %%vmprof by wrapping, for timing only, the functions the magic goes
through (overhead_probe.wrap_vmprof_parts; nothing in the package is changed on disk);
compares native and --no-native sampling; measures an empty cell, the micro-benchmarks of
overhead_micro.py, and one python cell --long-factor times longer.
"""

from __future__ import annotations

import sys

from overhead_cells import CELLS, source
from overhead_kernel import Kernel
from overhead_runs import attempt
from overhead_stats import med

WRAP = "_bp.wrap_vmprof_parts()"
PARTS = {"parts": "_bp.parts()"}


def breakdown(kernel: Kernel, args, counts: dict) -> dict:
    """Where %%vmprof's time goes: timed parts, native vs not, empty cell, trampolines."""
    result: dict = {"parts": {}, "parts_no_native": {}, "native": {}, "empty_cell": {}, "micro": {}}
    labels = kernel.value(WRAP)
    kernel.startup.append(WRAP)  # a restarted kernel gets the wrappers again
    result["labels"] = labels
    print("breakdown: timed parts of %%vmprof, native vs --no-native", file=sys.stderr)
    try:
        for cell in CELLS:
            rows = variant_runs(kernel, cell, args.breakdown_reps)
            result["native"][cell] = {name: variant_summary(name, rs) for name, rs in rows.items()}
            result["parts"][cell] = parts_median(labels, [r["parts"] for r in rows["vmprof"]])
            result["parts_no_native"][cell] = parts_median(labels, [r["parts"] for r in rows["vmprof --no-native"]])
            result["parts"][cell]["(cell, pre_run_cell..post_run_cell)"] = med(r["cell"] for r in rows["vmprof"])
            result["parts"][cell]["(body, inside the cell)"] = med(r["body"] for r in rows["vmprof"])
        result["empty_cell"] = empty_cell(kernel, max(3, args.breakdown_reps), labels)
        kernel.execute("_bp.unwrap()")
        kernel.startup.remove(WRAP)
        result["micro"] = micro(kernel, counts)
        # What grows with the profile: one long Python cell (last: the most likely to crash).
        if args.long_factor > 1:
            kernel.execute(WRAP)
            kernel.startup.append(WRAP)
            result["long_cell"] = long_cell(kernel, args.long_factor, labels)
    finally:
        if WRAP in kernel.startup:
            kernel.startup.remove(WRAP)
    return result


def parts_median(labels: list, runs: list) -> dict:
    return {label: med(run.get(label, [0.0])[0] for run in runs) for label in labels}


def variant_runs(kernel: Kernel, cell: str, reps: int) -> dict:
    """The rows of `reps` runs of the cell plain, under %%vmprof and under %%vmprof --no-native."""
    variants = {
        "plain": source(cell, "plain"),
        "vmprof": source(cell, "vmprof"),
        "vmprof --no-native": source(cell, "vmprof", vmprof_options="--no-native"),
    }
    rows: dict = {name: [] for name in variants}
    for rep in range(reps):
        for name, code in variants.items():
            row = attempt(
                kernel, code, PARTS, meta=name != "plain", phase="breakdown", cell=cell, variant=name, rep=rep
            )
            if row is not None:
                rows[name].append(row)
    return rows


def variant_summary(name: str, rows: list) -> dict:
    profiled = name != "plain"
    return {
        "runs": len(rows),
        "body_median": med(r["body"] for r in rows),
        "body_cpu_median": med(r["body_cpu"] for r in rows),
        "cell_median": med(r["cell"] for r in rows),
        "e2e_median": med(r["e2e"] for r in rows),
        "samples_median": med((r["meta"] or {}).get("samples") for r in rows) if profiled else None,
        "profile_bytes_median": med((r["meta"] or {}).get("profile_bytes") for r in rows) if profiled else None,
    }


def empty_cell(kernel: Kernel, reps: int, labels: list) -> dict:
    """The fixed cost: an empty cell, plain and under %%vmprof, with the parts of the latter."""
    empty = {"plain": "_bench_body = 0.0\n", "vmprof": "%%vmprof\n_bench_body = 0.0\n"}
    runs: dict = {name: [] for name in empty}
    for rep in range(reps):
        for name, code in empty.items():
            # meta=True lets the summary finish untimed: the fixed cost, not a wait for the last summary.
            row = attempt(
                kernel, code, PARTS, meta=name != "plain", phase="breakdown", cell="empty", variant=name, rep=rep
            )
            if row is not None:
                runs[name].append(row)
    result: dict = {
        name: {"cell_median": med(r["cell"] for r in rs), "e2e_median": med(r["e2e"] for r in rs)}
        for name, rs in runs.items()
    }
    result["vmprof_parts"] = parts_median(labels, [r["parts"] for r in runs["vmprof"]])
    return result


def micro(kernel: Kernel, counts: dict) -> dict:
    """overhead_micro.py's measurements, run in the kernel (the parts unwrapped)."""
    return {
        "trampoline": kernel.value("_bm.trampoline_cost(nb_tiny, 1.0)"),
        "trampoline_loop": kernel.value(f"_bm.trampoline_cost(nb_loop, nb_data, calls={counts['numba']}, rounds=3)"),
        "node_startup_s": kernel.value("_bm.node_startup()"),
        "enable_disable": kernel.value("_bm.enable_cost()"),
        "sampling_rate": kernel.value("_bm.sampling_rate()"),
        "disable_vs_heap": kernel.value("_bm.disable_vs_heap()"),
    }


def long_cell(kernel: Kernel, factor: int, labels: list) -> dict:
    """One %%vmprof run of the python cell `factor` times longer (the parts wrapped)."""
    print(f"breakdown: one %%vmprof run of the python cell x{factor}", file=sys.stderr)
    kernel.execute(f"PY_REPS = PY_REPS * {factor}")
    row = attempt(
        kernel,
        source("python", "vmprof"),
        PARTS,
        meta=True,
        phase="breakdown",
        cell="python",
        variant=f"vmprof x{factor}",
    )
    result = {"factor": factor, "crashed": row is None}
    if row is not None:
        parts = {label: row["parts"].get(label, [0.0])[0] for label in labels}
        result.update(body=row["body"], body_cpu=row["body_cpu"], cell=row["cell"], e2e=row["e2e"], meta=row["meta"])
        result.update(parts=parts)
    return result
