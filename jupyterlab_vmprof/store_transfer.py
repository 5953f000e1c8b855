"""A profile that arrives with its own id: from a kernel whose store this server cannot read
(another host or container, another store path), or from the copy saved in a notebook output.

The sender gives meta.json's fields and the profile's files; the profile lands in this store
under the same id, so the output under the cell, the browser, exports and compare find it as
if the kernel had written it here. An id already in the store is left alone (the answer says
so): the first copy wins, and a second sender cannot replace a profile.
"""
from __future__ import annotations

import json
import os
import re
import secrets
import shutil
from typing import Any

from .store import STORE_FORMAT, ProfileStore, StoreError, clean_name, write_failure, write_json_atomic
from .store_files import JIT_SYMBOLS_FILE, MAPS_FILE, META_FILE, OUTPUT_FILE, PROFILE_FILE

# The files a profile folder may receive; nothing else, and no paths.
FILE_NAMES = {PROFILE_FILE, MAPS_FILE, JIT_SYMBOLS_FILE, OUTPUT_FILE}
PERF_MAP = re.compile(r"^perf-[0-9]{1,10}\.map$")
FINAL_STATUS = {"complete", "failed", "interrupted"}
MAX_META_BYTES = 4 * 1024 * 1024
# Set here, never taken from the sender.
OWN_KEYS = {"id", "pid", "pid_start", "store_format"}


def allowed_name(name: Any) -> bool:
    return isinstance(name, str) and (name in FILE_NAMES or bool(PERF_MAP.match(name)))


def clean_meta(profile_id: str, sent: Any) -> dict:
    """The sender's meta.json, made safe to list: our id, a final status, no live pid."""
    if not isinstance(sent, dict):
        raise StoreError("bad-request", "meta must be a JSON object")
    if len(json.dumps(sent)) > MAX_META_BYTES:
        raise StoreError("too-large", f"meta is over {MAX_META_BYTES} bytes")
    meta = {key: value for key, value in sent.items() if isinstance(key, str) and key not in OWN_KEYS}
    status = meta.get("status")
    # A profile the kernel has not finished (or lost) is shown as interrupted, never running:
    # no process of this machine can finish it.
    meta["status"] = status if status in FINAL_STATUS else "interrupted"
    meta["name"] = clean_name(meta.get("name")) or profile_id
    for key in ("notebook", "cell"):
        meta[key] = meta[key] if isinstance(meta.get(key), str) else ""
    meta["warnings"] = [w for w in meta.get("warnings") or [] if isinstance(w, str)] \
        if isinstance(meta.get("warnings"), list) else []
    meta.update(id=profile_id, pid=None, pid_start=None, store_format=STORE_FORMAT, transferred=True)
    return meta


def receive(store: ProfileStore, profile_id: str, sent_meta: Any, files: dict[str, bytes]) -> tuple[dict, bool]:
    """(meta, True) once the profile is in the store; (the stored meta, False) if the id was there."""
    store.check_id(profile_id)
    if (store.root / profile_id).exists():
        return store.read_meta(profile_id), False
    bad = [name for name in files if not allowed_name(name)]
    if bad:
        raise StoreError("bad-request", f"not a profile file: {bad[0]!r}")
    if len(files.get(PROFILE_FILE) or b"") < 16:
        raise StoreError("bad-request", "the raw profile (profile.prof) is missing or too short")
    meta = clean_meta(profile_id, sent_meta)
    meta["profile_bytes"] = len(files[PROFILE_FILE])
    store.make_root()
    staging = store.root / f".staging-{profile_id}-{secrets.token_hex(4)}"
    try:
        staging.mkdir(mode=0o700)
        for name, data in files.items():
            with open(os.open(staging / name, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600), "wb") as handle:
                handle.write(data)
        write_json_atomic(staging / META_FILE, meta)
        os.rename(staging, store.root / profile_id)  # fails if another copy arrived meanwhile
    except OSError as err:
        shutil.rmtree(staging, ignore_errors=True)
        if (store.root / profile_id).exists():
            return store.read_meta(profile_id), False
        raise write_failure(err, f"writing to the profile store {store.root}") from err
    store._index.changed(profile_id)  # the list index learns of the new folder, as store.create() does
    return store.read_meta(profile_id), True
