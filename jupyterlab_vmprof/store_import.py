"""An import being received: written to the store piece by piece as it arrives."""
from __future__ import annotations

import os
import secrets
from typing import Any

from .store_files import StoreError, write_failure


class PendingImport:
    """An import being received: bytes go to a hidden file in the store as they arrive, the
    size limit is checked on each piece, and a failure removes the file."""

    MIN_BYTES = 16

    def __init__(self, store: Any, max_bytes: int):
        self.store = store
        self.max_bytes = max_bytes
        self.size = 0
        self.path = store.root / f".import-{secrets.token_hex(8)}.tmp"
        try:
            self._handle = open(os.open(self.path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600), "wb")
        except OSError as err:
            raise write_failure(err, "receiving the imported profile") from err

    def check_size(self, size: int) -> None:
        if size > self.max_bytes:
            raise StoreError("too-large", f"the profile is over {self.max_bytes} bytes, the limit")

    def write(self, data: bytes) -> None:
        self.check_size(self.size + len(data))
        try:
            self._handle.write(data)
        except OSError as err:
            self.abort()
            raise write_failure(err, "receiving the imported profile") from err
        self.size += len(data)

    def finish(self, name: str = "") -> dict:
        if self.size < self.MIN_BYTES:
            raise StoreError("bad-request", "the file is too short to be a vmprof profile")
        try:
            self._handle.close()
        except OSError as err:
            raise write_failure(err, "receiving the imported profile") from err
        return self.store.adopt_import(self.path, self.size, name)

    def abort(self) -> None:
        """Drop what was received (nothing, after finish moved the file away)."""
        try:
            self._handle.close()
        except OSError:
            pass
        self.path.unlink(missing_ok=True)
