"""The offline HTML report: one page, no server, no network, every name escaped.

Per section (a notebook cell, or a whole script) its source, wall time, samples, a
flame graph (flamegraph.py) and the top-functions table; a summary table of all
sections on top. The page carries its CSS and its few lines of script inline.
"""
from __future__ import annotations

import html
from dataclasses import dataclass, field
from typing import Optional

from . import flamegraph

esc = html.escape
TABLE_ROWS = 15


@dataclass
class Section:
    anchor: str
    heading: str
    source: str
    status: str
    error: Optional[str] = None
    wall_s: Optional[float] = None
    samples: Optional[int] = None
    top: list = field(default_factory=list)
    graph: Optional[dict] = None
    note: Optional[str] = None
    change: Optional[str] = None  # against a baseline, already worded


STYLE = """
body{font:14px/1.4 system-ui,sans-serif;margin:1.5em;color:#222;background:#fff}
h1{font-size:1.4em}h2{font-size:1.15em;margin-top:2em;border-top:1px solid #ccc;padding-top:1em}
table{border-collapse:collapse;margin:.5em 0}td,th{border:1px solid #ddd;padding:2px 8px;text-align:left}
td.num,th.num{text-align:right;font-variant-numeric:tabular-nums}
pre{background:#f6f6f6;padding:.6em;overflow:auto;max-height:20em}
.status-ok,.status-unprofiled{color:#17702a}.status-error,.status-died,.status-timeout{color:#b00020;font-weight:bold}
.status-not-run{color:#777}.note{color:#666;font-style:italic}.slower{color:#b00020;font-weight:bold}
.flame{position:relative;width:100%;overflow:hidden;margin:.5em 0;font:11px/18px monospace;cursor:pointer}
.flame .box{position:absolute;height:17px;box-sizing:border-box;border-right:1px solid #fff;overflow:hidden;
white-space:nowrap;text-overflow:ellipsis;padding:0 3px;color:#000}
.flame .box:hover{outline:1px solid #000;z-index:1}.flame .box[hidden]{display:none}
"""

# Click a box to zoom to it; click the root (top row) to zoom out. Boxes carry their
# full-width position in data-x/data-w (percent).
SCRIPT = """
document.querySelectorAll('.flame').forEach(function (graph) {
  graph.addEventListener('click', function (event) {
    var target = event.target.closest('.box');
    if (!target) return;
    var x0 = parseFloat(target.dataset.x), w0 = parseFloat(target.dataset.w), top = parseFloat(target.style.top);
    graph.querySelectorAll('.box').forEach(function (box) {
      var x = parseFloat(box.dataset.x), w = parseFloat(box.dataset.w);
      var inside = x + w > x0 + 1e-9 && x < x0 + w0 - 1e-9;
      var above = parseFloat(box.style.top) < top;
      box.hidden = !inside || (above && w < w0 - 1e-9);
      var left = Math.max(0, (x - x0) / w0 * 100), right = Math.min(100, (x + w - x0) / w0 * 100);
      box.style.left = left + '%';
      box.style.width = (right - left) + '%';
    });
  });
});
"""


def _seconds(value: Optional[float]) -> str:
    return f"{value:.3f} s" if isinstance(value, (int, float)) else "—"


def _count(value: Optional[int]) -> str:
    return str(value) if isinstance(value, int) else "—"


def _top_name(section: Section) -> str:
    return section.top[0]["name"] if section.top else ""


def summary_table(sections: list[Section]) -> str:
    rows = [
        "<table class=\"summary\"><thead><tr><th>section</th><th>status</th><th class=\"num\">wall time</th>"
        "<th class=\"num\">samples</th><th>top function (self)</th><th>against the baseline</th></tr></thead><tbody>"
    ]
    for section in sections:
        change_class = ' class="slower"' if section.change and section.change.startswith("SLOWER") else ""
        rows.append(
            f"<tr><td><a href=\"#{esc(section.anchor)}\">{esc(section.heading)}</a></td>"
            f"<td class=\"status-{esc(section.status)}\">{esc(section.status)}</td>"
            f"<td class=\"num\">{_seconds(section.wall_s)}</td><td class=\"num\">{_count(section.samples)}</td>"
            f"<td>{esc(_top_name(section))}</td><td{change_class}>{esc(section.change or '')}</td></tr>"
        )
    rows.append("</tbody></table>")
    return "".join(rows)


def top_table(rows: list[dict]) -> str:
    if not rows:
        return ""
    parts = [
        "<table class=\"top\"><thead><tr><th class=\"num\">self %</th><th class=\"num\">total %</th>"
        "<th class=\"num\">samples</th><th>function</th><th>kind</th><th>where</th></tr></thead><tbody>"
    ]
    for row in rows[:TABLE_ROWS]:
        parts.append(
            f"<tr><td class=\"num\">{row['self_pct']:.1f}</td><td class=\"num\">{row['total_pct']:.1f}</td>"
            f"<td class=\"num\">{int(row['self'])}</td><td>{esc(row['name'])}</td><td>{esc(row.get('kind', ''))}</td>"
            f"<td>{esc(row.get('where', ''))}</td></tr>"
        )
    parts.append("</tbody></table>")
    return "".join(parts)


def section_html(section: Section) -> str:
    facts = (f"<p>status <span class=\"status-{esc(section.status)}\">{esc(section.status)}</span>"
             f" · wall time {_seconds(section.wall_s)} · samples {_count(section.samples)}</p>")
    parts = [f"<section class=\"cell\" id=\"{esc(section.anchor)}\"><h2>{esc(section.heading)}</h2>", facts]
    if section.error:
        parts.append(f"<p class=\"status-error\">{esc(section.error)}</p>")
    if section.change:
        slower = ' class="slower"' if section.change.startswith("SLOWER") else ""
        parts.append(f"<p{slower}>{esc(section.change)}</p>")
    parts.append(f"<details open><summary>source</summary><pre><code>{esc(section.source)}</code></pre></details>")
    if section.note:
        parts.append(f"<p class=\"note\">{esc(section.note)}</p>")
    if section.graph:
        parts.append(flamegraph.render(section.graph))
        parts.append(top_table(section.top))
    parts.append("</section>")
    return "".join(parts)


def page(title: str, sections: list[Section], facts: list[str]) -> str:
    """The whole document. `facts` are lines of plain text under the title (when, where, options)."""
    body = [f"<h1>{esc(title)}</h1>"]
    body += [f"<p>{esc(fact)}</p>" for fact in facts]
    body.append("<p class=\"note\">Flame graphs: callers above callees, width = share of the samples; "
                "hover a box for its numbers, click it to zoom, click the top row to zoom out.</p>")
    body.append(summary_table(sections))
    body += [section_html(section) for section in sections]
    return (
        "<!DOCTYPE html>\n<html lang=\"en\"><head><meta charset=\"utf-8\">"
        "<meta http-equiv=\"Content-Security-Policy\" content=\"default-src 'none'; style-src 'unsafe-inline'; "
        "script-src 'unsafe-inline'\">"
        f"<title>{esc(title)}</title><style>{STYLE}</style></head><body>"
        + "".join(body)
        + f"<script>{SCRIPT}</script></body></html>\n"
    )
