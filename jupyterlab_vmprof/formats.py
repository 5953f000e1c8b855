"""The file formats the project writes, as the TypeScript registry declares them.

The one list lives in src/formats/registry.ts; the build writes it to formats.json
beside this module (`jlpm build:formats`, part of `jlpm build` and of the
package build). The server's export route, its conversion cache and the command
line all read it from here, so adding a format touches no Python.
"""
from __future__ import annotations

import json
import re
import unicodedata
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import Optional

REGISTRY_FILE = Path(__file__).with_name("formats.json")


@dataclass(frozen=True)
class FileFormat:
    id: str
    label: str
    download: str  # file name pattern: {id} the profile id, {tag} the thread part
    content_type: str
    cli_suffix: str
    cache_extension: str
    exported: bool  # offered by GET profiles/<id>/export/<id>
    converted: bool  # written by the Node converter (False: the raw file as recorded)

    def download_name(self, profile_id: str, tag: str = "") -> str:
        return self.download.replace("{id}", profile_id).replace("{tag}", tag)


def thread_tag(thread: Optional[str], kernel_threads: bool) -> str:
    """The thread part of an export's file name, as the browser names its downloads
    (src/views/export.ts exportFileName): `.thread-<id>` for one thread, `.with-kernel-threads` for
    every thread of a cell's profile, nothing for the default. A collapsed-stacks file has no header
    its readers accept (src/formats/collapsed.ts), so its name is where the choice is kept."""
    if thread:
        return f".thread-{file_safe(thread)}"
    return ".with-kernel-threads" if kernel_threads else ""


def file_safe(text: str) -> str:
    """Letters, digits, '.', '_' and '-' kept, runs of anything else one '-', at most 80 characters
    (src/views/export.ts fileSafe)."""
    safe = re.sub(r"[^A-Za-z0-9._-]+", "-", unicodedata.normalize("NFKD", text))
    return re.sub(r"^[-.]+|-+$", "", safe)[:80]


class RegistryMissing(RuntimeError):
    """formats.json was not built: the package was not built from its sources."""


@lru_cache(maxsize=1)
def all_formats() -> tuple[FileFormat, ...]:
    try:
        entries = json.loads(REGISTRY_FILE.read_text(encoding="utf-8"))["formats"]
    except FileNotFoundError as err:
        raise RegistryMissing(
            f"{REGISTRY_FILE.name} is missing: build the package (jlpm build, or pip install .)"
        ) from err
    return tuple(
        FileFormat(
            id=e["id"], label=e["label"], download=e["download"], content_type=e["contentType"],
            cli_suffix=e["cliSuffix"], cache_extension=e["cacheExtension"],
            exported=bool(e["exported"]), converted=bool(e["converted"]),
        )
        for e in entries
    )


def by_id() -> dict[str, FileFormat]:
    return {f.id: f for f in all_formats()}


def export_formats() -> tuple[str, ...]:
    """Ids offered by the export route, in the registry's order."""
    return tuple(f.id for f in all_formats() if f.exported)


def converted_formats() -> tuple[str, ...]:
    """Ids the Node converter writes (its --format values)."""
    return tuple(f.id for f in all_formats() if f.converted)
