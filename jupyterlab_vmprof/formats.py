"""The file formats the project writes, as the TypeScript registry declares them.

The one list lives in src/formats/registry.ts; the build writes it to formats.json
beside this module (`jlpm build:formats`, part of `jlpm build` and of the
package build). The server's export route, its conversion cache and the command
line all read it from here, so adding a format touches no Python.
"""
from __future__ import annotations

import json
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

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
