"""`%%vmprof --workers`: profile the Dask workers a cell drives, as well as the kernel.

vmprof runs inside each selected worker process for the duration of the cell: it is
started and stopped through the client (`Client.run`, Dask's own communication), with
the cell's options, by the same `ProfileRun` the kernel uses, writing into a temporary
store in the worker. At the stop each worker sends back its profile folder's files
(the raw profile, its memory map and JIT symbols: no shared file system is assumed) and
the kernel stores them as parts of the cell's profile: `workers/<n>/` in its folder,
described by `workers` in meta.json (docs/kernel.md, "Dask workers").

What cannot be profiled is said, never hidden: a worker that died while profiled is
reported by name and the other parts are kept; a worker that joined during the cell was
not profiled, and the output says so.
"""
from __future__ import annotations

import os
import shutil
import socket
import tempfile
import uuid
from dataclasses import dataclass, field
from pathlib import Path
from typing import Optional

from .profiling import ProfileOptions, ProfileRun, ProfilerUnavailable
from ..store import ProfileStore
from ..store_files import is_regular_file

WORKERS_FOLDER = "workers"
# Files a worker sends back: the profile and what names its frames. Anything else in the
# worker's temporary folder (its meta.json, locks) stays there.
PART_FILES = ("profile.prof", "maps.txt", "jit-symbols.json")
PERF_MAP_PREFIX = "perf-"

# Runs in the worker processes: the profiles under way there, by token.
_RUNNING: dict = {}


# -- in the worker -------------------------------------------------------------------------


def start_in_worker(token: str, options: dict, dask_worker=None) -> dict:
    """Start vmprof in this worker process; returns who we are (address, host, pid)."""
    folder = tempfile.mkdtemp(prefix="jupyterlab-vmprof-worker-")
    address = getattr(dask_worker, "address", "") or ""
    run = ProfileRun(ProfileOptions(**options), cell=f"Dask worker {address}", store=ProfileStore(folder))
    try:
        run.start()
    except BaseException:
        shutil.rmtree(folder, ignore_errors=True)
        raise
    if options.get("real_time"):
        _register_pool_threads()
    _RUNNING[token] = (run, folder)
    return {"address": address, "name": str(getattr(dask_worker, "name", "") or ""),
            "host": socket.gethostname(), "pid": os.getpid()}


def _register_pool_threads() -> None:
    """Real-time mode samples only registered threads, and a worker runs its tasks in
    pool threads that exist before the cell: register every thread of the worker."""
    import threading

    import vmprof

    for thread in threading.enumerate():
        if thread is not threading.current_thread() and thread.ident:
            vmprof.insert_real_time_thread(thread.ident)


def stop_in_worker(token: str, dask_worker=None) -> dict:
    """Stop vmprof here; returns the part's meta and its files' bytes, and forgets them."""
    entry = _RUNNING.pop(token, None)
    if entry is None:
        return {"error": "no profile was running in this worker (it restarted, or joined later)"}
    run, folder = entry
    try:
        meta = run.stop()
        part = Path(folder) / meta["id"]
        files = {}
        for path in sorted(part.iterdir()):
            wanted = path.name in PART_FILES or (path.name.startswith(PERF_MAP_PREFIX) and path.suffix == ".map")
            if wanted and is_regular_file(path):
                files[path.name] = path.read_bytes()
        return {"meta": _part_meta(meta), "files": files}
    finally:
        shutil.rmtree(folder, ignore_errors=True)


def _part_meta(meta: dict) -> dict:
    keep = ("status", "duration_s", "cpu_s", "error", "warnings", "guard", "threads", "profile_bytes")
    return {key: meta.get(key) for key in keep}


# -- in the kernel ---------------------------------------------------------------------------


@dataclass
class Worker:
    address: str
    name: str = ""
    host: str = ""
    pid: Optional[int] = None
    started: bool = False
    error: Optional[str] = None


@dataclass
class WorkerProfiles:
    """The workers profiled with one cell: prepare() before the kernel starts sampling,
    start() right after, stop_into() in the cell's `finally`."""

    selection: str  # "all", or addresses separated by commas
    options: ProfileOptions
    token: str = field(default_factory=lambda: uuid.uuid4().hex)
    workers: list = field(default_factory=list)
    notes: list = field(default_factory=list)
    _client: object = None

    def prepare(self) -> None:
        """Find the client and the workers, or raise ProfilerUnavailable (nothing started)."""
        if self.options.fork:
            raise ProfilerUnavailable("--workers cannot be combined with --fork. Nothing was run.")
        self._client = default_client()
        present = list(self._client.scheduler_info().get("workers", {}))
        if self.selection == "all":
            chosen = present
        else:
            chosen = [a.strip() for a in self.selection.split(",") if a.strip()]
            unknown = [a for a in chosen if a not in present]
            if unknown:
                raise ProfilerUnavailable(
                    f"no such Dask worker: {', '.join(unknown)} (the client's workers: {', '.join(present) or 'none'}). "
                    "Nothing was run."
                )
        if not chosen:
            raise ProfilerUnavailable("the Dask client has no workers to profile. Nothing was run.")
        self.workers = [Worker(address) for address in sorted(chosen)]

    def start(self) -> None:
        addresses = [w.address for w in self.workers]
        options = self.options.as_meta()
        options.update(fork=False, name="")
        try:
            replies = self._client.run(start_in_worker, self.token, options, workers=addresses, on_error="return")
        except Exception as err:  # noqa: BLE001 - the cell still runs, profiled in the kernel
            replies = {address: err for address in addresses}
        for worker in self.workers:
            reply = replies.get(worker.address)
            if isinstance(reply, dict):
                worker.started = True
                worker.name, worker.host, worker.pid = reply["name"], reply["host"], reply["pid"]
            else:
                worker.error = f"vmprof could not start in worker {worker.address}: {_reason(reply)}"
                self.notes.append(worker.error)

    def stop(self, run: ProfileRun) -> list:
        """stop_into() the kernel's profile, the kernel not sampling meanwhile; notes become its warnings."""
        with run.paused():
            parts = self.stop_into(run.store, run.profile_id)
        run.warnings.extend(note for note in self.notes if note not in run.warnings)
        return parts

    def stop_into(self, store: ProfileStore, profile_id: str) -> list:
        """Stop every started worker, store their parts in the profile; returns meta's `workers`."""
        # A worker no longer known to the scheduler has gone: asking it would only wait for
        # the connection timeout (30 s by default).
        present = self._present()
        started = [w for w in self.workers if w.started and (present is None or w.address in present)]
        replies = {}
        if started:
            try:
                replies = self._client.run(stop_in_worker, self.token, workers=[w.address for w in started],
                                           on_error="return")
            except Exception as err:  # noqa: BLE001 - the scheduler itself may be gone
                self.notes.append(f"the Dask workers could not be reached to stop profiling: {_reason(err)}")
        parts = [self._store_part(store, profile_id, index, worker, replies.get(worker.address))
                 for index, worker in enumerate(self.workers)]
        self._note_late_joiners()
        return parts

    def _store_part(self, store: ProfileStore, profile_id: str, index: int, worker: Worker, reply) -> dict:
        part = {"part": f"{WORKERS_FOLDER}/{index}", "address": worker.address, "name": worker.name,
                "host": worker.host, "pid": worker.pid}
        if not worker.started:
            return dict(part, status="failed", error=worker.error)
        if not isinstance(reply, dict) or "files" not in reply:
            why = (reply.get("error") if isinstance(reply, dict)
                   else "it left the cluster" if reply is None else _reason(reply))
            message = f"Dask worker {worker.address} ({worker.host}) died or restarted while profiled: {why}"
            self.notes.append(message)
            return dict(part, status="died", error=message)
        folder = store.folder(profile_id) / WORKERS_FOLDER / str(index)
        folder.mkdir(parents=True, exist_ok=True)
        for name, data in reply["files"].items():
            if "/" in name or name.startswith("."):
                continue  # a worker names files; it never chooses where they go
            (folder / name).write_bytes(data)
        return dict(part, **reply["meta"])

    def _present(self) -> Optional[set]:
        try:
            return set(self._client.scheduler_info().get("workers", {}))
        except Exception:  # noqa: BLE001 - unknown: ask every started worker
            return None

    def _note_late_joiners(self) -> None:
        now = self._present()
        if now is None:
            return
        profiled = {w.address for w in self.workers}
        for address in sorted(now - profiled):
            if self.selection == "all":
                self.notes.append(f"Dask worker {address} joined during the cell and was not profiled")


def default_client():
    """The cell's Dask client, or ProfilerUnavailable saying what is missing."""
    try:
        from distributed import default_client as dask_default_client
    except ImportError:
        raise ProfilerUnavailable(
            "--workers profiles Dask workers, but dask.distributed is not installed in this kernel "
            "(pip install distributed). Nothing was run."
        ) from None
    try:
        return dask_default_client()
    except ValueError:
        raise ProfilerUnavailable(
            "--workers needs a Dask client: create one first (from dask.distributed import Client; "
            "client = Client(...)). Nothing was run."
        ) from None


def _reason(reply) -> str:
    if isinstance(reply, BaseException):
        text = str(reply)
        return f"{type(reply).__name__}: {text}" if text else type(reply).__name__
    return repr(reply)
