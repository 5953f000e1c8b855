"""The processes of a `%%vmprof --workers` profile, as the converter sees them.

Such a profile holds the kernel's files in its folder and one part per Dask worker in
`workers/<n>/` (kernel/workers.py), listed by meta.json's `workers`. A conversion is
asked for one process: `kernel` (the default, and the only one of other profiles),
`worker-<n>`, or `workers`, every worker's part merged into one profile whose thread
ids start with the worker's label (`vmprof-convert --parts`, src/node/parts.ts).
"""
from __future__ import annotations

import json
import re
from pathlib import Path
from typing import Optional

from ..store import ProfileStore, StoreError
from ..store_files import SideFiles

PROCESS_PATTERN = re.compile(r"kernel|workers|worker-[0-9]{1,4}")
WORKERS_FOLDER = "workers"


def part_label(index: int, address: str) -> str:
    """`worker 0 (10.0.0.5:40123)`: the address without its scheme; never a '/' (it ends
    the process part of a merged thread id)."""
    where = address.split("://", 1)[-1].replace("/", "_") if address else "?"
    return f"worker {index} ({where})"


def worker_parts(store: ProfileStore, profile_id: str) -> list[tuple[str, SideFiles]]:
    """(label, files) of every worker part that holds a profile, in part order."""
    meta = store.read_meta(profile_id)
    folder = store.existing_folder(profile_id)
    parts = []
    for index, worker in enumerate(meta.get("workers") or []):
        if not isinstance(worker, dict):
            continue
        side = SideFiles.of(folder / WORKERS_FOLDER / str(index))
        if side.profile is not None:
            parts.append((part_label(index, str(worker.get("address") or "")), side))
    return parts


def process_inputs(store: ProfileStore, profile_id: str, process: str, manifest_dir: Path) -> Optional[dict]:
    """Converter inputs for a worker process (None for the kernel's, the profile's own files)."""
    if process == "kernel":
        return None
    parts = worker_parts(store, profile_id)
    if not parts:
        raise StoreError("not-found", f"profile {profile_id} has no Dask worker parts")
    if process == "workers":
        return _manifest_inputs(parts, manifest_dir)
    index = int(process.split("-", 1)[1])
    wanted = f"worker {index} ("
    for label, side in parts:
        if label.startswith(wanted):
            return {"profile_path": side.profile, "perf_maps": side.perf_maps, "jit_symbols": side.jit_symbols,
                    "maps": side.maps}
    raise StoreError("not-found", f"profile {profile_id} has no profile of Dask worker {index}")


def _manifest_inputs(parts: list, manifest_dir: Path) -> dict:
    entries = [{"label": label, "profile": str(side.profile), "maps": _text(side.maps),
                "jitSymbols": _text(side.jit_symbols), "perfMaps": [str(p) for p in side.perf_maps]}
               for label, side in parts]
    text = json.dumps({"parts": entries}, sort_keys=True)
    manifest_dir.mkdir(parents=True, exist_ok=True)
    manifest = manifest_dir / "workers-parts.json"
    if not manifest.is_file() or manifest.read_text(encoding="utf-8") != text:
        tmp = manifest.with_name(manifest.name + ".tmp")
        tmp.write_text(text, encoding="utf-8")
        tmp.replace(manifest)
    files = [f for _, side in parts for f in (side.profile, side.maps, side.jit_symbols, *side.perf_maps) if f]
    return {"profile_path": manifest, "perf_maps": [], "jit_symbols": None, "maps": None,
            "parts": True, "part_files": files}


def _text(path: Optional[Path]) -> Optional[str]:
    return str(path) if path is not None else None
