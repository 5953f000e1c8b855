"""A flame graph of a Graph JSON call tree as plain HTML boxes: readable with no script, zoomable with a little.

Every box is positioned in percent of the graph's width, so the page needs no
layout code and resizes with the window; the page's script (report.py) only
re-positions boxes on a click. Every name is escaped: function names come from
the profiled program and may hold markup.
"""
from __future__ import annotations

import hashlib
import html
from typing import Optional

ROW_PX = 18
# Boxes narrower than this share of the samples are left out: invisible anyway, and a
# profile of a big program has tens of thousands of call paths.
MIN_SHARE = 0.002
MAX_DEPTH = 150
MAX_BOXES = 4000
KIND_HUES = {"python": (18, 40), "native": (205, 30), "jit": (120, 35)}


def _colour(kind: str, name: str) -> str:
    base, spread = KIND_HUES.get(kind, (0, 0))
    shade = int(hashlib.md5(name.encode("utf-8", "replace")).hexdigest()[:4], 16)
    if kind not in KIND_HUES:
        return f"hsl(0,0%,{70 + shade % 15}%)"
    return f"hsl({base + shade % spread},{65 + shade % 20}%,{62 + shade % 12}%)"


def boxes(graph: dict) -> tuple[list[dict], bool]:
    """Visible boxes (x and width in percent, depth, frame index, counts); whether some were left out."""
    tree = graph.get("tree") or {}
    frames, parents, totals = tree.get("frame") or [], tree.get("parent") or [], tree.get("total") or []
    selfs = tree.get("self") or [0] * len(frames)
    if not frames or not totals or not totals[0]:
        return [], False
    root_total = float(totals[0])
    cursor = {0: 0.0}
    depth = {0: 0}
    shown = [{"x": 0.0, "w": 100.0, "depth": 0, "frame": -1, "total": totals[0], "self": selfs[0]}]
    pruned = False
    # Parents come before their children in the arrays, so one pass lays out the tree.
    for node in range(1, len(frames)):
        parent = parents[node]
        if parent not in cursor:
            continue  # its parent was left out
        start = cursor[parent]
        cursor[parent] = start + totals[node]
        level = depth[parent] + 1
        if totals[node] / root_total < MIN_SHARE or level > MAX_DEPTH or len(shown) >= MAX_BOXES:
            pruned = True
            continue
        cursor[node], depth[node] = start, level
        shown.append({"x": 100.0 * start / root_total, "w": 100.0 * totals[node] / root_total, "depth": level,
                      "frame": frames[node], "total": totals[node], "self": selfs[node]})
    return shown, pruned


def render(graph: Optional[dict], label: str = "all") -> str:
    """The flame graph's HTML (a `div.flame`), or a short note when there is nothing to draw."""
    if not graph:
        return '<p class="note">No call graph.</p>'
    shown, pruned = boxes(graph)
    if len(shown) <= 1:
        return '<p class="note">No samples: the cell ran too briefly to be sampled.</p>'
    frames = graph.get("frames") or []
    root_total = shown[0]["total"]
    height = (max(box["depth"] for box in shown) + 1) * ROW_PX
    parts = [f'<div class="flame" style="height:{height}px" role="img" aria-label="flame graph">']
    for box in shown:
        frame = frames[box["frame"]] if 0 <= box["frame"] < len(frames) else {}
        name = frame.get("name") or label
        where = f"{frame.get('file')}:{frame.get('line')}" if frame.get("file") else ""
        share = 100.0 * box["total"] / root_total
        tip = f"{name}{' — ' + where if where else ''}\n{box['total']} samples ({share:.1f} %), self {box['self']}"
        kind = frame.get("kind", "root" if box["frame"] < 0 else "")
        parts.append(
            f'<div class="box" style="left:{box["x"]:.4f}%;width:{box["w"]:.4f}%;top:{box["depth"] * ROW_PX}px;'
            f'background:{_colour(kind, name)}" data-x="{box["x"]:.4f}" data-w="{box["w"]:.4f}" '
            f'data-kind="{html.escape(kind)}" title="{html.escape(tip)}">{html.escape(name)}</div>'
        )
    parts.append("</div>")
    if pruned:
        parts.append(f'<p class="note">Call paths under {MIN_SHARE * 100:g} % of the samples are left out.</p>')
    return "".join(parts)
