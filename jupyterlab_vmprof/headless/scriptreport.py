"""`vmprofrun --html`: the notebook report's page for one script's profile."""
from __future__ import annotations

import json
from pathlib import Path
from typing import Optional

from ..kernel import summary as topfunctions
from . import report


def script_page(script: Path, profile: Path, found: dict, strip: bool, status: str,
                error: Optional[str] = None) -> tuple[str, list[str]]:
    """(the HTML page, converter warnings). Raises node_converter.ConversionError."""
    from .. import node_converter as converter

    result = converter.convert_sync(profile, "json", perf_maps=found["perf_maps"], jit_symbols=found["jit_symbols"],
                                    maps=found["maps"], strip=strip)
    graph = json.loads(result.output)
    numbers = graph.get("profile", {})
    try:
        source = script.read_text(encoding="utf-8", errors="replace")
    except OSError as err:
        source = f"(cannot read the script: {err})"
    section = report.Section(
        anchor="script", heading=f"Script {script.name}", source=source, status=status, error=error,
        wall_s=numbers.get("durationSeconds"), samples=numbers.get("totalSamples"),
        top=topfunctions.top_functions(graph, 20), graph=graph,
    )
    facts = [f"Profile {profile}"]
    return report.page(f"vmprof: {script.name}", [section], facts), list(result.warnings)
