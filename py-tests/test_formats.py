"""The Python side reads the formats from the registry the build writes (formats.json)."""
from __future__ import annotations

import json

import pytest

from jupyterlab_vmprof import formats


def test_the_export_route_and_the_cli_follow_the_registry():
    assert formats.export_formats() == ("callgrind", "collapsed", "speedscope", "raw")
    assert set(formats.converted_formats()) == {"callgrind", "collapsed", "speedscope", "json"}
    callgrind = formats.by_id()["callgrind"]
    assert callgrind.download_name("20240101T000000-abcdef01") == "callgrind.out.20240101T000000-abcdef01"
    assert formats.by_id()["raw"].converted is False


def test_the_schema_offers_the_exported_formats():
    schema = json.loads((formats.REGISTRY_FILE.parent.parent / "schema" / "plugin.json").read_text())
    assert tuple(schema["properties"]["defaultExportFormat"]["enum"]) == formats.export_formats()


def test_an_unbuilt_registry_says_how_to_build_it(monkeypatch, tmp_path):
    monkeypatch.setattr(formats, "REGISTRY_FILE", tmp_path / "formats.json")
    formats.all_formats.cache_clear()
    try:
        with pytest.raises(formats.RegistryMissing, match="jlpm build"):
            formats.export_formats()
    finally:
        formats.all_formats.cache_clear()


async def test_an_export_is_named_and_typed_as_the_registry_says(jp_fetch, put_profile, profile_data):
    profile_id = put_profile(profile_data / "vmprof-0.6.0" / "mixed.prof")
    for info in formats.all_formats():
        if not info.exported:
            continue
        response = await jp_fetch("jupyterlab-vmprof", "profiles", profile_id, "export", info.id)
        assert response.headers["Content-Type"].startswith(info.content_type.split(";")[0])
        assert f'filename="{info.download_name(profile_id)}"' in response.headers["Content-Disposition"]


async def test_an_export_of_one_thread_names_it_in_the_file_name(jp_fetch, put_profile, profile_data):
    # A collapsed-stacks file cannot say which threads it holds (src/formats/collapsed.ts): its name does,
    # as the browser names the download.
    profile_id = put_profile(profile_data / "vmprof-0.6.0" / "threads.prof")
    graph = json.loads((await jp_fetch("jupyterlab-vmprof", "profiles", profile_id, "graph")).body)
    thread = graph["profile"]["threads"][1]

    async def export(fmt: str, **params):
        return await jp_fetch("jupyterlab-vmprof", "profiles", profile_id, "export", fmt, params=params)

    one = await export("collapsed", thread=thread["id"])
    assert f'filename="{profile_id}.thread-{thread["id"]}.collapsed.txt"' in one.headers["Content-Disposition"]
    assert sum(int(line.rsplit(" ", 1)[1]) for line in one.body.decode().splitlines()) == thread["samples"]
    every = await export("callgrind", kernel_threads="true")
    assert f'filename="callgrind.out.{profile_id}.with-kernel-threads"' in every.headers["Content-Disposition"]
    # The raw file is always every thread, as recorded: no thread part.
    raw = await export("raw", thread=thread["id"])
    assert f'filename="{profile_id}.prof"' in raw.headers["Content-Disposition"]


def test_a_thread_id_is_made_file_safe_as_the_browser_does():
    # The merged profile of Dask workers names a thread after its worker (src/views/export.ts fileSafe).
    assert formats.thread_tag("worker 0 (tcp://127.0.0.1:4321)/0x7f3a", False) == (
        ".thread-worker-0-tcp-127.0.0.1-4321-0x7f3a"
    )
    assert formats.thread_tag(None, True) == ".with-kernel-threads"
    assert formats.thread_tag(None, False) == ""
