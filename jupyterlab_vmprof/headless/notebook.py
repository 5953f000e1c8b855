"""Profile a notebook: the plain functions behind `jupyter vmprof run` (cli/notebook.py parses and prints)."""
from __future__ import annotations

import datetime as dt
import uuid
from dataclasses import dataclass
from pathlib import Path
from typing import Callable, Optional

from ..store import ProfileStore
from . import cells as cellsel
from . import report, results
from .compare import CellChange, describe
from .runner import CellOutcome, RunError, RunSettings, run_passes


@dataclass
class NotebookProfile:
    path: Path
    run: dict
    results: list  # results.CellResult, in notebook order
    summary: dict  # the --json document


def read_notebook(path: Path):
    import nbformat

    if not path.is_file():
        raise RunError(f"no such notebook: {path}")
    try:
        return nbformat.read(str(path), as_version=4)
    except Exception as err:  # noqa: BLE001 - nbformat raises many kinds for a bad file
        raise RunError(f"cannot read {path} as a notebook: {err}") from None


def new_run(path: Path) -> dict:
    now = dt.datetime.now(dt.timezone.utc)
    return {"id": f"{now:%Y%m%dT%H%M%S}-{uuid.uuid4().hex[:8]}", "name": f"{path.stem} {now:%Y-%m-%d %H:%M} UTC",
            "notebook": str(path)}


def profile_notebook(path: Path, mode: str, settings: RunSettings, repeat: int = 1,
                     store: Optional[ProfileStore] = None,
                     on_cell: Optional[Callable[[CellOutcome], None]] = None) -> NotebookProfile:
    """Run the notebook `repeat` times in fresh kernels, profiling the chosen cells; raises RunError."""
    path = path.resolve()
    notebook = read_notebook(path)
    chosen = cellsel.select(notebook, mode)
    if not any(cell.profiled for cell in chosen):
        why = "no code cell is tagged 'vmprof'" if mode == "tagged" else "the notebook has no code to run"
        raise RunError(f"nothing to profile in {path.name}: {why}")
    store = store or ProfileStore()
    run = new_run(path)
    passes = run_passes(path, notebook, chosen, settings, repeat, store, on_cell)
    results.tag_run(store, passes, run)
    found = results.collect(store, passes)
    return NotebookProfile(path, run, found, results.summary_json(found, run, path, repeat, settings.options))


def failures(profile: NotebookProfile) -> list:
    return [result for result in profile.results if result.status in results.FAILED]


def sections(found: list, changes: Optional[dict] = None, fail_above: Optional[float] = None) -> list:
    """The report's sections, one per profiled cell; `changes` maps a cell key to its CellChange."""
    changes = changes or {}
    shown = []
    for result in found:
        change: Optional[CellChange] = changes.get(result.cell.key)
        cell = result.cell
        shown.append(report.Section(
            anchor=f"cell-{cell.index}",
            heading=f"Cell {cell.index}" + (f" (id {cell.cell_id})" if cell.cell_id else "") + f": {cell.first_line}",
            source=cell.source, status=result.status, error=result.error, wall_s=result.wall_s,
            samples=result.samples, top=result.top, graph=result.graph, note=result.note,
            change=describe(change, fail_above).split("\n")[0] if change else None,
        ))
    return shown


def report_html(profile: NotebookProfile, changes: Optional[dict] = None, fail_above: Optional[float] = None) -> str:
    summary = profile.summary
    facts = [
        f"Notebook {profile.path}",
        f"Run {profile.run['id']}, {summary['created']}; {summary['repeat']} pass(es), fastest shown"
        + (f"; vmprof options: {' '.join(summary['vmprof_options'])}" if summary["vmprof_options"] else ""),
    ]
    return report.page(f"vmprof: {profile.path.name}", sections(profile.results, changes, fail_above), facts)
