"""The list of a profile store, kept in memory and refreshed from what changed.

Reading every meta.json on each list request costs ~85 ms per 1,000 profiles. Instead
every change made through the store (in any process: the kernel, the server, the
command line) appends the profile id to the store's change journal, `.changes`,
after meta.json is replaced. A listing then reads only the metadata of the ids
appended since it last looked, plus that of folders that appeared or vanished in
the store folder (a profile copied in by hand is listed too). The store folder is
read again only when its modification time changed, or was too recent to tell a
later change in the same clock tick apart (RACY_S).

The journal is rewritten from empty when it grows past JOURNAL_LIMIT; a reader that
finds another file (inode) or a shorter one reads everything again.
"""
from __future__ import annotations

import os
import re
import threading
import time
from pathlib import Path
from typing import Callable, Optional

JOURNAL_FILE = ".changes"
JOURNAL_LIMIT = 1024 * 1024
ID_PATTERN = re.compile(r"[0-9]{8}T[0-9]{6}-[0-9a-f]{8}")
# A folder modified this close to when it was read may change again with the same mtime.
RACY_S = 1.0


class ListIndex:
    """Every profile's meta, newest first. `read(id)` gives one meta, or None for no profile."""

    def __init__(self, root: Path, read: Callable[[str], Optional[dict]]):
        self.root = root
        self.read = read
        self._metas: dict[str, dict] = {}
        self._newest_first: list[dict] = []
        self._position: dict[str, int] = {}  # id -> its place in _newest_first
        self._folder_seen: Optional[tuple[int, float]] = None  # (mtime_ns, when read)
        self._present: set[str] = set()
        self._journal: Optional[tuple[int, int]] = None  # (inode, bytes read)
        self._lock = threading.Lock()

    # writers --------------------------------------------------------------------------

    def changed(self, profile_id: str) -> None:
        """Tell every process's index that this profile changed (after the change is on disk)."""
        path = self.root / JOURNAL_FILE
        try:
            fd = os.open(path, os.O_WRONLY | os.O_APPEND | os.O_CREAT | getattr(os, "O_NOFOLLOW", 0), 0o600)
        except OSError:
            return  # readers then see the folder only through the directory read
        try:
            # One write of a short line with O_APPEND: lines of processes never interleave.
            os.write(fd, f"{profile_id}\n".encode())
            size = os.fstat(fd).st_size
        except OSError:
            size = 0
        finally:
            os.close(fd)
        if size > JOURNAL_LIMIT:
            self._restart_journal(path)

    @staticmethod
    def _restart_journal(path: Path) -> None:
        fresh = path.with_name(f"{JOURNAL_FILE}.{os.getpid()}.tmp")
        try:
            fresh.write_bytes(b"")
            os.replace(fresh, path)
        except OSError:
            fresh.unlink(missing_ok=True)

    # readers --------------------------------------------------------------------------

    def newest_first(self) -> list[dict]:
        """Every profile's meta, newest first (the caller must not change the list)."""
        with self._lock:
            self._refresh()
            return self._newest_first

    def _refresh(self) -> None:
        changed = self._journal_changes()
        if changed is None:  # no journal, or a new one: nothing known can be trusted
            self._metas.clear()
            self._folder_seen = None
            changed = set()
        listed = self._present
        present = self._folder_ids()
        if present is listed and not changed and self._metas:
            return  # nothing changed: the usual case
        gone = self._metas.keys() - present
        new = present - self._metas.keys()
        for profile_id in gone:
            self._metas.pop(profile_id, None)
        for profile_id in new | (changed & present):
            meta = self.read(profile_id)
            if meta is None:
                self._metas.pop(profile_id, None)
            else:
                self._metas[profile_id] = meta
        if gone or new or self._position.keys() != self._metas.keys():
            order = sorted(self._metas, reverse=True)
            self._newest_first = [self._metas[profile_id] for profile_id in order]
            self._position = {profile_id: place for place, profile_id in enumerate(order)}
        else:  # the same profiles: changed metadata replaces its own entries only
            for profile_id in changed & self._metas.keys():
                self._newest_first[self._position[profile_id]] = self._metas[profile_id]

    def _folder_ids(self) -> set[str]:
        """The profile folders in the store, read again only when the store folder changed."""
        try:
            mtime = os.stat(self.root).st_mtime_ns
        except OSError:
            self._folder_seen, self._present = None, set()
            return self._present
        now = time.time()
        seen = self._folder_seen
        if seen is not None and seen[0] == mtime and seen[1] - mtime / 1e9 > RACY_S:
            return self._present
        try:
            self._present = {name for name in os.listdir(self.root) if ID_PATTERN.fullmatch(name)}
        except OSError:
            self._present = set()
        self._folder_seen = (mtime, now)
        return self._present

    def _journal_changes(self) -> Optional[set[str]]:
        """Ids appended since the last look; None when everything must be read again."""
        path = self.root / JOURNAL_FILE
        if not path.exists() and self.root.is_dir():
            self._restart_journal(path)  # a store made before the journal: start one
        try:
            with open(path, "rb") as handle:
                inode = os.fstat(handle.fileno()).st_ino
                known_inode, offset = self._journal or (None, 0)
                if inode != known_inode:
                    offset = 0
                handle.seek(offset)
                data = handle.read()
        except OSError:
            self._journal = None
            return None
        # A line still being written (no newline yet) is read next time.
        complete = data[: data.rfind(b"\n") + 1]
        fresh = self._journal is None or inode != self._journal[0]
        self._journal = (inode, offset + len(complete))
        if fresh:
            return None
        return {line.decode("ascii", "replace") for line in complete.split(b"\n") if line}
