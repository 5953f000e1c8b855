"""One conversion per profiled cell: the kernel's summary fills the server's cache.

The kernel converts a new cell's profile for its text summary; the chart's first
graph request for the same profile must read that result, not convert again
(kernel/summary.py, server/conversions.py: cache_name, pending_marker).
"""
from __future__ import annotations

import asyncio
import json
import threading

API = "jupyterlab-vmprof"


def service_of(jp_serverapp):
    return jp_serverapp.web_app.settings["jupyterlab_vmprof"]["service"]


async def test_the_graph_request_after_a_cell_summary_is_a_cache_hit(
        jp_fetch, jp_serverapp, put_profile, store, profile_data):
    from jupyterlab_vmprof.kernel import summary

    service = service_of(jp_serverapp)
    pid = put_profile(profile_data / "vmprof-0.6.0" / "mixed.prof")
    graph, why_not = await asyncio.to_thread(summary.summarize, store.folder(pid), {})
    assert why_not is None and graph["profile"]["samples"] > 0
    started = service.started
    response = await jp_fetch(API, "profiles", pid, "graph")
    assert response.headers["X-Vmprof-Cache"] == "hit"
    assert service.started == started, "the server converted the profile the kernel had converted"
    assert json.loads(response.body) == graph
    assert not list((store.folder(pid) / "cache").glob("*.pending"))


async def test_a_request_during_the_summary_waits_for_it(jp_fetch, jp_serverapp, put_profile, store, profile_data):
    from jupyterlab_vmprof.kernel import summary

    service = service_of(jp_serverapp)
    pid = put_profile(profile_data / "vmprof-0.6.0" / "mixed.prof")
    started = service.started
    done = threading.Event()

    def kernel_summary():
        summary.summarize(store.folder(pid), {})
        done.set()

    thread = threading.Thread(target=kernel_summary)
    thread.start()
    cache = store.folder(pid) / "cache"
    for _ in range(500):  # the kernel's marker says it is converting
        if list(cache.glob("*.pending")) or done.is_set():
            break
        await asyncio.sleep(0.01)
    response = await jp_fetch(API, "profiles", pid, "graph")
    await asyncio.to_thread(thread.join)
    assert json.loads(response.body)["profile"]["samples"] > 0
    assert service.started == started, "one conversion per cell: the request should have waited for the kernel's"


async def test_a_stripless_summary_does_not_stand_in_for_the_default_graph(
        jp_fetch, jp_serverapp, put_profile, store, profile_data):
    from jupyterlab_vmprof.kernel import summary

    service = service_of(jp_serverapp)
    pid = put_profile(profile_data / "vmprof-0.6.0" / "mixed.prof")
    await asyncio.to_thread(summary.summarize, store.folder(pid), {"strip": False})
    started = service.started
    response = await jp_fetch(API, "profiles", pid, "graph")
    assert response.headers["X-Vmprof-Cache"] == "miss" and service.started == started + 1


async def test_a_request_before_the_summary_starts_waits_for_the_claim(
        jp_fetch, jp_serverapp, put_profile, store, profile_data):
    """The output goes out before the summary thread starts: the claim made before it holds the server."""
    from jupyterlab_vmprof.kernel import output, summary

    service = service_of(jp_serverapp)
    pid = put_profile(profile_data / "vmprof-0.6.0" / "mixed.prof")
    top = output.Summary(store.folder(pid), {})
    top.claim()  # as output.show does, before publishing the bundle
    started = service.started
    request = asyncio.ensure_future(jp_fetch(API, "profiles", pid, "graph"))
    await asyncio.sleep(0.5)  # the request arrived and waits: the summary has not started yet
    assert not request.done()
    graph, why_not = await asyncio.to_thread(summary.summarize, store.folder(pid), {})
    top.release()
    response = await request
    assert why_not is None and response.headers["X-Vmprof-Cache"] == "hit"
    assert service.started == started, "one conversion per cell: the request should have waited for the kernel's"
    assert json.loads(response.body) == graph
    assert not list((store.folder(pid) / "cache").glob("*.pending"))


async def test_a_claim_given_up_lets_the_server_convert_at_once(
        jp_fetch, jp_serverapp, put_profile, store, profile_data):
    from jupyterlab_vmprof.kernel import output

    service = service_of(jp_serverapp)
    pid = put_profile(profile_data / "vmprof-0.6.0" / "mixed.prof")
    top = output.Summary(store.folder(pid), {})
    top.claim()
    assert list((store.folder(pid) / "cache").glob("*.pending"))
    top.release()  # e.g. the summary failed before converting
    started = service.started
    response = await asyncio.wait_for(jp_fetch(API, "profiles", pid, "graph"), timeout=15)
    assert response.headers["X-Vmprof-Cache"] == "miss" and service.started == started + 1
    assert json.loads(response.body)["profile"]["samples"] > 0
