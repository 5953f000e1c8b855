"""The profile store: one folder per profile, shared by the kernel and the server.

Layout and metadata fields are fixed in docs/architecture.md. The kernel creates
profiles and finishes them; the server lists, reads, renames, deletes and imports
them. Every public method validates the profile id first, so no request can reach
a path outside the store.
"""
from __future__ import annotations

import datetime as _dt
import json
import os
import re
import secrets
import shutil
import socket
import sys
from pathlib import Path
from typing import Any, Iterable, Optional

STORE_ENV = "JUPYTERLAB_VMPROF_STORE"
STORE_FORMAT = 1
META_FILE = "meta.json"
PROFILE_FILE = "profile.prof"
ID_PATTERN = re.compile(r"^[0-9]{8}T[0-9]{6}-[0-9a-f]{8}$")
MAX_NAME_LENGTH = 200
STATUSES = ("running", "complete", "failed", "interrupted")


class StoreError(Exception):
    """A store operation that cannot be done; `code` maps to an HTTP status."""

    def __init__(self, code: str, message: str):
        super().__init__(message)
        self.code = code
        self.message = message


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


def write_json_atomic(path: Path, data: Any) -> None:
    """Write JSON so that readers see the old file or the new one, never half of one."""
    tmp = path.with_name(f".{path.name}.{os.getpid()}.{secrets.token_hex(4)}.tmp")
    try:
        with open(tmp, "w", encoding="utf-8") as handle:
            json.dump(data, handle, indent=1, sort_keys=True)
            handle.flush()
            os.fsync(handle.fileno())
        os.replace(tmp, path)
    finally:
        if tmp.exists():
            tmp.unlink()


class ProfileStore:
    """A folder of profile folders. Plain class: no Jupyter, no IPython."""

    def __init__(self, root: Optional[os.PathLike | str] = None):
        self.root = Path(root).expanduser() if root else default_store_root()

    # ids and paths ---------------------------------------------------------------

    @staticmethod
    def new_id(moment: Optional[_dt.datetime] = None) -> str:
        moment = moment or utc_now()
        return f"{moment.strftime('%Y%m%dT%H%M%S')}-{secrets.token_hex(4)}"

    @staticmethod
    def check_id(profile_id: str) -> str:
        if not isinstance(profile_id, str) or not ID_PATTERN.match(profile_id):
            raise StoreError("bad-id", f"not a profile id: {profile_id!r}")
        return profile_id

    def folder(self, profile_id: str) -> Path:
        return self.root / self.check_id(profile_id)

    def existing_folder(self, profile_id: str) -> Path:
        folder = self.folder(profile_id)
        # A symlinked folder or meta.json could lead reads, writes and deletes outside the store.
        if folder.is_symlink() or (folder / META_FILE).is_symlink() or not (folder / META_FILE).is_file():
            raise StoreError("not-found", f"no profile {profile_id} in the store")
        return folder

    def profile_path(self, profile_id: str) -> Path:
        return self.folder(profile_id) / PROFILE_FILE

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
        try:
            self.root.mkdir(parents=True, exist_ok=True)
        except OSError as err:
            raise StoreError("unwritable", f"cannot create the profile store {self.root}: {err.strerror}") from err
        started = utc_now()
        profile_id = self.new_id(started)
        meta = {
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
            staging.mkdir()
            write_json_atomic(staging / META_FILE, meta)
            os.replace(staging, self.root / profile_id)
        except OSError as err:
            shutil.rmtree(staging, ignore_errors=True)
            raise StoreError("unwritable", f"cannot write to the profile store {self.root}: {err.strerror}") from err
        return meta

    # reading ----------------------------------------------------------------------

    def read_meta(self, profile_id: str) -> dict:
        folder = self.existing_folder(profile_id)
        try:
            meta = json.loads((folder / META_FILE).read_text(encoding="utf-8"))
        except (OSError, ValueError) as err:
            raise StoreError("corrupt", f"metadata of profile {profile_id} cannot be read: {err}") from err
        return self._resolve_status(meta)

    def _resolve_status(self, meta: dict) -> dict:
        """A profile still 'running' whose process is gone was interrupted (kill -9, crash)."""
        if meta.get("status") == "running" and meta.get("hostname") == socket.gethostname():
            pid = meta.get("pid")
            if isinstance(pid, int) and not _process_alive(pid, meta.get("pid_start")):
                meta = dict(meta, status="interrupted")
        return meta

    def ids(self) -> list[str]:
        if not self.root.is_dir():
            return []
        return sorted(
            (entry.name for entry in os.scandir(self.root) if entry.is_dir() and ID_PATTERN.match(entry.name)),
            reverse=True,
        )

    def list(self, page: int = 1, per_page: int = 50, notebook: Optional[str] = None) -> dict:
        """Newest first (ids start with the UTC start time), paged, optionally one notebook's."""
        page = max(1, int(page))
        per_page = min(max(1, int(per_page)), 1000)
        metas = list(self._all_metas())
        if notebook:
            metas = [meta for meta in metas if meta.get("notebook") == notebook]
        start = (page - 1) * per_page
        return {"profiles": metas[start : start + per_page], "total": len(metas), "page": page, "per_page": per_page}

    def _all_metas(self) -> Iterable[dict]:
        for profile_id in self.ids():
            try:
                yield self.read_meta(profile_id)
            except StoreError:
                continue  # a folder being deleted, or foreign: skip rather than fail the listing

    # changing ---------------------------------------------------------------------

    def update_meta(self, profile_id: str, **changes: Any) -> dict:
        folder = self.existing_folder(profile_id)
        meta = json.loads((folder / META_FILE).read_text(encoding="utf-8"))
        meta.update(changes)
        write_json_atomic(folder / META_FILE, meta)
        return self._resolve_status(meta)

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
        shutil.rmtree(doomed, ignore_errors=True)

    def import_profile(self, data: bytes, name: str = "", max_bytes: int = 512 * 1024 * 1024) -> dict:
        """Store a .prof made elsewhere (python -m vmprof, another machine)."""
        if len(data) > max_bytes:
            raise StoreError("too-large", f"the file is {len(data)} bytes; the limit is {max_bytes}")
        if len(data) < 16:
            raise StoreError("bad-request", "the file is too short to be a vmprof profile")
        meta = self.create(name=name or "imported profile", status="running", options={"imported": True})
        folder = self.folder(meta["id"])
        try:
            with open(folder / PROFILE_FILE, "wb") as handle:
                handle.write(data)
        except OSError as err:
            shutil.rmtree(folder, ignore_errors=True)
            raise StoreError("unwritable", f"cannot write the imported profile: {err.strerror}") from err
        return self.update_meta(meta["id"], status="complete", finished=meta["started"], pid=None)


def clean_name(name: Any) -> str:
    """Names are plain text of bounded length; control characters are dropped."""
    text = "".join(ch for ch in str(name or "") if ch.isprintable())
    return text.strip()[:MAX_NAME_LENGTH]


def _vmprof_version() -> Optional[str]:
    try:
        from importlib.metadata import version

        return version("vmprof")
    except Exception:  # noqa: BLE001 - vmprof missing is reported by the magic, not here
        return None
