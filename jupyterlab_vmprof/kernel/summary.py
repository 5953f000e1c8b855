"""The display bundle shown under a profiled cell (contract: docs/architecture.md).

The rich view is the frontend's job (our MIME type). The text/plain and text/html
fallbacks say what happened and, when the converter can summarise the profile
quickly, list the top functions so the output is useful even without the
extension (nbconvert, GitHub, another front end).
"""

from __future__ import annotations

import html
import json
import os
import secrets
from pathlib import Path
from typing import Optional

from . import gate
from ..store import PROFILE_FILE, SideFiles

MIME_TYPE = "application/vnd.jupyterlab-vmprof.profile+json"
MIME_VERSION = 1
TOP_N = 10
# The summary is a nicety: a cell's output must not wait long for it.
SUMMARY_TIMEOUT_S = 20.0
# Past this size the conversion takes seconds; the viewer has the full data anyway.
SUMMARY_MAX_BYTES = 64 * 1024 * 1024
# Shown until the background summary replaces the bundle (update_display_data).
PENDING_NOTE = "top functions: summary being computed…"


def summarize(folder: Path, options: dict) -> tuple[Optional[dict], Optional[str]]:
    """(Graph JSON, None) from the converter, or (None, why not). Never raises."""
    try:
        from .. import node_converter  # noqa: F401 - gate.convert runs it
    except ImportError as err:
        return None, f"converter unavailable: {err}"
    try:
        if (folder / PROFILE_FILE).stat().st_size > SUMMARY_MAX_BYTES:
            return None, "profile too large for a summary in the cell output"
    except OSError as err:
        return None, str(err)
    side = SideFiles.of(folder)
    strip = options.get("strip", True)
    entry = _server_cache_entry(folder, side, strip)
    try:
        if entry is None:
            return json.loads(_convert(folder / PROFILE_FILE, side, strip).output), None
        return json.loads(_convert_into_cache(folder / PROFILE_FILE, entry, side, strip)), None
    except Exception as err:  # noqa: BLE001 - no summary is fine; a failed cell output is not
        return None, str(getattr(err, "message", err))


def _server_cache_entry(folder: Path, side: SideFiles, strip: bool) -> Optional[Path]:
    """Where the server would cache this profile's default Graph JSON, or None (no writable cache).

    The summary is written there, named as the server names it (conversion_cache.py),
    so the chart's first request is a file read: one conversion per cell, not two."""
    try:
        from .. import conversion_cache
        from ..node_converter import converter_script

        inputs = {
            "profile_path": side.profile or folder / PROFILE_FILE,
            "perf_maps": side.perf_maps,
            "jit_symbols": side.jit_symbols,
            "maps": side.maps,
            "cell_threads": cell_threads_of(folder),
        }
        name, _ = conversion_cache.cache_name(inputs, conversion_cache.Options(strip=strip), converter_script(None))
        cache = folder / conversion_cache.CACHE_DIR
        if cache.is_symlink():
            return None
        cache.mkdir(exist_ok=True)
        return cache / name if os.access(cache, os.W_OK) else None
    except Exception:  # noqa: BLE001 - without the shared cache the summary converts on its own
        return None


def claim_server_cache(folder: Path, options: dict) -> Optional[Path]:
    """Put the pending marker on the server's cache entry for this profile now; its path, or None.

    Called before the profile's output is published: the front end asks for the graph as
    soon as it sees the output, before the summary thread has started, and the server then
    waits for the summary instead of converting the same profile a second time."""
    from ..conversion_cache import pending_marker

    entry = _server_cache_entry(folder, SideFiles.of(folder), options.get("strip", True))
    if entry is None:
        return None
    marker = pending_marker(entry)
    try:
        marker.touch()
    except OSError:
        return None
    return marker


def _convert(profile: Path, side: SideFiles, strip: bool, **output):
    """The summary's conversion: the server's default graph of the profile (the cell's threads)."""
    return gate.convert(
        profile,
        "json",
        perf_maps=side.perf_maps,
        jit_symbols=side.jit_symbols,
        maps=side.maps,
        strip=strip,
        timeout=SUMMARY_TIMEOUT_S,
        cell_threads=cell_threads_of(profile.parent),
        **output,
    )


def _convert_into_cache(profile: Path, entry: Path, side: SideFiles, strip: bool) -> bytes:
    """Converts into the server's cache entry (committed by rename, as the server does); its bytes."""
    from ..conversion_cache import pending_marker

    marker = pending_marker(entry)
    tmp = entry.with_name(f".{entry.name}.{secrets.token_hex(4)}.tmp")
    marker.touch()  # a request meanwhile waits for this file instead of converting again
    try:
        result = _convert(profile, side, strip, output=tmp)
        data = tmp.read_bytes()
        if result.warnings:
            warnings_file = entry.with_name(entry.name + ".warnings.json")
            warnings_file.write_text(json.dumps(result.warnings), encoding="utf-8")
        os.replace(tmp, entry)
        return data
    finally:
        tmp.unlink(missing_ok=True)
        marker.unlink(missing_ok=True)


def cell_threads_of(folder: Path) -> list[str]:
    """The cell's thread ids (meta.json): the summary, like the server's default graph, leaves the
    kernel's own threads (heartbeat, IOPub, …) out, so its percentages are of the cell's samples."""
    from ..conversion_cache import cell_threads

    try:
        return cell_threads(json.loads((folder / "meta.json").read_text(encoding="utf-8")))
    except (OSError, ValueError):
        return []


def kernel_threads_meta(graph: dict) -> dict:
    """meta.json's `kernel_threads` {threads, samples}: of the profile's `samples` (every thread),
    those of the kernel's own threads, which the views leave out by default; {} when none."""
    hidden = (graph.get("profile") or {}).get("kernelThreads") or {}
    if hidden.get("included", True) or not hidden.get("threads"):
        return {}
    return {"kernel_threads": {"threads": hidden["threads"], "samples": hidden.get("samples", 0)}}


def threads_note(graph: dict) -> list[str]:
    """What the summary left out: the kernel's own threads (heartbeat, IOPub, control, history…)."""
    profile = graph.get("profile") or {}
    hidden = profile.get("kernelThreads") or {}
    if hidden.get("included", True) or not hidden.get("threads"):
        return []
    count = hidden["threads"]
    return [
        f"{count} kernel thread{'s' if count != 1 else ''} left out ({hidden.get('samples', 0)} samples): "
        f"percentages are of the cell's threads' {profile.get('samples', 0)} samples; the thread chooser's "
        '"+ kernel threads" entry shows them'
    ]


def top_functions(graph: dict, count: int = TOP_N) -> list[dict]:
    """The functions with the most self samples, with self and total shares in percent."""
    samples = graph.get("profile", {}).get("samples") or 0
    if not samples:
        return []
    # Plain tuples, no key function: this runs in a background thread, and should anything
    # be sampling meanwhile, vmprof 0.6.0 crashes when C calls back into Python.
    frames = graph.get("frames", [])
    order = sorted([(-f.get("self", 0), -f.get("total", 0), f.get("name", ""), i) for i, f in enumerate(frames)])
    rows = []
    for *_, index in order[:count]:
        frame = frames[index]
        if frame.get("self", 0) <= 0:
            break
        rows.append(
            {
                "name": frame.get("name", ""),
                "where": _where(frame),
                "kind": frame.get("kind", ""),
                "self": frame["self"],
                "self_pct": 100.0 * frame["self"] / samples,
                "total_pct": 100.0 * min(frame.get("total", 0), samples) / samples,
            }
        )
    return rows


def _where(frame: dict) -> str:
    file = frame.get("file") or ""
    line = frame.get("line") or 0
    return f"{file}:{line}" if file and line else file


def headline(meta: dict) -> str:
    duration = meta.get("duration_s")
    took = f"{duration:.3f} s" if isinstance(duration, (int, float)) else "unknown duration"
    samples = meta.get("samples")
    counted = f", {samples} samples" if isinstance(samples, int) else ""
    return f"vmprof profile {meta.get('id')}: {meta.get('status')}, {took}{counted}{_dropped(meta)}{_rate(meta)}"


def _dropped(meta: dict) -> str:
    """' (3 more dropped by the crash guard)': samples whose frames were not safe to read."""
    dropped = (meta.get("guard") or {}).get("dropped_samples")
    return f" ({dropped} more dropped by the crash guard)" if isinstance(dropped, int) and dropped > 0 else ""


def _rate(meta: dict) -> str:
    """', 1 sample per 4.1 ms of CPU time (requested 1 ms)': the OS timer may tick slower than asked."""
    interval = meta.get("sample_interval_s")
    if not isinstance(interval, (int, float)) or interval <= 0:
        return ""
    basis = "wall-clock" if meta.get("sample_interval_basis") == "wall" else "CPU"
    requested = (meta.get("options") or {}).get("period")
    asked = f" (requested {requested * 1000:g} ms)" if isinstance(requested, (int, float)) else ""
    return f"; 1 sample per {interval * 1000:.1f} ms of {basis} time{asked}"


def workers_line(meta: dict) -> list[str]:
    """`Dask workers: tcp://10.0.0.5:40123 (host-a) complete, …` for a --workers profile."""
    parts = meta.get("workers") or []
    if not parts:
        return []
    each = ", ".join(f"{p.get('address')} ({p.get('host') or '?'}) {p.get('status')}" for p in parts)
    return [f"Dask workers profiled with the cell ({len(parts)}): {each}"]


def plain_text(meta: dict, rows: list[dict], notes: list[str]) -> str:
    lines = [headline(meta), *workers_line(meta)]
    lines += [f"warning: {w}" for w in meta.get("warnings") or []]
    lines += notes
    if rows:
        lines.append(f"{'self %':>7} {'total %':>7} {'samples':>8}  function")
        for row in rows:
            where = f"  ({row['where']})" if row["where"] else ""
            lines.append(f"{row['self_pct']:7.1f} {row['total_pct']:7.1f} {row['self']:8d}  {row['name']}{where}")
    return "\n".join(lines)


def html_text(meta: dict, rows: list[dict], notes: list[str]) -> str:
    esc = html.escape
    parts = [f'<div class="jp-vmprof-fallback"><p>{esc(headline(meta))}</p>']
    parts += [f"<p>{esc(line)}</p>" for line in workers_line(meta)]
    for warning in meta.get("warnings") or []:
        parts.append(f"<p><b>warning:</b> {esc(warning)}</p>")
    for note in notes:
        parts.append(f"<p>{esc(note)}</p>")
    if rows:
        parts.append(
            "<table><thead><tr><th>self %</th><th>total %</th><th>samples</th><th>function</th><th>where</th></tr>"
            "</thead><tbody>"
        )
        for row in rows:
            parts.append(
                f"<tr><td>{row['self_pct']:.1f}</td><td>{row['total_pct']:.1f}</td><td>{row['self']}</td>"
                f"<td>{esc(row['name'])}</td><td>{esc(row['where'])}</td></tr>"
            )
        parts.append("</tbody></table>")
    parts.append("</div>")
    return "".join(parts)


def mime_payload(meta: dict) -> dict:
    payload = {
        "id": meta.get("id"),
        "name": meta.get("name"),
        "status": meta.get("status"),
        "samples": meta.get("samples"),
        "duration_s": meta.get("duration_s"),
        "warnings": list(meta.get("warnings") or []),
        "version": MIME_VERSION,
    }
    if meta.get("guard"):  # only where the crash guard is needed (CPython 3.11, 3.12)
        payload["guard"] = meta["guard"]
    if meta.get("workers"):  # %%vmprof --workers: the process chooser's entries
        keep = ("address", "host", "pid", "status", "error")
        payload["workers"] = [{key: part.get(key) for key in keep} for part in meta["workers"]]
    return payload


def bundle(meta: dict, rows: Optional[list[dict]] = None, notes: Optional[list[str]] = None) -> dict:
    """The data dict of a display_data message for one profile."""
    rows = rows or []
    notes = notes or []
    # The notes (--fork keeps no variables, a crash explained) go to the widget too:
    # JupyterLab shows the MIME type, never the text/plain or HTML beside it.
    # Not the text table's own progress or absence: the widget draws its own views.
    shown = [note for note in notes if note != PENDING_NOTE and not note.startswith("no top-functions summary")]
    payload = dict(mime_payload(meta), notes=shown) if shown else mime_payload(meta)
    return {
        MIME_TYPE: payload,
        "text/plain": plain_text(meta, rows, notes),
        "text/html": html_text(meta, rows, notes),
    }
