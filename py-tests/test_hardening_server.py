"""The server under hostile or unlucky input: bounded memory, never stuck, JSON errors, no leaks."""
from __future__ import annotations

import asyncio
import json
import logging
import os
import time
from pathlib import Path

import pytest

from converter_processes import converter_processes

API = "jupyterlab-vmprof"
MiB = 1024 * 1024


def body(response) -> dict:
    return json.loads(response.body)


async def get(jp_fetch, *parts, **kwargs):
    return await jp_fetch(API, *parts, raise_error=False, **kwargs)


def peak_rss_reset() -> None:
    # Writing 5 to clear_refs resets VmHWM (peak resident memory) of this process.
    Path("/proc/self/clear_refs").write_text("5")


def peak_rss() -> int:
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith("VmHWM:"):
            return int(line.split()[1]) * 1024
    raise AssertionError("no VmHWM")


def chunked(total: int, chunk: bytes = b"\0" * MiB):
    """A body producer sending `total` bytes without a Content-Length (chunked encoding)."""

    async def produce(write):
        sent = 0
        while sent < total:
            piece = chunk[: total - sent]
            await write(piece)
            sent += len(piece)

    return produce


# 1. imports are streamed to disk and limited as they arrive ---------------------------------


async def test_import_over_the_limit_by_content_length_is_413_json(jp_fetch, settings, store):
    settings.max_import_mb = 1
    response = await get(jp_fetch, "profiles", method="POST", body=b"\0" * (3 * MiB))
    assert response.code == 413
    assert body(response)["error"]["code"] == "too-large"
    assert store.ids() == []
    assert [p.name for p in store.root.iterdir() if not p.name.startswith(".")] == []


async def test_chunked_import_over_the_limit_is_413_json(jp_fetch, settings, store):
    settings.max_import_mb = 1
    response = await get(jp_fetch, "profiles", method="POST", body_producer=chunked(8 * MiB),
                         headers={"Content-Type": "application/octet-stream"})
    assert response.code == 413, response.body
    assert body(response)["error"]["code"] == "too-large"
    assert store.ids() == []


async def test_an_import_is_not_held_in_memory(jp_fetch, settings, store, profile_data):
    data = (profile_data / "generated" / "mixed.prof").read_bytes()
    size = 96 * MiB
    padding = b"\0" * MiB
    settings.max_import_mb = 512

    async def produce(write):
        await write(data)
        sent = len(data)
        while sent < size:
            await write(padding)
            sent += len(padding)

    peak_rss_reset()
    before = peak_rss()
    response = await get(jp_fetch, "profiles", method="POST", body_producer=produce)
    grown = peak_rss() - before
    assert response.code == 201, response.body
    meta = body(response)
    assert meta["profile_bytes"] >= size
    # A buffered body would take at least its own size (96 MiB), usually twice.
    assert grown < 32 * MiB, f"peak memory grew by {grown / MiB:.0f} MiB"


# 2. one bad meta.json does not break the list ---------------------------------------------


@pytest.mark.parametrize("content", ["[]", "null", "42", '"x"', '{"status": "running", "pid": 100000000000000000000}',
                                     '{"status": "running", "pid": -1, "hostname": 3}'])
async def test_a_damaged_meta_is_listed_as_damaged_and_the_rest_still_listed(
        jp_fetch, put_profile, store, profile_data, content):
    good = put_profile(profile_data / "generated" / "mixed.prof", minutes_ago=10)
    bad = put_profile(profile_data / "generated" / "mixed.prof")
    (store.folder(bad) / "meta.json").write_text(content)
    response = await get(jp_fetch, "profiles")
    assert response.code == 200, response.body
    listed = {p["id"]: p for p in body(response)["profiles"]}
    assert listed[good]["status"] == "complete"
    assert listed[bad]["status"] == "damaged" and listed[bad]["error"]
    single = await get(jp_fetch, "profiles", bad)
    assert single.code in (200, 500)
    assert "error" in body(single)


# 3. a non-regular profile.prof does not freeze the server ------------------------------------


async def test_a_fifo_named_profile_prof_is_refused_and_the_server_keeps_serving(jp_fetch, put_profile, store, profile_data):
    pid = put_profile(profile_data / "generated" / "mixed.prof")
    prof = store.folder(pid) / "profile.prof"
    prof.unlink()
    os.mkfifo(prof)
    for parts in (("export", "raw"), ("graph",), ("export", "collapsed")):
        started = time.monotonic()
        response = await asyncio.wait_for(get(jp_fetch, "profiles", pid, *parts), 10)
        assert response.code == 404, (parts, response.body)
        assert body(response)["error"]["code"] == "not-found"
        assert time.monotonic() - started < 5
    assert (await get(jp_fetch, "profiles")).code == 200


# 4. PATCH bodies are bounded and parsed safely --------------------------------------------


async def test_a_huge_patch_body_is_413(jp_fetch, put_profile, profile_data):
    pid = put_profile(profile_data / "generated" / "mixed.prof", name="kept")
    huge = json.dumps({"name": "x" * (8 * MiB)})
    response = await get(jp_fetch, "profiles", pid, method="PATCH", body=huge)
    assert response.code == 413
    assert body(response)["error"]["code"] == "too-large"
    assert body(await get(jp_fetch, "profiles", pid))["name"] == "kept"


async def test_deeply_nested_patch_json_is_400(jp_fetch, put_profile, profile_data):
    pid = put_profile(profile_data / "generated" / "mixed.prof", name="kept")
    nested = "[" * 20000 + "]" * 20000  # under the size limit, far over the parser's depth
    for text in (nested, '{"name": ' + nested + "}"):
        response = await get(jp_fetch, "profiles", pid, method="PATCH", body=text)
        assert response.code == 400, response.body[:200]
        assert body(response)["error"]["code"] == "bad-request"
    assert body(await get(jp_fetch, "profiles", pid))["name"] == "kept"


# 5. conversions nobody waits for stop; the queue is bounded; errors are cached -----------------


async def test_unknown_thread_error_is_cached(jp_fetch, jp_serverapp, put_profile, profile_data):
    service = jp_serverapp.web_app.settings["jupyterlab_vmprof"]["service"]
    pid = put_profile(profile_data / "generated" / "mixed.prof")
    first = await get(jp_fetch, "profiles", pid, "graph", params={"thread": "0xdead"})
    assert first.code in (400, 404, 422), first.body
    started = service.started
    second = await get(jp_fetch, "profiles", pid, "graph", params={"thread": "0xdead"})
    assert (second.code, body(second)) == (first.code, body(first))
    assert service.started == started, "the same failing conversion ran again"


def converter_children() -> list[int]:
    return converter_processes()


def converting(service) -> list[int]:
    """The converters at work: the pool's busy workers, or (converter_workers = 0) every Node child."""
    return service.pool.busy_pids() if service.pool.size() else converter_children()


async def wait_for(predicate, timeout=20.0):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if predicate():
            return True
        await asyncio.sleep(0.02)
    return False


@pytest.fixture
def held_converters(jp_serverapp):
    """hold() -> pid: stops (SIGSTOP) the converter that runs now, so that it cannot finish before
    the test acts; every held one is let go at the end."""
    import signal

    held = []
    service = jp_serverapp.web_app.settings["jupyterlab_vmprof"]["service"]

    async def hold() -> int:
        assert await wait_for(lambda: converting(service)), "no converter started"
        pid = converting(service)[0]
        os.kill(pid, signal.SIGSTOP)
        held.append(pid)
        return pid

    yield hold
    for pid in held:
        try:
            os.kill(pid, signal.SIGCONT)
        except ProcessLookupError:
            pass


async def abandoned_request(port: int, base_url: str, auth: dict, path: str):
    """Send a GET and return the open connection (close it to go away without an answer)."""
    _reader, writer = await asyncio.open_connection("127.0.0.1", port)
    headers = "".join(f"{key}: {value}\r\n" for key, value in auth.items())
    writer.write(f"GET {base_url}{API}/{path} HTTP/1.1\r\nHost: 127.0.0.1\r\n{headers}\r\n".encode())
    await writer.drain()
    return writer


def process_gone(pid: int) -> bool:
    try:
        state = Path(f"/proc/{pid}/stat").read_text()
    except OSError:
        return True
    return state[state.rfind(")") + 2] == "Z"


GRAPH_VARIANTS = ["graph?strip=false", "graph?lines=true", "graph?collapse_dispatcher=false", "export/collapsed",
                  "export/callgrind", "export/speedscope"]


async def test_conversions_nobody_waits_for_are_stopped_or_never_started(
        jp_fetch, jp_serverapp, jp_http_port, jp_base_url, jp_auth_header, settings, put_profile, big_profile,
        held_converters):  # jp_fetch: the server listens
    service = jp_serverapp.web_app.settings["jupyterlab_vmprof"]["service"]
    settings.max_concurrent_conversions = 1
    pid = put_profile(big_profile[0])
    started = service.started
    clients = [await abandoned_request(jp_http_port, jp_base_url, jp_auth_header, f"profiles/{pid}/{variant}")
               for variant in GRAPH_VARIANTS]
    converter = await held_converters()
    for client in reversed(clients):  # every client goes away, the queued ones first
        client.close()
    assert await wait_for(lambda: process_gone(converter), 10), "the converter ran on for nobody"
    await asyncio.sleep(0.5)
    assert await wait_for(lambda: not converting(service), 10)
    # The one that ran, perhaps one more that got the slot before its client's leaving was seen.
    assert service.started - started <= 2, "conversions queued for clients that left were started"


async def test_the_conversion_queue_is_bounded(jp_fetch, settings, put_profile, big_profile, held_converters):
    settings.max_concurrent_conversions = 1
    settings.max_queued_conversions = 2
    pid = put_profile(big_profile[0])
    running = asyncio.ensure_future(get(jp_fetch, "profiles", pid, "graph"))
    await held_converters()
    queued = [asyncio.ensure_future(get(jp_fetch, "profiles", pid, *variant.split("/"))) for variant in
              ("export/collapsed", "export/callgrind")]
    await asyncio.sleep(0.3)
    full = await asyncio.wait_for(get(jp_fetch, "profiles", pid, "export", "speedscope"), 10)
    assert full.code == 503, full.body
    assert body(full)["error"]["code"] == "busy"
    assert int(full.headers["Retry-After"]) >= 1
    import signal

    for child in converter_children():
        os.kill(child, signal.SIGCONT)
    assert [r.code for r in await asyncio.gather(running, *queued)] == [200, 200, 200]


# 6. DELETE during a conversion cancels it; no server path in any response ------------------------


async def test_delete_during_a_conversion_stops_it_and_leaks_no_path(jp_fetch, put_profile, big_profile, store,
                                                                      held_converters):
    pid = put_profile(big_profile[0])
    request = asyncio.ensure_future(get(jp_fetch, "profiles", pid, "graph"))
    converter = await held_converters()
    deleted = await get(jp_fetch, "profiles", pid, method="DELETE")
    assert deleted.code == 204
    assert await wait_for(lambda: process_gone(converter), 10), "the converter ran on after DELETE"
    response = await asyncio.wait_for(request, 20)
    assert response.code == 404, response.body
    assert body(response)["error"]["code"] == "not-found"
    assert str(store.root) not in response.body.decode()


# 7. the memory limit watches the whole process, and stops it as soon as it is passed ----------------


async def test_memory_limit_is_watched_on_the_converter_process(jp_fetch, jp_serverapp, settings, put_profile,
                                                                 profile_data, big_profile):
    small = put_profile(profile_data / "generated" / "mixed.prof", minutes_ago=1)
    big = put_profile(big_profile[0])
    # Node itself takes ~45 MB; the big profile's bytes live outside the JS heap, which a
    # heap limit alone lets grow (and a heap near its limit thrashes for a long time).
    settings.conversion_memory_mb = 72
    assert (await get(jp_fetch, "profiles", small, "export", "speedscope")).code == 200
    response = await get(jp_fetch, "profiles", big, "export", "speedscope")
    assert response.code == 503, response.body[:200]
    error = body(response)["error"]
    assert error["code"] == "memory" and "72 MB" in error["message"]
    # The converter was stopped: no Node child is left but an idle pool worker (a new one).
    pool = jp_serverapp.web_app.settings["jupyterlab_vmprof"]["service"].pool
    assert await wait_for(lambda: set(converter_children()) <= set(pool.idle_pids()), 10), converter_children()


# 8. the token never reaches the log --------------------------------------------------------------


async def test_token_is_scrubbed_from_warnings(jp_fetch, jp_serverapp, caplog):
    caplog.set_level(logging.DEBUG)
    token = jp_serverapp.identity_provider.token
    assert token
    response = await get(jp_fetch, "profiles", "nope", params={"token": token})
    assert response.code == 400
    logged = "\n".join(record.getMessage() for record in caplog.records)
    assert "profiles/nope" in logged
    assert token not in logged


# 9. ids and threads are matched in full ---------------------------------------------------------


async def test_trailing_newline_in_id_or_thread_is_400(jp_fetch, put_profile, profile_data):
    pid = put_profile(profile_data / "generated" / "mixed.prof")
    response = await get(jp_fetch, "profiles", pid + "\n")
    assert response.code == 400 and body(response)["error"]["code"] == "bad-id"
    response = await get(jp_fetch, "profiles", pid, "graph", params={"thread": "0x1\n"})
    assert response.code == 400 and body(response)["error"]["code"] == "bad-option"


# 11. the fallback cache folder does not outlive the server ---------------------------------------


FALLBACK_SCRIPT = """
import sys
from pathlib import Path
from jupyterlab_vmprof.store import ProfileStore
from jupyterlab_vmprof.server.conversions import ConversionService

class Settings:
    max_concurrent_conversions = 1

store = ProfileStore(sys.argv[1])
made = store.import_profile(Path(sys.argv[2]).read_bytes())
(store.folder(made["id"]) / "cache").write_text("not a folder")  # no cache in the profile folder
print(ConversionService(store, Settings()).cache_dir(made["id"]))
"""


def test_fallback_cache_folder_does_not_outlive_the_server_process(store, profile_data):
    import subprocess
    import sys

    done = subprocess.run([sys.executable, "-c", FALLBACK_SCRIPT, str(store.root),
                           str(profile_data / "generated" / "mixed.prof")],
                          capture_output=True, text=True, timeout=60, cwd=Path(__file__).parent.parent)
    assert done.returncode == 0, done.stderr
    fallback = Path(done.stdout.strip())
    assert fallback.name and not str(fallback).startswith(str(store.root))
    assert not fallback.exists() and not fallback.parent.exists()


async def test_no_server_folder_in_converter_errors(jp_fetch, settings, put_profile, profile_data, tmp_path):
    pid = put_profile(profile_data / "generated" / "mixed.prof")
    settings.converter_script = str(tmp_path / "not-built.js")
    response = await get(jp_fetch, "profiles", pid, "graph")
    assert response.code == 503
    message = body(response)["error"]["message"]
    assert "not-built.js" in message and str(tmp_path) not in message
