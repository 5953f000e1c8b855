"""Hands a profile of this kernel's store to the frontend, over the kernel protocol.

Where the server cannot read this kernel's store (a kernel on another host or in a container,
Enterprise Gateway, another JUPYTERLAB_VMPROF_STORE), the frontend opens a comm to target
`jupyterlab-vmprof-transfer` with `{"id": <profile id>}` and gets back one message
`{"id", "meta": meta.json, "files": {name: gzip+base64}}` (or `{"id", "error": text}`), which
it uploads to the server (PUT profiles/<id>/transfer, server/transfer.py). Only the files of
one profile folder whose id is well formed are read; nothing else of the kernel's disk.
"""
from __future__ import annotations

import base64
import gzip
import json

from ..store import ProfileStore, StoreError
from ..store_files import JIT_SYMBOLS_FILE, MAPS_FILE, META_FILE, OUTPUT_FILE, PROFILE_FILE, SideFiles

TARGET = "jupyterlab-vmprof-transfer"
# A comm message holds the files in memory on both sides; past this the frontend is told why not.
MAX_BYTES = 256 * 1024 * 1024


def profile_message(store: ProfileStore, profile_id: str) -> dict:
    try:
        store.check_id(profile_id)
        folder = store.existing_folder(profile_id)
        meta = json.loads((folder / META_FILE).read_text(encoding="utf-8"))
        side = SideFiles.of(folder)
        paths = {PROFILE_FILE: side.profile, MAPS_FILE: side.maps, JIT_SYMBOLS_FILE: side.jit_symbols,
                 OUTPUT_FILE: side.output, **{path.name: path for path in side.perf_maps}}
        paths = {name: path for name, path in paths.items() if path is not None}
        if PROFILE_FILE not in paths:
            return {"id": profile_id, "error": "the kernel's store has no raw profile for this id"}
        size = sum(path.stat().st_size for path in paths.values())
        if size > MAX_BYTES:
            return {"id": profile_id, "error": f"the profile's files are {size} bytes, over {MAX_BYTES}"}
        files = {name: base64.b64encode(gzip.compress(path.read_bytes(), 6)).decode("ascii")
                 for name, path in paths.items()}
    except (StoreError, OSError, ValueError) as err:
        return {"id": profile_id, "error": str(getattr(err, "message", err))}
    return {"id": profile_id, "meta": meta, "files": files}


def _on_open(comm, message) -> None:
    request = (message.get("content") or {}).get("data") or {}
    profile_id = request.get("id") if isinstance(request.get("id"), str) else ""
    try:
        comm.send(profile_message(ProfileStore(), profile_id))
    finally:
        comm.close()


def register(ipython) -> None:
    """Offer the comm target in ipykernel; elsewhere (terminal IPython) there is no frontend to ask."""
    if getattr(ipython, "kernel", None) is None:
        return
    try:
        import comm

        comm.get_comm_manager().register_target(TARGET, _on_open)
    except Exception:  # noqa: BLE001 - the magic works without it; only remote stores need it
        pass
