"""A run's summary against an older one: which cells got slower, and which functions moved.

Cells are matched by key (their id, else index and first line). A cell is a
regression when it is slower by more than `fail_above` percent AND by more than
`min_seconds`: a 2 ms cell taking 4 ms is +100 % of noise, not a finding.
"""
from __future__ import annotations

import json
import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Optional

from .results import FORMAT

MOVED = 3  # functions listed per cell


class BaselineError(Exception):
    """The baseline file cannot be used; the message says why."""


@dataclass
class CellChange:
    key: str
    label: str
    old_s: Optional[float]
    new_s: Optional[float]
    moved: list = field(default_factory=list)  # (name, old share %, new share %)
    regression: bool = False

    @property
    def percent(self) -> Optional[float]:
        if not self.old_s or self.new_s is None:
            return None
        return 100.0 * (self.new_s - self.old_s) / self.old_s


def load_baseline(path: Path) -> dict:
    try:
        data = json.loads(Path(path).read_text(encoding="utf-8"))
    except FileNotFoundError:
        raise BaselineError(f"no such baseline file: {path}") from None
    except (OSError, UnicodeDecodeError, json.JSONDecodeError) as err:
        raise BaselineError(f"cannot read the baseline {path}: {err}") from None
    if not isinstance(data, dict) or data.get("format") != FORMAT or not isinstance(data.get("cells"), list):
        raise BaselineError(f"{path} is not a summary written by `jupyter vmprof run --json`")
    return data


# ipykernel compiles each cell into /tmp/ipykernel_<pid>/<hash of the source>.py: the pid
# changes with every kernel, the rest says which code it is.
KERNEL_TMP = re.compile(r"ipykernel_\d+")


def _shares(cell: dict) -> dict:
    shares: dict = {}
    for row in cell.get("top") or []:
        key = (row.get("name"), KERNEL_TMP.sub("ipykernel", row.get("where") or ""))
        shares[key] = shares.get(key, 0.0) + float(row.get("self_pct") or 0)
    return shares


def moved_functions(old: dict, new: dict, count: int = MOVED) -> list:
    """The functions whose share of the cell's samples changed most (a function absent from a top list counts as 0 %)."""
    before, after = _shares(old), _shares(new)
    changes = [(abs(after.get(k, 0.0) - before.get(k, 0.0)), k) for k in set(before) | set(after)]
    changes.sort(key=lambda item: (-item[0], str(item[1])))
    return [(key[0], before.get(key, 0.0), after.get(key, 0.0)) for delta, key in changes[:count] if delta >= 0.05]


def label(cell: dict) -> str:
    ident = f"id {cell['id']}" if cell.get("id") else "no id"
    return f"cell {cell.get('index')} ({ident}) {cell.get('first_line', '')!r}"


def compare(baseline: dict, current: dict, fail_above: Optional[float], min_seconds: float) -> list[CellChange]:
    old_cells = {cell.get("key"): cell for cell in baseline["cells"]}
    changes = []
    for cell in current["cells"]:
        old = old_cells.get(cell.get("key"))
        if old is None:
            continue
        change = CellChange(cell["key"], label(cell), old.get("wall_s"), cell.get("wall_s"), moved_functions(old, cell))
        percent = change.percent
        change.regression = (
            fail_above is not None and percent is not None and percent > fail_above
            and change.new_s - change.old_s > min_seconds
        )
        changes.append(change)
    return changes


def describe(change: CellChange, fail_above: Optional[float]) -> str:
    """One line for the cell, and one for its functions when some moved."""
    old = f"{change.old_s:.3f} s" if change.old_s is not None else "?"
    new = f"{change.new_s:.3f} s" if change.new_s is not None else "?"
    percent = change.percent
    text = f"{change.label}: {old} -> {new}" + (f" ({percent:+.0f} %)" if percent is not None else "")
    if change.regression:
        text = f"SLOWER {text}, above --fail-above {fail_above:g} %"
    if change.moved:
        moved = ", ".join(f"{name} {old_pct:.1f} % -> {new_pct:.1f} %" for name, old_pct, new_pct in change.moved)
        text += f"\n    functions whose share moved most: {moved}"
    return text
