"""Markdown tables from bench/overhead.py's JSON results (one renderer, also usable alone):

    .venv/bin/python bench/overhead_report.py [bench/out/overhead.json]
"""
from __future__ import annotations

import json
import sys
from pathlib import Path

CELLS = ("python", "numpy", "numba")
MODES = ("plain", "vmprof_raw", "vmprof", "prun", "pyinstrument", "pyspy")
LABELS = {"plain": "plain", "vmprof_raw": "vmprof (raw enable/disable)", "vmprof": "%%vmprof", "prun": "%%prun -q",
          "pyinstrument": "%%pyinstrument", "pyspy": "py-spy record -p (attached)"}


def overhead(value: float | None, base: float | None) -> float | None:
    if value is None or not base:
        return None
    return 100.0 * (value / base - 1.0)


def ms(seconds: float | None) -> str:
    return "n/a" if seconds is None else f"{seconds * 1000:.1f}"


def pct(value: float | None) -> str:
    return "n/a" if value is None else f"{value:+.1f}%"


def _ovh(mode: str, stats: dict) -> str:
    if mode == "plain":
        return "—"
    return f"{pct(stats['overhead_pct_median'])} / {pct(stats['overhead_pct_min'])}"


def markdown_table(table: dict, measures: tuple, titles: dict) -> str:
    head = "| cell | mode |" + "".join(f" {titles[m]} median ms | min ms | ovh med / min |" for m in measures)
    lines = [head, "|---|---|" + "---:|---:|---:|" * len(measures)]
    for cell, modes in table.items():
        for mode, stats in modes.items():
            row = f"| {cell} | {mode} |"
            for m in measures:
                row += f" {ms(stats[m]['median'])} | {ms(stats[m]['min'])} | {_ovh(mode, stats[m])} |"
            lines.append(row)
    return "\n".join(lines)


TITLES = {"body": "body", "cell": "cell", "e2e": "e2e", "body_cpu": "body CPU", "cell_cpu": "cell CPU"}


def breakdown_tables(bd: dict) -> str:
    cells = list(bd["parts"])
    long = bd.get("long_cell")
    crashed_long = bool(long and long.get("crashed"))
    if crashed_long:
        long = None
    head = "| part (inclusive, median ms) | " + " | ".join(cells) + " | " + " | ".join(f"{c} --no-native" for c in cells)
    head += " | empty cell |" + (f" python x{long['factor']} (1 run) |" if long else "")
    lines = [head, "|---|" + "---:|" * (2 * len(cells) + 1 + (1 if long else 0))]
    for label in bd["labels"] + ["(cell, pre_run_cell..post_run_cell)", "(body, inside the cell)"]:
        values = [bd["parts"][cell].get(label) for cell in cells]
        values += [bd.get("parts_no_native", {}).get(cell, {}).get(label) for cell in cells]
        values.append(bd["empty_cell"]["vmprof_parts"].get(label))
        if long:
            extra = {"(cell, pre_run_cell..post_run_cell)": long["cell"], "(body, inside the cell)": long["body"]}
            values.append(long["parts"].get(label, extra.get(label)))
        shown = label.replace("  ", "&nbsp;&nbsp;")
        lines.append(f"| {shown} | " + " | ".join(ms(v) if isinstance(v, float) else "" for v in values) + " |")
    if crashed_long:
        lines.append(f"\nThe long python cell (x{bd['long_cell']['factor']}) under %%vmprof KILLED THE KERNEL (see crashes).")
    if long:
        meta = long.get("meta") or {}
        lines.append(f"\nLong cell: {meta.get('samples')} samples, {(meta.get('profile_bytes') or 0) / 1024:.0f} KiB profile.")
    lines += ["", "| cell | variant | body ms | body ovh | body CPU ms | body CPU ovh | cell ms | e2e ms | samples | profile KiB |",
              "|---|---|---:|---:|---:|---:|---:|---:|---:|---:|"]
    for cell, variants in bd["native"].items():
        base, base_cpu = variants["plain"]["body_median"], variants["plain"]["body_cpu_median"]
        for name, v in variants.items():
            samples = "" if v["samples_median"] is None else f"{v['samples_median']:.0f}"
            size = "" if v["profile_bytes_median"] is None else f"{v['profile_bytes_median'] / 1024:.0f}"
            lines.append(f"| {cell} | {name} | {ms(v['body_median'])} | {pct(overhead(v['body_median'], base))} "
                         f"| {ms(v['body_cpu_median'])} | {pct(overhead(v['body_cpu_median'], base_cpu))} "
                         f"| {ms(v['cell_median'])} | {ms(v['e2e_median'])} | {samples} | {size} |")
    lines.append("")
    lines.append("(medians of the breakdown runs; plain and the two %%vmprof variants interleaved)")
    e = bd["empty_cell"]
    lines += ["", f"- Empty cell: plain {ms(e['plain']['cell_median'])} ms in the kernel / {ms(e['plain']['e2e_median'])} ms e2e; "
              f"%%vmprof {ms(e['vmprof']['cell_median'])} ms / {ms(e['vmprof']['e2e_median'])} ms."]
    micro = bd["micro"]
    ed = micro.get("enable_disable") or {}
    if "native" in ed:
        lines.append(f"- vmprof.enable / vmprof.disable alone, empty profile (best of 5): native "
                     f"{ms(ed['native']['enable_s'])} / {ms(ed['native']['disable_s'])} ms, Python-only "
                     f"{ms(ed['python_only']['enable_s'])} / {ms(ed['python_only']['disable_s'])} ms "
                     f"({ed['mapped_regions']} mapped regions in the kernel).")
    if "lean_native" in ed:
        lines.append(f"- leanvmprof.enable / leanvmprof.stop (what the magic uses), same conditions: native "
                     f"{ms(ed['lean_native']['enable_s'])} / {ms(ed['lean_native']['disable_s'])} ms, Python-only "
                     f"{ms(ed['lean_python_only']['enable_s'])} / {ms(ed['lean_python_only']['disable_s'])} ms.")
    heap = micro.get("disable_vs_heap") or {}
    if heap:
        lines.append(f"- vmprof.disable alone (Python-only, empty profile): {ms(heap['disable_before_s'])} ms with "
                     f"{heap['gc_tracked_before']} GC-tracked objects, {ms(heap['disable_after_s'])} ms after "
                     f"{heap['objects_added']} more small lists were made ({heap['gc_tracked_after']} tracked).")
    if "lean_stop_before_s" in heap:
        lines.append(f"- leanvmprof.stop, same conditions: {ms(heap['lean_stop_before_s'])} ms before, "
                     f"{ms(heap['lean_stop_after_s'])} ms after the extra lists.")
    rate = micro.get("sampling_rate") or {}
    if rate.get("per_cpu_second"):
        lines.append(f"- Samples actually taken at period 0.001: {rate['samples']} in {rate['cpu_s']:.2f} CPU s = "
                     f"{rate['per_cpu_second']:.0f} per CPU second.")
    t = micro.get("trampoline") or {}
    if "plain_s_per_call" in t:
        lines.append(f"- Numba dispatcher call (trivial function): {t['plain_s_per_call'] * 1e9:.0f} ns plain, "
                     f"{t['trampoline_s_per_call'] * 1e9:.0f} ns through the trampoline "
                     f"(+{(t['trampoline_s_per_call'] - t['plain_s_per_call']) * 1e9:.0f} ns per call).")
    t = micro.get("trampoline_loop") or {}
    if "plain_s_per_call" in t:
        lines.append(f"- The Numba cell's loop without vmprof, trampoline off / on: {t['plain_s_per_call'] * t['calls'] * 1000:.1f} / "
                     f"{t['trampoline_s_per_call'] * t['calls'] * 1000:.1f} ms ({t['calls']} calls).")
    if micro.get("node_startup_s") is not None:
        lines.append(f"- `node -e 0` start-up: {ms(micro['node_startup_s'])} ms (best of 3).")
    return "\n".join(lines)


def modes_of(table: dict) -> list:
    """The modes a saved report holds, in MODES order (older reports lack some)."""
    present = {mode for modes in table.values() for mode in modes}
    return [mode for mode in MODES if mode in present]


def in_body_table(table: dict) -> str:
    """Per cell and mode: body wall time min and median, and the cost inside the body against plain."""
    lines = ["| cell | mode | body min ms | body median ms | in-body cost, min vs min | paired median "
             "| body CPU min vs min | added around the body (e2e − body, median ms) |",
             "|---|---|---:|---:|---:|---:|---:|---:|"]
    for cell in table:
        for mode in modes_of(table):
            s = table[cell].get(mode)
            if s is None:
                continue
            body, cpu = s["body"], s["body_cpu"]
            costs = ("—", "—", "—") if mode == "plain" else (
                pct(body["overhead_pct_min"]), pct(body["overhead_pct_paired_median"]), pct(cpu["overhead_pct_min"]))
            lines.append(f"| {cell} | {LABELS.get(mode, mode)} | {ms(body['min'])} | {ms(body['median'])} | "
                         + " | ".join(costs) + f" | {ms(s['around_e2e']['median'])} |")
    return "\n".join(lines)


def vmprof_against_raw(table: dict) -> list:
    """%%vmprof's in-body cost minus raw vmprof's, in points (target: at most +1)."""
    out = []
    for cell, modes in table.items():
        if "vmprof_raw" not in modes:
            continue
        ours, raw = modes["vmprof"]["body"], modes["vmprof_raw"]["body"]
        if None in (ours["overhead_pct_min"], raw["overhead_pct_min"]):
            continue
        by_min = ours["overhead_pct_min"] - raw["overhead_pct_min"]
        by_paired = (ours["overhead_pct_paired_median"] or 0.0) - (raw["overhead_pct_paired_median"] or 0.0)
        verdict = "within" if max(by_min, by_paired) <= 1.0 else "ABOVE"
        out.append(f"- {cell}: %%vmprof in the body {by_min:+.1f} points over raw vmprof (min vs min), "
                   f"{by_paired:+.1f} (paired medians): {verdict} the +1 point target")
    return out


def render(report: dict) -> str:
    """The markdown bench/overhead.py prints, from its JSON report."""
    out: list[str] = []

    def emit(text: str = "", end: str = "\n", file=None) -> None:
        out.append(text + end)

    table, bd, environment = report["table"], report["breakdown"], report["environment"]
    config = report["config"]
    counts, aim = config["repetition_counts"], config["aim_overhead_pct"]
    (load_before, *_), (load_after, *_) = report["loadavg_before_after"]
    crashes = report["kernel_crashes"]
    emit(f"## Overhead per cell x mode ({config['reps']} interleaved repetitions, medians and minima)\n")
    emit(f"Environment: {json.dumps(environment)}; load average before/after "
          f"{load_before:.1f}/{load_after:.1f}; repetitions per cell {counts}; "
          f"pyinstrument via {'%%pyinstrument' if config['pyinstrument'] == 'magic' else 'Profiler API'}.\n")
    if report.get("uptime_before_after"):
        emit("uptime before / after: " + " / ".join(report["uptime_before_after"]) + "\n")
    emit("In the body, against plain (wall time; py-spy pauses the kernel from outside, so its cost shows in "
         "wall time, not in the kernel's CPU time):\n")
    emit(in_body_table(table))
    emit()
    for line in vmprof_against_raw(table):
        emit(line)
    emit()
    emit("Wall time (body: inside the cell; cell: kernel pre_run_cell..post_run_cell; e2e: client round trip):\n")
    emit(markdown_table(table, ("body", "cell", "e2e"), TITLES))
    emit("\nCPU time of the kernel process (process_time; less sensitive to other processes on the machine):\n")
    emit(markdown_table(table, ("body_cpu", "cell_cpu"), TITLES))
    emit()
    emit("Noise-robust view: time added around the body inside the same run, and the cost inside the body "
          "from the best CPU times (body CPU min vs plain's min):\n")
    emit("| cell | mode | cell − body median ms | e2e − body median / min ms | in-body cost (CPU, min vs min) "
          "| estimated e2e overhead |")
    emit("|---|---|---:|---:|---:|---:|")
    for cell in CELLS:
        for mode in modes_of(table):
            s = table[cell][mode]
            est = s["estimate"]
            emit(f"| {cell} | {mode} | {ms(s['around_cell']['median'])} | {ms(s['around_e2e']['median'])} / "
                  f"{ms(s['around_e2e']['min'])} | {pct(est['sampling_pct']) if mode != 'plain' else '—'} "
                  f"| {pct(est['total_pct']) if mode != 'plain' else '—'} |")
    emit("\n(estimated e2e overhead = in-body cost + (e2e − body, mode) − (e2e − body, plain) over the plain body's best time)\n")
    emit("Overhead vs plain, median over repetitions of (mode / plain of the same repetition) - 1:\n")
    emit("| cell | mode | e2e | cell (kernel) | body | cell CPU | body CPU |")
    emit("|---|---|---:|---:|---:|---:|---:|")
    for cell in CELLS:
        for mode in modes_of(table)[1:]:
            s = table[cell][mode]
            emit(f"| {cell} | {mode} | " + " | ".join(pct(s[m]["overhead_pct_paired_median"])
                                                   for m in ("e2e", "cell", "body", "cell_cpu", "body_cpu")) + " |")
    emit()
    for cell in CELLS:
        s = table[cell]["vmprof"]
        total = s["estimate"]["total_pct"]
        verdict = "unknown against" if total is None else ("within" if total <= aim else "ABOVE")
        emit(f"- {cell}: %%vmprof {verdict} the {aim:.0f}% aim — estimated {pct(s['estimate']['total_pct'])} "
              f"({ms(s['estimate']['added_s'])} ms added around the body, {pct(s['estimate']['sampling_pct'])} inside); "
              f"e2e {pct(s['e2e']['overhead_pct_paired_median'])}, "
              f"cell CPU {pct(s['cell_cpu']['overhead_pct_paired_median'])}, "
              f"body CPU {pct(s['body_cpu']['overhead_pct_paired_median'])} (paired medians); "
              f"~{s['samples_median']} samples, {(s['profile_bytes_median'] or 0) / 1024:.0f} KiB")
    if crashes:
        emit(f"\n**The kernel died {len(crashes)} time(s)** (restarted each time; those runs are left out):\n")
        for crash in crashes:
            emit(f"- {crash}")
    if bd:
        emit("\n## Where %%vmprof's time goes\n")
        emit(breakdown_tables(bd))
    return "".join(out)


if __name__ == "__main__":
    path = Path(sys.argv[1]) if len(sys.argv) > 1 else Path(__file__).resolve().parent / "out" / "overhead.json"
    print(render(json.loads(path.read_text())))
