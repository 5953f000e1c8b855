"""The REST API as a client uses it: list, metadata, rename, delete, import, graph, exports, cache."""
from __future__ import annotations

import asyncio
import json
import subprocess
import sys
import time

import pytest

API = "jupyterlab-vmprof"
MIXED_SAMPLES = 758  # test-data/profiles/README.md


def body(response) -> dict:
    return json.loads(response.body)


async def get(jp_fetch, *parts, **kwargs):
    return await jp_fetch(API, *parts, raise_error=False, **kwargs)


# listing, metadata, rename, delete, import ------------------------------------------------


async def test_list_is_newest_first_paged_and_filtered(jp_fetch, put_profile, profile_data):
    mixed = profile_data / "generated" / "mixed.prof"
    oldest = put_profile(mixed, minutes_ago=30, notebook="a.ipynb")
    middle = put_profile(mixed, minutes_ago=20, notebook="b.ipynb")
    newest = put_profile(mixed, minutes_ago=10, notebook="a.ipynb")

    listing = body(await get(jp_fetch, "profiles"))
    assert [p["id"] for p in listing["profiles"]] == [newest, middle, oldest]
    assert listing["total"] == 3 and listing["page"] == 1

    page2 = body(await get(jp_fetch, "profiles", params={"page": 2, "per_page": 2}))
    assert [p["id"] for p in page2["profiles"]] == [oldest]
    assert page2["total"] == 3 and page2["page"] == 2

    only_a = body(await get(jp_fetch, "profiles", params={"notebook": "a.ipynb"}))
    assert [p["id"] for p in only_a["profiles"]] == [newest, oldest]
    assert only_a["total"] == 2

    bad = await get(jp_fetch, "profiles", params={"per_page": "many"})
    assert bad.code == 400 and body(bad)["error"]["code"] == "bad-option"


async def test_empty_store_lists_nothing(jp_fetch):
    assert body(await get(jp_fetch, "profiles")) == {"profiles": [], "total": 0, "page": 1, "per_page": 50}


async def test_metadata_and_interrupted_status(jp_fetch, put_profile, store, profile_data):
    done = put_profile(profile_data / "generated" / "mixed.prof", name="my run", notebook="x.ipynb")
    meta = body(await get(jp_fetch, "profiles", done))
    assert meta["id"] == done and meta["name"] == "my run" and meta["status"] == "complete"
    assert meta["notebook"] == "x.ipynb"

    # A "running" profile whose kernel died (pid gone) is reported as interrupted.
    dead = subprocess.Popen([sys.executable, "-c", "pass"])
    dead.wait()
    crashed = put_profile(profile_data / "generated" / "mixed.prof", status="running", pid=dead.pid, pid_start=None)
    assert body(await get(jp_fetch, "profiles", crashed))["status"] == "interrupted"


async def test_unknown_and_malformed_ids(jp_fetch):
    missing = await get(jp_fetch, "profiles", "20200101T000000-0000abcd")
    assert missing.code == 404
    assert body(missing)["error"]["code"] == "not-found"
    for bad_id in ("nope", "20200101T000000-0000ABCD", "20200101T000000-0000abcd.prof"):
        response = await get(jp_fetch, "profiles", bad_id)
        assert response.code == 400, bad_id
        assert body(response)["error"]["code"] == "bad-id"
        assert bad_id in body(response)["error"]["message"]


async def test_rename(jp_fetch, put_profile, profile_data):
    pid = put_profile(profile_data / "generated" / "mixed.prof")
    renamed = await get(jp_fetch, "profiles", pid, method="PATCH", body=json.dumps({"name": "  fast path \x07"}))
    assert renamed.code == 200 and body(renamed)["name"] == "fast path"
    assert body(await get(jp_fetch, "profiles", pid))["name"] == "fast path"
    listed = body(await get(jp_fetch, "profiles"))["profiles"]
    assert listed[0]["name"] == "fast path"

    for bad in ("not json", json.dumps({"name": ""}), json.dumps({"title": "x"}), json.dumps(["x"])):
        response = await get(jp_fetch, "profiles", pid, method="PATCH", body=bad)
        assert response.code == 400, bad
        assert body(response)["error"]["message"]
    assert body(await get(jp_fetch, "profiles", pid))["name"] == "fast path"


async def test_delete(jp_fetch, put_profile, store, profile_data):
    keep = put_profile(profile_data / "generated" / "mixed.prof", minutes_ago=5)
    doomed = put_profile(profile_data / "generated" / "mixed.prof")
    response = await get(jp_fetch, "profiles", doomed, method="DELETE")
    assert response.code == 204 and response.body == b""
    assert not store.folder(doomed).exists()
    assert (await get(jp_fetch, "profiles", doomed)).code == 404
    assert (await get(jp_fetch, "profiles", doomed, method="DELETE")).code == 404
    assert [p["id"] for p in body(await get(jp_fetch, "profiles"))["profiles"]] == [keep]
    # Hidden files are the store's own (the list's change journal), not profiles.
    assert sorted(p.name for p in store.root.iterdir() if not p.name.startswith(".")) == [keep]


async def test_import_then_download_raw(jp_fetch, profile_data):
    data = (profile_data / "generated" / "threads.prof").read_bytes()
    response = await get(jp_fetch, "profiles", method="POST", body=data, params={"name": "from elsewhere"})
    assert response.code == 201
    meta = body(response)
    assert meta["name"] == "from elsewhere" and meta["status"] == "complete"
    listed = body(await get(jp_fetch, "profiles"))["profiles"]
    assert [p["id"] for p in listed] == [meta["id"]]
    raw = await get(jp_fetch, "profiles", meta["id"], "export", "raw")
    assert raw.body == data

    too_short = await get(jp_fetch, "profiles", method="POST", body=b"vmprof")
    assert too_short.code == 400


@pytest.fixture
def small_import_limit(jp_serverapp):
    config = jp_serverapp.web_app.settings["jupyterlab_vmprof"]["config"]
    config.max_import_mb = 1
    return config


async def test_import_too_large_is_413(jp_fetch, small_import_limit, store):
    response = await get(jp_fetch, "profiles", method="POST", body=b"\0" * (1024 * 1024 + 1))
    assert response.code == 413
    assert body(response)["error"]["code"] == "too-large"
    assert "limit" in body(response)["error"]["message"]
    assert store.ids() == []


# graph and exports ---------------------------------------------------------------------


async def test_graph_of_mixed_profile(jp_fetch, put_profile, profile_data):
    pid = put_profile(profile_data / "generated" / "mixed.prof")
    response = await get(jp_fetch, "profiles", pid, "graph")
    assert response.code == 200, response.body
    assert response.headers["Content-Type"].startswith("application/json")
    graph = body(response)
    assert graph["format"] == "jupyterlab-vmprof-graph" and graph["version"] == 1
    assert graph["profile"]["samples"] == MIXED_SAMPLES
    assert graph["tree"]["total"][0] == MIXED_SAMPLES
    names = {frame["name"] for frame in graph["frames"]}
    assert {"hot_70", "cold_30"} <= names


async def test_graph_thread_option(jp_fetch, put_profile, profile_data):
    pid = put_profile(profile_data / "generated" / "threads.prof")
    whole = body(await get(jp_fetch, "profiles", pid, "graph"))
    threads = whole["profile"]["threads"]
    assert len(threads) >= 2
    one = threads[0]
    view = body(await get(jp_fetch, "profiles", pid, "graph", params={"thread": one["id"]}))
    assert view["profile"]["thread"] == one["id"]
    assert view["profile"]["samples"] == one["samples"] < whole["profile"]["samples"]


async def test_graph_lines_option(jp_fetch, put_profile, profile_data):
    # vmprof_cpuburn.prof was recorded in lines mode: line-level frames split functions up.
    pid = put_profile(profile_data / "third-party" / "vmprof_cpuburn.prof")
    by_function = body(await get(jp_fetch, "profiles", pid, "graph"))
    by_line = body(await get(jp_fetch, "profiles", pid, "graph", params={"lines": "true"}))
    assert by_line["profile"]["samples"] == by_function["profile"]["samples"] == 5551
    assert len(by_line["frames"]) > len(by_function["frames"])


async def test_graph_rejects_bad_options(jp_fetch, put_profile, profile_data):
    pid = put_profile(profile_data / "generated" / "mixed.prof")
    for params in ({"strip": "maybe"}, {"lines": "2"}, {"collapse_dispatcher": "x"}, {"thread": "../etc"}):
        response = await get(jp_fetch, "profiles", pid, "graph", params=params)
        assert response.code == 400, params
        assert body(response)["error"]["code"] == "bad-option"
    assert (await get(jp_fetch, "profiles", pid, "export", "pdf")).code == 400
    # Well-formed but not in this profile: the converter says so, and that is the client's mistake too.
    absent = await get(jp_fetch, "profiles", pid, "graph", params={"thread": "12345"})
    assert absent.code == 400
    assert "12345" in body(absent)["error"]["message"]


@pytest.mark.parametrize(
    "fmt, filename, content_type",
    [
        ("callgrind", "callgrind.out.{id}", "application/octet-stream"),
        ("collapsed", "{id}.collapsed.txt", "text/plain"),
        ("speedscope", "{id}.speedscope.json", "application/json"),
        ("raw", "{id}.prof", "application/octet-stream"),
    ],
)
async def test_export_downloads(jp_fetch, put_profile, profile_data, fmt, filename, content_type):
    source = profile_data / "generated" / "mixed.prof"
    pid = put_profile(source)
    response = await get(jp_fetch, "profiles", pid, "export", fmt)
    assert response.code == 200, response.body
    assert response.headers["Content-Disposition"] == f'attachment; filename="{filename.format(id=pid)}"'
    assert response.headers["Content-Type"].startswith(content_type)
    assert int(response.headers["Content-Length"]) == len(response.body) > 0
    text = response.body.decode("utf-8", "replace")
    if fmt == "callgrind":
        totals = [line for line in text.splitlines() if line.startswith(("totals:", "summary:"))]
        assert totals and all(int(line.split(":")[1]) == MIXED_SAMPLES for line in totals), totals
        assert any(line.startswith("events:") for line in text.splitlines())
    elif fmt == "collapsed":
        counts = [int(line.rsplit(" ", 1)[1]) for line in text.splitlines() if line.strip()]
        assert sum(counts) == MIXED_SAMPLES
    elif fmt == "speedscope":
        document = json.loads(text)
        assert "speedscope" in document["$schema"]
    else:
        assert response.body == source.read_bytes()


# cache ---------------------------------------------------------------------------------


def cache_entries(store, pid):
    return sorted(p.name for p in (store.folder(pid) / "cache").iterdir() if not p.name.startswith("."))


async def test_second_request_is_served_from_cache(jp_fetch, jp_serverapp, put_profile, store, profile_data):
    service = jp_serverapp.web_app.settings["jupyterlab_vmprof"]["service"]
    pid = put_profile(profile_data / "third-party" / "vmprof_cpuburn.prof")
    started = service.started

    t0 = time.perf_counter()
    first = await get(jp_fetch, "profiles", pid, "graph")
    miss_s = time.perf_counter() - t0
    t0 = time.perf_counter()
    second = await get(jp_fetch, "profiles", pid, "graph")
    hit_s = time.perf_counter() - t0

    assert first.headers["X-Vmprof-Cache"] == "miss" and second.headers["X-Vmprof-Cache"] == "hit"
    assert second.body == first.body
    assert service.started == started + 1, "the second request ran the converter again"
    print(f"\ngraph of vmprof_cpuburn.prof: miss {miss_s * 1000:.1f} ms, hit {hit_s * 1000:.1f} ms")
    assert hit_s < miss_s
    assert len(cache_entries(store, pid)) == 1

    # Other options are another entry; the first one stays valid.
    other = await get(jp_fetch, "profiles", pid, "graph", params={"strip": "false"})
    assert other.headers["X-Vmprof-Cache"] == "miss"
    assert len(cache_entries(store, pid)) == 2
    again = await get(jp_fetch, "profiles", pid, "graph")
    assert again.headers["X-Vmprof-Cache"] == "hit"
    callgrind = await get(jp_fetch, "profiles", pid, "export", "callgrind")
    assert callgrind.headers["X-Vmprof-Cache"] == "miss"
    assert len(cache_entries(store, pid)) == 3
    assert service.started == started + 3


async def test_changed_profile_is_converted_again(jp_fetch, put_profile, store, profile_data):
    pid = put_profile(profile_data / "generated" / "mixed.prof")
    assert body(await get(jp_fetch, "profiles", pid, "graph"))["profile"]["samples"] == MIXED_SAMPLES
    # The kernel rewrote the profile (same name, other content): the old result must not be served.
    store.profile_path(pid).write_bytes((profile_data / "generated" / "threads.prof").read_bytes())
    response = await get(jp_fetch, "profiles", pid, "graph")
    assert response.headers["X-Vmprof-Cache"] == "miss"
    assert body(response)["profile"]["samples"] != MIXED_SAMPLES
    assert len(cache_entries(store, pid)) == 1, "the stale entry should have been pruned"


async def test_symbol_files_in_the_profile_folder_are_used(jp_fetch, put_profile, store, profile_data):
    """A perf map the kernel saved next to the profile names JIT code, and is part of the cache key."""
    pid = put_profile(profile_data / "generated" / "mixed.prof")
    before = body(await get(jp_fetch, "profiles", pid, "graph"))
    assert "my_jit_function" not in {f["name"] for f in before["frames"]}
    # 0x7f7bcf3a72e1 is an unnamed native frame of mixed.prof (bit 0 marks native entries).
    (store.folder(pid) / "perf-4242.map").write_text("7f7bcf3a72e0 40 my_jit_function\n")
    response = await get(jp_fetch, "profiles", pid, "graph")
    assert response.headers["X-Vmprof-Cache"] == "miss"
    named = [f for f in body(response)["frames"] if f["name"] == "my_jit_function"]
    assert len(named) == 1 and named[0]["kind"] == "jit"


async def test_concurrent_identical_requests_share_one_conversion(jp_fetch, jp_serverapp, put_profile, profile_data):
    service = jp_serverapp.web_app.settings["jupyterlab_vmprof"]["service"]
    pid = put_profile(profile_data / "third-party" / "vmprof_cpuburn.prof")
    started = service.started
    responses = await asyncio.gather(*(get(jp_fetch, "profiles", pid, "graph") for _ in range(4)))
    assert [r.code for r in responses] == [200] * 4
    assert len({r.body for r in responses}) == 1
    assert service.started == started + 1
