"""Which cells of a notebook are profiled, how each is named, and the `%%vmprof` line put on it."""
from __future__ import annotations

import re
import shlex
from dataclasses import dataclass
from typing import Optional

TAG = "vmprof"
MAGIC = "%%vmprof"


@dataclass
class Cell:
    index: int  # position among all the notebook's cells, as a reader counts them
    cell_id: Optional[str]
    source: str
    profiled: bool

    @property
    def first_line(self) -> str:
        for line in self.source.splitlines():
            if line.strip() and not line.lstrip().startswith(MAGIC):
                return line.strip()[:120]
        return ""

    @property
    def key(self) -> str:
        """How a summary names the cell: its id, else its index and first line (old notebooks have no ids)."""
        return f"id:{self.cell_id}" if self.cell_id else f"{self.index}:{self.first_line}"

    @property
    def label(self) -> str:
        ident = f"id {self.cell_id}" if self.cell_id else "no id"
        return f"cell {self.index} ({ident}) {self.first_line!r}"


def source_of(cell: dict) -> str:
    source = cell.get("source", "")
    return "".join(source) if isinstance(source, list) else str(source)


def select(notebook: dict, mode: str) -> list[Cell]:
    """The code cells in order; `mode` "all" profiles every non-empty one, "tagged" those tagged vmprof."""
    if mode not in ("all", "tagged"):
        raise ValueError(f"--cells must be 'all' or 'tagged', not {mode!r}")
    chosen = []
    for index, cell in enumerate(notebook.get("cells", [])):
        if cell.get("cell_type") != "code":
            continue
        source = source_of(cell)
        tags = (cell.get("metadata") or {}).get("tags") or []
        wanted = TAG in tags if mode == "tagged" else True
        chosen.append(Cell(index, cell.get("id"), source, bool(source.strip()) and wanted))
    return chosen


def already_profiled(source: str) -> bool:
    return source.lstrip().startswith(MAGIC)


def profile_name(notebook_stem: str, cell: Cell) -> str:
    # One shell word: the magic's option parser splits on spaces.
    return re.sub(r"[^\w.-]+", "_", f"{notebook_stem}-cell{cell.index}")[:80]


def wrapped(cell: Cell, name: str, options: list[str]) -> str:
    """The cell as run: under `%%vmprof` with the run's options, unless it is profiled already.

    The magic runs its body with IPython's own run_cell, so a body that starts with
    another cell magic (%%time, %%bash) still works. A cell that already starts with
    %%vmprof keeps its own options: its author chose them.
    """
    if not cell.profiled or already_profiled(cell.source):
        return cell.source
    words = ["--wait-summary", "--name", name, *options]
    return f"{MAGIC} {' '.join(shlex.quote(word) for word in words)}\n{cell.source}"
