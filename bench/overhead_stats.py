"""The tables of bench/overhead.py, from its raw rows (one per run of a cell in a mode):
medians and minima per cell and mode, overheads against the plain runs, and the
noise-robust estimate. Pure: rows in, numbers out (overhead_report.py renders them).
"""

from __future__ import annotations

import statistics

from overhead_report import overhead

MEASURES = ("body", "cell", "e2e", "body_cpu", "cell_cpu")


def med(values) -> float | None:
    values = [v for v in values if v is not None]
    return statistics.median(values) if values else None


def summary(values: list[float]) -> dict:
    return {"median": med(values), "min": min(values) if values else None, "n": len(values)}


def tabulate(raw: list, cells: tuple, modes: tuple, reps: int) -> dict:
    """{cell: {mode: stats}} from the raw rows of the interleaved runs."""
    table = {}
    for cell in cells:
        rows = [r for r in raw if r["cell_name"] == cell]
        table[cell] = {mode: mode_stats([r for r in rows if r["mode"] == mode], mode) for mode in modes}
        for mode in modes:
            add_paired_overheads(table[cell][mode], rows, mode, reps)
        plain = table[cell]["plain"]
        for mode in modes:
            add_overheads(table[cell][mode], plain)
    return table


def mode_stats(rows: list, mode: str) -> dict:
    """Every measure's median and minimum over the runs of one cell in one mode."""
    stats = {measure: summary([r[measure] for r in rows]) for measure in MEASURES}
    # Time a mode adds around the body within the same run: immune to run-to-run noise in the body.
    stats["around_cell"] = summary([r["cell"] - r["body"] for r in rows])
    stats["around_e2e"] = summary([r["e2e"] - r["body"] for r in rows])
    if mode == "vmprof":
        metas = [r["meta"] for r in rows if r.get("meta")]
        stats["samples_median"] = statistics.median(m["samples"] or 0 for m in metas) if metas else None
        stats["profile_bytes_median"] = statistics.median(m["profile_bytes"] or 0 for m in metas) if metas else None
        stats["warnings"] = sorted({w for m in metas for w in (m.get("warnings") or [])})
    if mode == "pyspy":
        stats["pyspy_samples_median"] = med(r.get("pyspy_samples") for r in rows)
    return stats


def add_paired_overheads(stats: dict, rows: list, mode: str, reps: int) -> None:
    """Each repetition's run against the same repetition's plain run, median over repetitions."""
    for measure in MEASURES:
        ratios = []
        for rep in range(reps):
            base = [r[measure] for r in rows if r["mode"] == "plain" and r["rep"] == rep]
            this = [r[measure] for r in rows if r["mode"] == mode and r["rep"] == rep]
            if base and this:
                ratios.append(overhead(this[0], base[0]))
        stats[measure]["overhead_pct_paired_median"] = med(ratios)


def add_overheads(stats: dict, plain: dict) -> None:
    """Overheads of the medians and minima against plain's, and the estimate."""
    for measure in MEASURES:
        stats[measure]["overhead_pct_median"] = overhead(stats[measure]["median"], plain[measure]["median"])
        stats[measure]["overhead_pct_min"] = overhead(stats[measure]["min"], plain[measure]["min"])
    stats["estimate"] = estimate(stats, plain)


def estimate(stats: dict, plain: dict) -> dict:
    """Noise-robust estimate for a cell of this size: sampling cost from the best body CPU times,
    plus the median time added around the body (relative to the plain body's best wall time)."""
    sampling = overhead(stats["body_cpu"]["min"], plain["body_cpu"]["min"])
    if None in (sampling, stats["around_e2e"]["median"], plain["around_e2e"]["median"], plain["body"]["min"]):
        # every run of this mode killed the kernel
        return {"sampling_pct": None, "added_s": None, "added_pct": None, "total_pct": None}
    added = stats["around_e2e"]["median"] - plain["around_e2e"]["median"]
    return {
        "sampling_pct": sampling,
        "added_s": added,
        "added_pct": 100.0 * added / plain["body"]["min"],
        "total_pct": sampling + 100.0 * added / plain["body"]["min"],
    }
