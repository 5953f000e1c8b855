"""The profile's output under a cell, with its top-10 summary computed off the critical path.

The summary is one Node run of the converter over the whole profile: 80–240 ms on a
1 s cell and growing with the cell (docs/benchmarks.md), the largest part of what
%%vmprof added to a cell. So by default the bundle is published at once with a
display_id and a "being computed" line, and a daemon thread converts the profile,
then replaces the output with update_display_data and records the sample count and
the effective sample rate in meta.json. The thread and the next profiled cell take
turns through gate.GATE: the cell waits for the thread's Python work, not for its Node
conversion, and the thread's Python work waits while a cell samples.

Front ends that stop listening when a cell ends (nbconvert --execute, nbclient,
papermill, jupyter console) would lose such updates: they are recognised by the request
(frontend_keeps_listening) and get the summary before the reply, as `--wait-summary`
(or the `VmprofMagics.wait_summary` setting, or JUPYTERLAB_VMPROF_WAIT_SUMMARY=1) asks
everywhere.
"""

from __future__ import annotations

import contextvars
import os
import threading
import time
import uuid
from pathlib import Path
from typing import Optional

from .lean import codesearch
from . import embed, summary
from .embed import EmbedSettings
from .flamesvg import flame_svg
from .gate import GATE
from ..store import JIT_SYMBOLS_FILE, ProfileStore, StoreError

WAIT_ENV = "JUPYTERLAB_VMPROF_WAIT_SUMMARY"
# The converter gives up after SUMMARY_TIMEOUT_S; a thread still alive after this is
# stuck somewhere else and is not waited for any longer.
JOIN_TIMEOUT_S = summary.SUMMARY_TIMEOUT_S + 5.0

_pending: list[threading.Thread] = []
# The summaries whose thread has not finished (their claim on the server's cache may stand).
_unfinished: list["Summary"] = []
START_DELAY_S = 0.03


def wait_by_default() -> bool:
    return os.environ.get(WAIT_ENV, "").strip().lower() in {"1", "true", "yes", "on"}


def can_update(shell) -> bool:
    """Whether a display can be updated after the cell ends and still reach this cell.

    ipykernel's publisher sends each message with the parent header it finds in the
    calling context, which a thread can inherit. Elsewhere (a terminal IPython prints
    displays as text) an update would print into whatever comes next: compute first.
    """
    return hasattr(getattr(shell, "display_pub", None), "set_thread_parent")


def frontend_keeps_listening(shell) -> bool:
    """Whether the cell's request came from a notebook front end that applies later updates.

    JupyterLab and Notebook 7 put the cell's id in the execute request's metadata
    (`cellId`) and keep every output live after the cell. Headless runners (nbclient, so
    `jupyter nbconvert --execute` and papermill; scripts on jupyter_client) and `jupyter
    console` send no such id and stop listening when the cell ends: for them the summary
    is computed before the cell ends, with no option to remember.
    """
    try:
        parent = shell.kernel.get_parent()
    except Exception:  # noqa: BLE001 - no kernel (terminal IPython) or an older ipykernel
        return False
    metadata = (parent or {}).get("metadata") if isinstance(parent, dict) else None
    return isinstance(metadata, dict) and bool(metadata.get("cellId"))


def enter_gate() -> bool:
    """Before vmprof samples: wait for a summary's Python phase in progress, not for its conversion.

    Whether the gate is held (leave it with GATE.leave()); a summary stuck in a Python phase
    for JOIN_TIMEOUT_S is not waited for any longer (gate.py says why the gate exists)."""
    if GATE.held_here():
        return False  # `%vmprof` inside a profiled cell: the outer one holds it (and refuses the inner)
    gated = GATE.enter(JOIN_TIMEOUT_S)
    # An earlier summary now waits for this cell to stop before it can write the server's cache
    # entry (or even start converting, in Run All): its claim would make the earlier chart's
    # request wait up to 20 s. Dropped, the server converts that profile at once itself.
    for top in list(_unfinished):
        top.release()
    return gated


def wait_pending(timeout: float = JOIN_TIMEOUT_S) -> None:
    """Wait until the earlier summaries have finished (tests, benchmarks: an idle kernel)."""
    for thread in list(_pending):
        thread.join(timeout)
        if not thread.is_alive():
            _pending.remove(thread)


def sample_rate(samples: int, options: dict, duration_s: Optional[float], cpu_s: Optional[float]) -> dict:
    """meta.json fields saying how often vmprof really sampled.

    In CPU mode vmprof samples on the process's CPU-time timer, which the OS may tick
    more slowly than the period asks (measured: one sample per ~4 ms at period 0.001);
    in real-time mode on the wall clock.
    """
    basis, seconds = ("wall", duration_s) if options.get("real_time") else ("cpu", cpu_s)
    if not samples or not isinstance(seconds, (int, float)) or seconds <= 0:
        return {}
    return {
        "sample_interval_s": round(seconds / samples, 6),
        "sample_rate_hz": round(samples / seconds, 1),
        "sample_interval_basis": basis,
    }


class Summary:
    """The top functions of one profile and the meta.json fields that come with them."""

    def __init__(self, folder: Path, options: dict, embedding: Optional[EmbedSettings] = None):
        self.folder = folder
        self.options = options
        self.embedding = embedding or EmbedSettings()
        self.rows: list = []
        self.note: Optional[str] = None  # why there is no summary, for the output
        self.done = False
        # What travels with the output (embed.py): the compact copy and the static flame graph.
        self.copy: Optional[dict] = None
        self.svg = ""
        self.copy_notes: list[str] = []
        # Run first, so the summary reads the profile with every name (leanvmprof.DeferredSearch).
        self.deferred_names = None
        # The server's cache entry marked as being computed before the output went out (claim).
        self._claimed: Optional[Path] = None

    def claim(self) -> None:
        """Tell the server, before the output goes out, that this summary will fill its cache."""
        self._claimed = summary.claim_server_cache(self.folder, self.options)

    def release(self) -> None:
        """Drop the claim once the summary is done (its entry is in place) or has given up."""
        if self._claimed is not None:
            self._claimed.unlink(missing_ok=True)
            self._claimed = None

    def compute(self, duration_s: Optional[float], cpu_s: Optional[float]) -> dict:
        """Run the converter; returns the meta.json changes (samples, sample rate). Never raises."""
        self.done = True
        changes = self._run_deferred_names()
        graph, why_not = summary.summarize(self.folder, self.options)
        if not graph:
            self.note = f"no top-functions summary: {why_not}" if why_not else None
            return changes
        self.rows = summary.top_functions(graph)
        self._portable(graph)
        samples = graph.get("profile", {}).get("totalSamples")
        if not isinstance(samples, int):
            return changes
        changes.update(samples=samples, **sample_rate(samples, self.options, duration_s, cpu_s))
        return dict(changes, **summary.kernel_threads_meta(graph))

    def _portable(self, graph: dict) -> None:
        """The copy of the profile for the notebook, and the static flame graph for its HTML."""
        try:
            limit = self.embedding.max_bytes
            self.copy, note = embed.compact(graph, limit) if limit > 0 else (None, None)
            self.copy_notes = [note] if note else []
            if self.copy is not None and self.embedding.raw:
                files, note = embed.raw_files(self.folder, limit - len(self.copy["graph"]))
                self.copy["raw"] = files
                self.copy_notes += [note] if note else []
            self.svg = flame_svg(graph)
            self.copy_notes += summary.threads_note(graph)  # the copy and the svg leave them out too
        except Exception as err:  # noqa: BLE001 - the table and the store matter more than the copy
            self.copy, self.svg = None, ""
            self.copy_notes = [f"no copy of this profile in the notebook: {err}"]

    def bundle(self, meta: dict, notes: list) -> dict:
        data = summary.bundle(meta, self.rows, self.notes(notes))
        return embed.attach(data, summary.MIME_TYPE, self.copy, self.svg)

    def _run_deferred_names(self) -> dict:
        search, self.deferred_names = self.deferred_names, None
        if search is None:
            return {}
        try:
            if search.run():
                return {"profile_bytes": search.path.stat().st_size}
        except (OSError, ValueError):
            pass  # the names stay as vmprof's own records left them
        return {}

    def notes(self, notes: list) -> list:
        if not self.done:
            return [*notes, summary.PENDING_NOTE]
        return [*notes, self.note, *self.copy_notes] if self.note else [*notes, *self.copy_notes]


def publish(shell, data: dict, display_id: Optional[str] = None, update: bool = False) -> None:
    transient = {"display_id": display_id} if display_id else None
    shell.display_pub.publish(data=data, metadata={}, transient=transient, update=update)


def show(shell, store: ProfileStore, meta: dict, notes: list, top: Summary, running=None) -> None:
    """Publish the profile's bundle; if the summary is not computed yet, update it later.

    `running` (progress.RunningOutput, stopped): the cell's progress output, which the
    bundle replaces under the same display id."""
    replaces = running is not None
    if top.done:
        publish(shell, top.bundle(meta, notes), running.display_id if replaces else None, update=replaces)
        store.sync(meta["id"], (JIT_SYMBOLS_FILE,))
        return
    display_id = running.display_id if replaces else f"vmprof-{meta.get('id')}-{uuid.uuid4().hex[:8]}"
    top.claim()  # the front end's graph request may come before the summary thread starts
    _unfinished.append(top)
    publish(shell, top.bundle(meta, notes), display_id, update=replaces)
    # The thread runs in a copy of this cell's context: ipykernel 7 keeps the parent
    # header of display messages in a context variable and falls back to the newest
    # request's header otherwise, which would send the update to the NEXT cell.
    context = contextvars.copy_context()
    work = lambda: _finish(shell, store, meta, notes, top, display_id)  # noqa: E731
    thread = threading.Thread(target=context.run, args=(work,), name="vmprof-summary", daemon=True)
    _pending.append(thread)
    thread.start()


def _finish(shell, store: ProfileStore, meta: dict, notes: list, top: Summary, display_id: str) -> None:
    """In the summary thread: whatever happens here must never reach the kernel or the next cell."""
    # The kernel sends the cell's reply a few ms after the magic returns; work begun at
    # once would hold the GIL meanwhile (the deferred search walks every object) and
    # delay the reply by as much (measured: 20 ms on a 1 s cell).
    time.sleep(START_DELAY_S)
    GATE.enter()  # held for the Python work; gate.convert lets it go while Node converts
    try:
        changes = top.compute(meta.get("duration_s"), meta.get("cpu_s"))
        top.release()  # the entry is in place, or the summary gave up: the server need not wait
        # meta.json first: the final bundle tells a frontend that the profile's files are
        # complete, and one may fetch them at once (kernel/transfer.py).
        if changes:
            try:
                store.update_meta(meta["id"], **changes)
            except (StoreError, OSError, ValueError):
                pass  # the count is a convenience; the server can count again
        publish(shell, top.bundle(dict(meta, **changes), notes), display_id, update=True)
        codesearch.refresh_known_codes()  # so that the next stops need not search every object
    except BaseException:  # noqa: BLE001 - a daemon thread must not print tracebacks into other cells
        pass
    try:
        top.release()
        store.sync(meta["id"], (JIT_SYMBOLS_FILE,))  # the fsyncs the cell's writes left out (magic.py)
    except BaseException:  # noqa: BLE001 - as above
        pass
    finally:
        if top in _unfinished:
            _unfinished.remove(top)
        GATE.leave()  # whatever happened: a gate left held would stall every later profiled cell
