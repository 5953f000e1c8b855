"""Running bench/overhead.py's cells in its kernel: one cell and its times, a cell that may
kill the kernel, the calibration of the cells' lengths, and the interleaved runs of every
cell in every mode.
"""

from __future__ import annotations

import sys

from overhead_cells import CELLS, REPS_NAME, source
from overhead_kernel import Kernel, KernelDied
from overhead_pyspy import PySpyRecord
from overhead_stats import tabulate

TIMES = {"body": "_bench_body", "cell": "_bp.last_cell", "body_cpu": "_bench_cpu", "cell_cpu": "_bp.last_cell_cpu"}


def run_cell(kernel: Kernel, code: str, extra: dict | None = None) -> dict:
    result = kernel.execute(code, dict(TIMES, **(extra or {})))
    values = result["values"]
    if values["body"] is None:
        raise RuntimeError(f"the cell did not record its body time:\n{code}\n{result['stdout']}")
    row = {
        "body": values["body"],
        "cell": values["cell"],
        "e2e": result["e2e"],
        "body_cpu": values["body_cpu"],
        "cell_cpu": values["cell_cpu"],
    }
    for key in extra or {}:
        row[key] = values[key]
    return row


def attempt(
    kernel: Kernel, code: str, extra: dict | None = None, meta: bool = False, pyspy: bool = False, **where
) -> dict | None:
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


def calibrate(kernel: Kernel, target: float, cells: tuple = CELLS) -> dict:
    """Repetition counts giving about `target` seconds of plain body per cell."""
    counts = {}
    for cell in cells:
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


def main_benchmark(kernel: Kernel, args, has_pi_magic: bool, modes: tuple) -> tuple[dict, list]:
    """Every cell in every mode: a warm-up, then --reps interleaved repetitions; the table and the raw rows."""
    print(f"warm-up: {args.warmup} run(s) of every cell x mode", file=sys.stderr)
    for _ in range(args.warmup):
        for cell in CELLS:
            for mode in modes:
                attempt(
                    kernel,
                    source(cell, mode, has_pi_magic),
                    pyspy=mode == "pyspy",
                    phase="warm-up",
                    cell=cell,
                    mode=mode,
                )
    raw = []
    for rep in range(args.reps):
        raw += repetition(kernel, rep, has_pi_magic, modes)
        print(f"  repetition {rep + 1}/{args.reps} done", file=sys.stderr)
    return tabulate(raw, CELLS, modes, args.reps), raw


def repetition(kernel: Kernel, rep: int, has_pi_magic: bool, modes: tuple) -> list:
    """Every mode of each cell back to back, in an order rotated by `rep`: noise spreads over the modes."""
    rows = []
    for cell in CELLS:
        order = modes[rep % len(modes) :] + modes[: rep % len(modes)]
        for mode in order:
            row = attempt(
                kernel,
                source(cell, mode, has_pi_magic),
                meta=mode == "vmprof",
                pyspy=mode == "pyspy",
                phase="measure",
                cell=cell,
                mode=mode,
                rep=rep,
            )
            if row is not None:
                row.update(cell_name=cell, mode=mode, rep=rep)
                rows.append(row)
    return rows
