"""From the profiles a run left in the store to per-cell numbers: the summary JSON, and what the report shows.

Wall time is the profiled code's own duration (meta.json `duration_s`), not the
kernel's round trip. With several passes each cell keeps its fastest one: the
minimum is the least noisy estimate of what the code needs on a shared machine.
"""
from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from pathlib import Path
from typing import Optional

from ..kernel import summary as topfunctions
from ..store import ProfileStore, StoreError
from .cells import Cell
from .runner import CellOutcome

FORMAT = "jupyterlab-vmprof-run-summary"
VERSION = 1
TOP = 20
FAILED = ("died", "timeout", "error")


@dataclass
class CellResult:
    cell: Cell
    status: str
    error: Optional[str] = None
    profile_id: Optional[str] = None
    wall_s: Optional[float] = None
    wall_runs: list = field(default_factory=list)
    samples: Optional[int] = None
    top: list = field(default_factory=list)
    graph: Optional[dict] = None  # Graph JSON, for the flame graph
    note: Optional[str] = None  # why there are no numbers


def profile_graph(store: ProfileStore, profile_id: str) -> tuple[Optional[dict], Optional[dict], Optional[str]]:
    """(meta, Graph JSON, why not) of one stored profile."""
    try:
        meta = store.read_meta(profile_id)
    except (StoreError, OSError, ValueError) as err:
        return None, None, f"profile {profile_id} unreadable: {err}"
    graph, why_not = topfunctions.summarize(store.folder(profile_id), meta.get("options") or {})
    return meta, graph, why_not


def _duration(store: ProfileStore, profile_id: str) -> Optional[float]:
    try:
        value = store.read_meta(profile_id).get("duration_s")
    except (StoreError, OSError, ValueError):
        return None
    return float(value) if isinstance(value, (int, float)) else None


def _status(outcomes: list[CellOutcome]) -> CellOutcome:
    """The pass that speaks for the cell: the first failure if any pass failed."""
    for outcome in outcomes:
        if outcome.status in FAILED:
            return outcome
    return outcomes[0]


def cell_result(store: ProfileStore, outcomes: list[CellOutcome]) -> CellResult:
    """One cell over all passes: the fastest profiled pass gives the numbers and the flame graph."""
    speaker = _status(outcomes)
    result = CellResult(speaker.cell, speaker.status, speaker.error)
    timed = [(_duration(store, o.profile_ids[-1]), o.profile_ids[-1]) for o in outcomes if o.profile_ids]
    if not timed:
        result.note = "no profile" if speaker.status != "not-run" else "not run"
        return result
    result.wall_runs = [seconds for seconds, _ in timed if seconds is not None]
    finished = [(seconds, pid) for seconds, pid in timed if seconds is not None]
    result.wall_s, result.profile_id = min(finished) if finished else (None, timed[-1][1])
    meta, graph, why_not = profile_graph(store, result.profile_id)
    if graph is None:
        result.note = f"no call graph: {why_not}"
        return result
    result.graph = graph
    result.samples = graph.get("profile", {}).get("totalSamples")
    result.top = topfunctions.top_functions(graph, TOP)
    return result


def collect(store: ProfileStore, passes: list[list[CellOutcome]]) -> list[CellResult]:
    """Per profiled cell, in notebook order (passes hold the same cells in the same order)."""
    by_cell: dict = {}
    for outcomes in passes:
        for outcome in outcomes:
            if outcome.cell.profiled:
                by_cell.setdefault(outcome.cell.index, []).append(outcome)
    return [cell_result(store, by_cell[index]) for index in sorted(by_cell)]


def tag_run(store: ProfileStore, passes: list[list[CellOutcome]], run: dict) -> None:
    """Mark every profile of the run with the same `run` object, so that a browser can group them."""
    for number, outcomes in enumerate(passes, 1):
        for outcome in outcomes:
            for profile_id in outcome.profile_ids:
                try:
                    store.update_meta(profile_id, run=dict(run, cell=outcome.cell.key, repeat=number))
                except (StoreError, OSError, ValueError):
                    pass  # a profile deleted meanwhile is simply not grouped


def summary_json(results: list[CellResult], run: dict, notebook: Path, repeat: int, options: list) -> dict:
    return {
        "format": FORMAT,
        "version": VERSION,
        "notebook": str(notebook),
        "run": run,
        "created": dt.datetime.now(dt.timezone.utc).strftime("%Y-%m-%dT%H:%M:%SZ"),
        "repeat": repeat,
        "vmprof_options": list(options),
        "cells": [cell_json(result) for result in results],
    }


def cell_json(result: CellResult) -> dict:
    cell = result.cell
    return {
        "key": cell.key,
        "id": cell.cell_id,
        "index": cell.index,
        "first_line": cell.first_line,
        "status": result.status,
        "error": result.error,
        "profile_id": result.profile_id,
        "wall_s": result.wall_s,
        "wall_s_runs": result.wall_runs,
        "samples": result.samples,
        "top": [
            {key: row[key] for key in ("name", "where", "kind", "self", "self_pct", "total_pct")}
            for row in result.top
        ],
    }
