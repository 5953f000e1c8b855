"""A static flame graph (SVG) of a Graph JSON, for the output's text/html fallback.

Where our frontend does not run — `jupyter nbconvert --to html`, GitHub, another front end —
the output still shows where the time went: one box per call-tree node wider than a pixel,
the cell at the top and callees below it (as the interactive view draws it), coloured by
frame kind, each with a tooltip (<title>) giving name, file, samples and share. No script,
no server, no network; every name is escaped (names come from the profiled code).

Pure: Graph JSON in, SVG text out. No key functions in sorts (see embed.py).
"""
from __future__ import annotations

from collections import deque
from html import escape

WIDTH = 1000  # viewBox units; the SVG scales to the output's width
ROW = 17
MAX_DEPTH = 60
MIN_WIDTH = 2.0  # narrower boxes are left out (their samples stay in their caller's width)
# Bounds the HTML (~150 bytes a box): the widest boxes come first (breadth first), so what is
# left out is deep and narrow.
MAX_BOXES = 1500
CHAR_WIDTH = 6.6  # of the 11px monospace-ish label, to cut labels to their box
# The views' default colours (src/views/kinds.ts, FALLBACK_KIND_COLORS).
KIND_COLORS = {"python": "#4c8be2", "native": "#e0883a", "jit": "#3fa96b", "interpreter": "#9e9e9e",
               "unknown": "#b39ddb"}
ROOT_COLOR = "#bdbdbd"


def flame_svg(graph: dict, title: str = "") -> str:
    """The SVG, or '' when the graph has no samples."""
    tree = graph.get("tree") or {}
    frames = graph.get("frames") or []
    frame_of, parent, total = tree.get("frame") or [], tree.get("parent") or [], tree.get("total") or []
    if not frame_of or not total or total[0] <= 0:
        return ""
    samples = total[0]
    scale = WIDTH / samples
    children: list[list[int]] = [[] for _ in frame_of]
    for node in range(1, len(frame_of)):
        if 0 <= parent[node] < node:
            children[parent[node]].append(node)
    boxes = []
    depth_used = 0
    # (node, x, depth), breadth first; children laid out left to right in tree order.
    queue = deque([(0, 0.0, 0)])
    while queue and len(boxes) < MAX_BOXES:
        node, x, depth = queue.popleft()
        width = total[node] * scale
        if width < MIN_WIDTH or depth > MAX_DEPTH:
            continue
        depth_used = max(depth_used, depth)
        boxes.append(_box(node, x, depth, width, frames, frame_of[node], total[node], samples))
        offset = x
        laid = []
        for child in children[node]:
            laid.append((child, offset, depth + 1))
            offset += total[child] * scale
        queue.extend(laid)
    height = (depth_used + 1) * ROW
    label = escape(title or "vmprof profile", quote=True)
    pruned = graph.get("pruned")
    note = " (small calls pruned)" if pruned else ""
    return (
        f'<svg class="jp-vmprof-static-flame" xmlns="http://www.w3.org/2000/svg" role="img" '
        f'aria-label="{label}: flame graph of {samples} samples{note}" viewBox="0 0 {WIDTH} {height}" '
        f'width="100%" preserveAspectRatio="xMinYMin meet" style="max-width:{WIDTH}px;font:11px monospace">'
        + "".join(boxes)
        + "</svg>"
    )


def _box(node: int, x: float, depth: int, width: float, frames: list, frame: int, count: int, samples: int) -> str:
    info = frames[frame] if 0 <= frame < len(frames) else {}
    if node == 0:
        name, color, where = "all samples", ROOT_COLOR, ""
    else:
        name = str(info.get("name") or "?")
        color = KIND_COLORS.get(info.get("kind"), KIND_COLORS["unknown"])
        file, line = info.get("file") or "", info.get("line") or 0
        where = f" ({file}:{line})" if file and line else (f" ({file})" if file else "")
    share = 100.0 * count / samples
    tip = escape(f"{name}{where}: {count} samples, {share:.1f} %", quote=True)
    y = depth * ROW
    text = ""
    fits = int((width - 4) // CHAR_WIDTH)
    if fits >= 3:
        shown = name if len(name) <= fits else name[: fits - 1] + "…"
        text = f'<text x="{x + 2:.1f}" y="{y + 12}" fill="#111">{escape(shown, quote=True)}</text>'
    return (f'<g><title>{tip}</title><rect x="{x:.1f}" y="{y}" width="{width:.1f}" height="{ROW - 1}" '
            f'fill="{color}" rx="2"/>{text}</g>')
