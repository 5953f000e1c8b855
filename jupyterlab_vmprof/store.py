"""The profile store: one folder per profile, shared by the kernel and the server.

Layout and metadata fields are fixed in docs/architecture.md. The kernel creates
profiles and finishes them; the server lists, reads, renames, deletes and imports
them. Every public method validates the profile id first, so no request can reach
a path outside the store.
"""
from __future__ import annotations

import datetime as _dt
import errno
import fcntl
import json
import os
import re
import secrets
import shutil
import socket
import stat
import sys
from contextlib import contextmanager
from functools import lru_cache
from pathlib import Path
from typing import Any, Callable, Iterator, Optional

from .store_files import (  # noqa: F401 - the store's file names and errors are imported from here
    JIT_SYMBOLS_FILE, LOCK_FILE, MAPS_FILE, META_FILE, OUTPUT_FILE, PERF_MAP_GLOB, PROFILE_FILE, ProfileMeta,
    SideFiles, StoreError, damaged_meta, is_regular_file, write_failure,
)
from .store_import import PendingImport
from .store_index import ListIndex

STORE_ENV = "JUPYTERLAB_VMPROF_STORE"
STORE_FORMAT = 1
ID_PATTERN = re.compile(r"[0-9]{8}T[0-9]{6}-[0-9a-f]{8}")
MAX_NAME_LENGTH = 200
# "damaged": listed for a profile whose meta.json cannot be read; never written.
STATUSES = ("running", "complete", "failed", "interrupted", "damaged")
# Largest pid Linux hands out (pid_max is at most 2^22): anything else is not a live process.
MAX_PID = 2**22


def default_store_root() -> Path:
    """Where kernel and server both look when nothing is configured."""
    configured = os.environ.get(STORE_ENV)
    if configured:
        return Path(configured).expanduser()
    from jupyter_core.paths import jupyter_data_dir

    return Path(jupyter_data_dir()) / "vmprof" / "profiles"


def utc_now() -> _dt.datetime:
    return _dt.datetime.now(_dt.timezone.utc)


def iso(moment: _dt.datetime) -> str:
    return moment.isoformat(timespec="milliseconds").replace("+00:00", "Z")


def _process_start_ticks(pid: int) -> Optional[int]:
    """Start time of a process in clock ticks (Linux), to tell a reused pid apart."""
    try:
        stat = Path(f"/proc/{pid}/stat").read_text()
    except OSError:
        return None
    # The command name (field 2) may hold spaces and parentheses: split after the last ')'.
    fields = stat[stat.rfind(")") + 2 :].split()
    try:
        return int(fields[19])
    except (IndexError, ValueError):
        return None


def _process_alive(pid: int, start_ticks: Optional[int]) -> bool:
    if not 0 < pid < MAX_PID:
        return False
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    if start_ticks is not None:
        current = _process_start_ticks(pid)
        if current is not None and current != start_ticks:
            return False
    return True


def write_json_atomic(path: Path, data: Any, sync: bool = True) -> None:
    """Write JSON so that readers see the old file or the new one, never half of one.

    `sync=False` leaves the fsync to a later `sync_files` (readers never need it; only a
    machine that loses power before the page cache is written back does)."""
    tmp = path.with_name(f".{path.name}.{os.getpid()}.{secrets.token_hex(4)}.tmp")
    try:
        with open(tmp, "w", encoding="utf-8") as handle:
            json.dump(data, handle, indent=1, sort_keys=True)
            handle.flush()
            if sync:
                os.fsync(handle.fileno())
        os.replace(tmp, path)
    finally:
        if tmp.exists():
            tmp.unlink()


def sync_files(folder: Path, names: tuple) -> None:
    """fsync the named files of `folder` (those present), then the folder (their renames)."""
    for path in [folder / name for name in names] + [folder]:
        try:
            fd = os.open(path, os.O_RDONLY | getattr(os, "O_NOFOLLOW", 0))
        except OSError:
            continue
        try:
            os.fsync(fd)
        except OSError:
            pass  # durability is best effort here: the data is written and readable
        finally:
            os.close(fd)


def _rewrite_in_place(path: Path, data: Any) -> bool:
    """Last resort on a full disk: overwrite the file within the space it already holds, so
    that a profile's final status is not lost for want of one block. Not atomic: only
    under the profile's lock."""
    encoded = json.dumps(data, indent=1, sort_keys=True).encode("utf-8")
    try:
        if len(encoded) > os.stat(path).st_blocks * 512:
            return False
        with open(path, "r+b") as handle:
            handle.write(encoded)
            handle.truncate()
            handle.flush()
            os.fsync(handle.fileno())
    except OSError:
        return False
    return True


class ProfileStore:
    """A folder of profile folders. Plain class: no Jupyter, no IPython.

    Every change of a meta.json goes through `update`, which holds the profile's lock
    file while it reads, changes and replaces meta.json, so the kernel and the server
    (separate processes) never undo each other's changes.
    """

    def __init__(self, root: Optional[os.PathLike | str] = None, sync_writes: bool = True):
        self.root = Path(root).expanduser() if root else default_store_root()
        # False: meta.json is written without fsync; the writer calls sync() later, off its
        # critical path (a profiled cell's kernel: the fsyncs cost it 2-15 ms each).
        self.sync_writes = sync_writes
        self._index = ListIndex(self.root, self._read_listed)

    # ids and paths ---------------------------------------------------------------

    @staticmethod
    def new_id(moment: Optional[_dt.datetime] = None) -> str:
        moment = moment or utc_now()
        return f"{moment.strftime('%Y%m%dT%H%M%S')}-{secrets.token_hex(4)}"

    @staticmethod
    def check_id(profile_id: str) -> str:
        if not isinstance(profile_id, str) or not ID_PATTERN.fullmatch(profile_id):
            raise StoreError("bad-id", f"not a profile id: {profile_id!r}")
        return profile_id

    def folder(self, profile_id: str) -> Path:
        return self.root / self.check_id(profile_id)

    def existing_folder(self, profile_id: str) -> Path:
        folder = self.folder(profile_id)
        # A symlinked folder or meta.json could lead reads, writes and deletes outside the store.
        if folder.is_symlink() or not is_regular_file(folder / META_FILE):
            raise StoreError("not-found", f"no profile {profile_id} in the store")
        return folder

    def profile_path(self, profile_id: str) -> Path:
        return self.folder(profile_id) / PROFILE_FILE

    def side_files(self, profile_id: str) -> SideFiles:
        return SideFiles.of(self.existing_folder(profile_id))

    def make_root(self) -> None:
        """The store folder, private: profiles hold source code and paths."""
        try:
            self.root.mkdir(parents=True, exist_ok=True, mode=0o700)
            if stat.S_IMODE(self.root.stat().st_mode) & 0o077:
                os.chmod(self.root, 0o700)
        except OSError as err:
            raise StoreError("unwritable", f"cannot create the profile store {self.root}: {err.strerror}") from err

    # creating ---------------------------------------------------------------------

    def create(
        self,
        *,
        name: str = "",
        notebook: str = "",
        cell: str = "",
        options: Optional[dict] = None,
        status: str = "running",
    ) -> dict:
        """Make a new profile folder, visible only once its meta.json is complete."""
        self.make_root()
        started = utc_now()
        profile_id = self.new_id(started)
        meta: ProfileMeta = {
            "id": profile_id,
            "name": clean_name(name) or profile_id,
            "status": status,
            "notebook": notebook,
            "cell": cell,
            "options": dict(options or {}),
            "started": iso(started),
            "finished": None,
            "duration_s": None,
            "pid": os.getpid(),
            "pid_start": _process_start_ticks(os.getpid()),
            "hostname": socket.gethostname(),
            "python": sys.version.split()[0],
            "vmprof_version": _vmprof_version(),
            "error": None,
            "warnings": [],
            "samples": None,
            "store_format": STORE_FORMAT,
        }
        staging = self.root / f".staging-{profile_id}"
        try:
            staging.mkdir(mode=0o700)
            write_json_atomic(staging / META_FILE, meta, self.sync_writes)
            os.replace(staging, self.root / profile_id)
        except OSError as err:
            shutil.rmtree(staging, ignore_errors=True)
            raise write_failure(err, f"writing to the profile store {self.root}") from err
        self._index.changed(profile_id)
        return dict(meta)

    # reading ----------------------------------------------------------------------

    def read_meta(self, profile_id: str) -> dict:
        return self._resolve_status(self._load(self.existing_folder(profile_id), profile_id))

    @staticmethod
    def _load(folder: Path, profile_id: str) -> dict:
        try:
            meta = json.loads((folder / META_FILE).read_text(encoding="utf-8"))
        except (OSError, ValueError, RecursionError) as err:
            raise StoreError("corrupt", f"metadata of profile {profile_id} cannot be read: {err}") from err
        if not isinstance(meta, dict) or not isinstance(meta.get("id"), str):
            raise StoreError("corrupt", f"metadata of profile {profile_id} is not a JSON object with an id")
        return meta

    def _resolve_status(self, meta: dict) -> dict:
        """A profile still 'running' whose process is gone was interrupted (kill -9, crash)."""
        if meta.get("status") == "running" and meta.get("hostname") == socket.gethostname():
            pid = meta.get("pid")
            start = meta.get("pid_start")
            if isinstance(pid, int) and not _process_alive(pid, start if isinstance(start, int) else None):
                meta = dict(meta, status="interrupted")
        return meta

    def ids(self) -> list[str]:
        if not self.root.is_dir():
            return []
        return sorted(
            (entry.name for entry in os.scandir(self.root) if entry.is_dir() and ID_PATTERN.fullmatch(entry.name)),
            reverse=True,
        )

    def list(self, page: int = 1, per_page: int = 50, notebook: Optional[str] = None) -> dict:
        """Newest first (ids start with the UTC start time), paged, optionally one notebook's."""
        page = max(1, int(page))
        per_page = min(max(1, int(per_page)), 1000)
        metas = self._index.newest_first()
        if notebook:
            metas = [meta for meta in metas if meta.get("notebook") == notebook]
        start = (page - 1) * per_page
        shown = [self._resolve_status(dict(meta)) for meta in metas[start : start + per_page]]
        return {"profiles": shown, "total": len(metas), "page": page, "per_page": per_page}

    def _read_listed(self, profile_id: str) -> Optional[dict]:
        """The meta of a listed profile; a damaged one stands in for unreadable metadata."""
        try:
            return self._load(self.existing_folder(profile_id), profile_id)
        except StoreError as err:
            if err.code == "not-found":
                return None  # a folder being deleted, or foreign: not a profile
            return damaged_meta(profile_id, err.message)

    # changing ---------------------------------------------------------------------

    @contextmanager
    def locked(self, profile_id: str) -> Iterator[Path]:
        """Hold the profile's lock (shared by every process using the store); yields its folder."""
        folder = self.existing_folder(profile_id)
        try:
            fd = os.open(folder / LOCK_FILE, os.O_RDWR | os.O_CREAT | getattr(os, "O_NOFOLLOW", 0), 0o600)
        except OSError as err:
            raise write_failure(err, f"locking profile {profile_id}") from err
        try:
            fcntl.flock(fd, fcntl.LOCK_EX)
            yield folder
        finally:
            os.close(fd)  # closing releases the lock

    def update(self, profile_id: str, change: Callable[[dict], Optional[dict]]) -> dict:
        """The one read-modify-write of meta.json: `change(meta)` edits it in place (or returns
        a new one) while the profile is locked."""
        with self.locked(profile_id) as folder:
            meta = self._load(folder, profile_id)
            replaced = change(meta)
            meta = replaced if replaced is not None else meta
            try:
                write_json_atomic(folder / META_FILE, meta, self.sync_writes)
            except OSError as err:
                if not (err.errno == errno.ENOSPC and _rewrite_in_place(folder / META_FILE, meta)):
                    raise write_failure(err, f"updating the metadata of profile {profile_id}") from err
        self._index.changed(profile_id)
        return self._resolve_status(meta)

    def sync(self, profile_id: str, names: tuple = ()) -> None:
        """fsync the profile's meta.json, the files `names` and the folder: what a store
        made with sync_writes=False left to be made durable later."""
        try:
            folder = self.existing_folder(profile_id)
        except StoreError:
            return
        sync_files(folder, (META_FILE, *names))

    def update_meta(self, profile_id: str, **changes: Any) -> dict:
        return self.update(profile_id, lambda meta: meta.update(changes))

    def rename(self, profile_id: str, name: str) -> dict:
        cleaned = clean_name(name)
        if not cleaned:
            raise StoreError("bad-request", "a profile name cannot be empty")
        return self.update_meta(profile_id, name=cleaned)

    def delete(self, profile_id: str) -> None:
        folder = self.existing_folder(profile_id)
        # Rename first so a listing never sees a half-deleted profile.
        doomed = self.root / f".deleting-{profile_id}-{secrets.token_hex(4)}"
        os.replace(folder, doomed)
        self._index.changed(profile_id)
        shutil.rmtree(doomed, ignore_errors=True)

    def start_import(self, max_bytes: int = 512 * 1024 * 1024) -> PendingImport:
        """A file in the store that an import is written to piece by piece (see PendingImport)."""
        self.make_root()
        return PendingImport(self, max_bytes)

    def import_profile(self, data: bytes, name: str = "", max_bytes: int = 512 * 1024 * 1024) -> dict:
        """Store a .prof made elsewhere (python -m vmprof, another machine)."""
        pending = self.start_import(max_bytes)
        try:
            pending.write(data)
            return pending.finish(name)
        finally:
            pending.abort()

    def adopt_import(self, data_file: Path, size: int, name: str) -> dict:
        """Make a complete profile of an imported file (moved into the new profile folder)."""
        meta = self.create(name=name or "imported profile", status="running", options={"imported": True})
        folder = self.folder(meta["id"])
        try:
            os.replace(data_file, folder / PROFILE_FILE)
        except OSError as err:
            shutil.rmtree(folder, ignore_errors=True)
            self._index.changed(meta["id"])
            raise write_failure(err, "storing the imported profile") from err
        return self.update_meta(meta["id"], status="complete", finished=meta["started"], pid=None,
                                profile_bytes=size)


def clean_name(name: Any) -> str:
    """Names are plain text of bounded length; control characters are dropped."""
    text = "".join(ch for ch in str(name or "") if ch.isprintable())
    return text.strip()[:MAX_NAME_LENGTH]


@lru_cache(maxsize=1)
def _vmprof_version() -> Optional[str]:
    """The installed vmprof's version, read once per process: reading the package metadata took
    ~2 ms of every profiled cell, and a process keeps the vmprof it imported anyway."""
    try:
        from importlib.metadata import version

        return version("vmprof")
    except Exception:  # noqa: BLE001 - vmprof missing is reported by the magic, not here
        return None
