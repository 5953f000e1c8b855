"""The server's converter workers (VmprofExtension.converter_workers): reused, bounded, replaced when
they crash, time out or grow, and gone when the server stops. Real server, real Node, real profiles."""

from __future__ import annotations

import asyncio
import json
import os
import secrets
import signal
import socket
import subprocess

from converter_processes import converter_processes
import sys
import time
import urllib.request
from pathlib import Path

import pytest

API = "jupyterlab-vmprof"


def service_of(jp_serverapp):
    return jp_serverapp.web_app.settings["jupyterlab_vmprof"]["service"]


async def graph(jp_fetch, profile_id: str, *query: str):
    response = await jp_fetch(API, "profiles", profile_id, "graph", raise_error=False, params=dict(query))
    return response.code, json.loads(response.body)


def serve_workers(parent: int) -> list[int]:
    """Node processes running `vmprof-convert.js --serve` whose parent is `parent`."""
    return converter_processes(parent, serving=True)


def alive(pid: int) -> bool:
    try:
        state = Path(f"/proc/{pid}/stat").read_text()
    except OSError:
        return False
    return state[state.rfind(")") + 2] != "Z"


async def wait_for(predicate, timeout: float = 20.0) -> bool:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if predicate():
            return True
        await asyncio.sleep(0.01)
    return False


async def settled(pool) -> list[int]:
    """The pool's workers once every one is idle (started, not ending): the next request's worker."""
    assert await wait_for(lambda: pool.pids() and pool.idle_pids() == pool.pids()), "no idle worker"
    return pool.pids()


@pytest.fixture
def small_profiles(put_profile, profile_data):
    """make(n) -> n distinct ids of the same small profile: each graph request is a cache miss."""

    def make(count: int) -> list[str]:
        return [put_profile(profile_data / "generated" / "mixed.prof", minutes_ago=i) for i in range(count)]

    return make


async def test_many_conversions_reuse_one_worker(jp_fetch, jp_serverapp, settings, small_profiles):
    settings.converter_workers = 2
    service = service_of(jp_serverapp)
    ids = small_profiles(6)
    pids = set(await settled(service.pool))
    for profile_id in ids:  # one at a time: one worker is enough
        code, body = await graph(jp_fetch, profile_id)
        assert code == 200 and body["profile"]["samples"] == 758
        pids.update(service.pool.pids())
    assert service.started == 6  # six conversions, all cache misses
    assert len(pids) == 1, f"conversions one at a time used workers {sorted(pids)}"
    assert serve_workers(os.getpid()) == sorted(pids)
    # Asked again: from the cache, on no worker at all.
    assert (await graph(jp_fetch, ids[0]))[0] == 200 and service.started == 6


async def test_a_worker_killed_while_converting_fails_only_its_request(
    jp_fetch, jp_serverapp, settings, put_profile, big_profile, small_profiles
):
    settings.converter_workers = 1
    service = service_of(jp_serverapp)
    big = put_profile(big_profile[0])
    request = asyncio.ensure_future(graph(jp_fetch, big))
    assert await wait_for(lambda: service.pool.busy_pids() or request.done())
    (worker,) = service.pool.busy_pids()
    os.kill(worker, signal.SIGKILL)
    code, body = await request
    assert code == 500, body
    assert body["error"]["code"] == "crashed"
    assert "killed by SIGKILL" in body["error"]["message"]
    # The next request gets a new worker and its graph.
    (small,) = small_profiles(1)
    code, body = await graph(jp_fetch, small)
    assert code == 200 and body["profile"]["samples"] == 758
    assert worker not in service.pool.pids() and not alive(worker)
    # The failed one was not remembered as the profile's fault: asked again, it converts.
    code, body = await graph(jp_fetch, big)
    assert code == 200 and body["profile"]["samples"] == big_profile[1]


async def test_a_broken_profile_fails_its_request_and_the_worker_stays(
    jp_fetch, jp_serverapp, settings, put_profile, tmp_path, small_profiles
):
    settings.converter_workers = 1
    service = service_of(jp_serverapp)
    junk = tmp_path / "junk.prof"
    junk.write_bytes(b"not a vmprof file, just text " * 20)
    (worker,) = await settled(service.pool)
    code, body = await graph(jp_fetch, put_profile(junk))
    assert code == 422 and body["error"]["code"] in ("corrupt", "version", "truncated"), body
    code, body = await graph(jp_fetch, small_profiles(1)[0])
    assert code == 200 and body["profile"]["samples"] == 758
    assert service.pool.pids() == [worker], "a file's error cost the worker its life"


async def test_a_timed_out_worker_is_replaced(
    jp_fetch, jp_serverapp, settings, put_profile, big_profile, small_profiles
):
    settings.converter_workers = 1
    service = service_of(jp_serverapp)
    settings.conversion_timeout = 0.05  # reading 18 MB of samples alone takes longer
    request = asyncio.ensure_future(graph(jp_fetch, put_profile(big_profile[0])))
    assert await wait_for(lambda: service.pool.busy_pids() or request.done())
    busy = service.pool.busy_pids()
    code, body = await request
    assert code == 503 and body["error"]["code"] == "timeout", body
    assert "0.05 s" in body["error"]["message"] and "conversion_timeout" in body["error"]["message"]
    assert busy and await wait_for(lambda: not alive(busy[0]), 5), "the timed-out worker runs on"
    settings.conversion_timeout = 60
    code, body = await graph(jp_fetch, small_profiles(1)[0])
    assert code == 200 and body["profile"]["samples"] == 758


async def test_a_worker_past_the_memory_limit_is_replaced(jp_fetch, jp_serverapp, settings, small_profiles):
    settings.converter_workers = 1
    service = service_of(jp_serverapp)
    first, second, third = small_profiles(3)
    (worker,) = await settled(service.pool)
    assert (await graph(jp_fetch, first))[0] == 200
    # Node alone is resident in more than 1 MB: after its next conversion the worker is replaced.
    settings.converter_worker_max_rss_mb = 1
    assert (await graph(jp_fetch, second))[0] == 200
    assert await wait_for(lambda: not alive(worker), 5), "the worker past the limit runs on"
    code, body = await graph(jp_fetch, third)
    assert code == 200 and body["profile"]["samples"] == 758
    assert worker not in service.pool.pids()
    assert service.pool.workers_started >= 2


async def test_a_worker_is_replaced_after_its_conversions(jp_fetch, jp_serverapp, settings, small_profiles):
    settings.converter_workers = 1
    settings.converter_worker_max_conversions = 2
    service = service_of(jp_serverapp)
    seen = []
    for profile_id in small_profiles(4):
        seen.append(await settled(service.pool))  # the worker that takes this request
        assert (await graph(jp_fetch, profile_id))[0] == 200
    # Workers answer two requests each, then a new one takes over.
    assert seen[0] == seen[1] != seen[2] == seen[3], seen


async def test_concurrent_requests_all_succeed_within_the_bound(jp_fetch, jp_serverapp, settings, small_profiles):
    settings.converter_workers = 2
    settings.max_concurrent_conversions = 8  # the pool, not the slots, is the bound under test
    service = service_of(jp_serverapp)
    ids = small_profiles(10)
    most = 0

    async def count_workers(done):
        nonlocal most
        while not done.done():
            most = max(most, len(serve_workers(os.getpid())))
            await asyncio.sleep(0.005)

    requests = asyncio.ensure_future(asyncio.gather(*(graph(jp_fetch, profile_id) for profile_id in ids)))
    counter = asyncio.ensure_future(count_workers(requests))
    answers = await requests
    await counter
    assert [code for code, _ in answers] == [200] * 10
    assert {body["profile"]["samples"] for _, body in answers} == {758}
    assert 1 <= most <= 2 and service.pool.most_live <= 2, (most, service.pool.most_live)


async def test_waiting_requests_are_served_in_arrival_order(
    jp_fetch, jp_serverapp, settings, store, put_profile, big_profile, small_profiles
):
    settings.converter_workers = 1
    settings.max_concurrent_conversions = 8  # all reach the pool: its line is under test
    service = service_of(jp_serverapp)
    (worker,) = await settled(service.pool)
    first = asyncio.ensure_future(graph(jp_fetch, put_profile(big_profile[0])))
    assert await wait_for(lambda: service.pool.busy_pids() or first.done())
    os.kill(worker, signal.SIGSTOP)  # the worker holds its request until every other one is in line
    try:
        later = []
        ids = small_profiles(4)
        for profile_id in ids:
            later.append(asyncio.ensure_future(graph(jp_fetch, profile_id)))
            assert await wait_for(lambda: service.pool.queued() == len(later)), service.pool.queued()
    finally:
        os.kill(worker, signal.SIGCONT)
    answers = await asyncio.gather(first, *later)
    assert [code for code, _ in answers] == [200] * 5
    # The worker wrote each result when it converted it: in the order the requests came.
    written = [(store.folder(i) / "cache").glob("json-*.json") for i in ids]
    times = [min(p.stat().st_mtime_ns for p in entries if p.name.count(".") == 1) for entries in written]
    assert times == sorted(times), "requests were not served in the order they came"


async def test_pool_size_zero_runs_a_process_per_conversion(jp_fetch, jp_serverapp, settings, small_profiles):
    service = service_of(jp_serverapp)
    (warm,) = await settled(service.pool)  # started with the server
    settings.converter_workers = 0
    started = service.pool.workers_started
    for profile_id in small_profiles(2):
        code, body = await graph(jp_fetch, profile_id)
        assert code == 200 and body["profile"]["samples"] == 758
    assert service.pool.workers_started == started and service.started == 2
    assert await wait_for(lambda: not alive(warm), 5), "the idle worker stays with converter_workers = 0"


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@pytest.mark.parametrize("stop", ["SIGTERM", "SIGKILL"])
def test_no_worker_outlives_the_server(store, profile_data, tmp_path, stop):
    """A real `jupyter server` process: stopped (SIGTERM) it stops its workers; killed (SIGKILL) its
    workers see their stdin close and end on their own."""
    profile_id = store.import_profile((profile_data / "generated" / "mixed.prof").read_bytes(), name="m")["id"]
    port, token = free_port(), secrets.token_hex(8)
    log = open(tmp_path / "server.log", "wb")
    server = subprocess.Popen(
        [sys.executable, "-m", "jupyter_server", "--no-browser", "--allow-root", f"--port={port}", "--ip=127.0.0.1",
         f"--IdentityProvider.token={token}", f"--ServerApp.root_dir={tmp_path}",
         "--ServerApp.jpserver_extensions={'jupyterlab_vmprof': True}", f"--VmprofExtension.store_dir={store.root}",
         "--VmprofExtension.converter_workers=2"],
        stdout=log, stderr=subprocess.STDOUT,
    )  # fmt: skip
    try:
        url = f"http://127.0.0.1:{port}/{API}/profiles/{profile_id}/graph"
        request = urllib.request.Request(url, headers={"Authorization": f"token {token}"})
        deadline = time.monotonic() + 60
        while True:
            try:
                with urllib.request.urlopen(request, timeout=60) as response:
                    assert json.loads(response.read())["profile"]["samples"] == 758
                break
            except OSError:
                assert time.monotonic() < deadline and server.poll() is None, (tmp_path / "server.log").read_text()
                time.sleep(0.2)
        workers = serve_workers(server.pid)
        assert workers, "the server has no converter worker"
        server.send_signal(getattr(signal, stop))
        server.wait(30)
        deadline = time.monotonic() + 10
        while any(alive(pid) for pid in workers) and time.monotonic() < deadline:
            time.sleep(0.05)
        assert not [pid for pid in workers if alive(pid)], f"workers outlived the server ({stop})"
    finally:
        if server.poll() is None:
            server.kill()
            server.wait()
        log.close()
