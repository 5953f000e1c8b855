"""`%%vmprof --help` works like `%vmprof --help`.

IPython refuses a cell magic whose body is empty before calling it ("%%vmprof is a cell
magic, but the cell body is empty"), so a cell holding only `%%vmprof --help` never
reached the magic. An input transformer turns a `%%vmprof` cell that asks for help into
the line magic, which prints the help and runs nothing, whatever the body holds.
"""
from __future__ import annotations

import re

HELP_CELL = re.compile(r"^\s*%%vmprof\b(?P<options>[^\n]*?(?:^|\s)(?:-h|--help)(?:\s[^\n]*)?)$", re.M)


def help_cell_to_line_magic(lines: list[str]) -> list[str]:
    """['%%vmprof --help\\n', ...] -> ['%vmprof --help\\n']; other cells unchanged."""
    if not lines:
        return lines
    first = lines[0].rstrip("\n")
    match = HELP_CELL.match(first)
    if match is None or not first.lstrip().startswith("%%vmprof"):
        return lines
    return [f"%vmprof {match.group('options').strip()}\n"]


def install(ipython) -> None:
    transformers = ipython.input_transformers_cleanup
    if help_cell_to_line_magic not in transformers:
        transformers.append(help_cell_to_line_magic)


def uninstall(ipython) -> None:
    transformers = ipython.input_transformers_cleanup
    while help_cell_to_line_magic in transformers:
        transformers.remove(help_cell_to_line_magic)
