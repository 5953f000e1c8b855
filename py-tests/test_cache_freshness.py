"""A cached conversion never outlives the files it was made from."""
from __future__ import annotations

import json
import os

API = "jupyterlab-vmprof"


async def graph_names(jp_fetch, profile_id: str) -> set:
    response = await jp_fetch(API, "profiles", profile_id, "graph", raise_error=False)
    assert response.code == 200, response.body
    return {frame["name"] for frame in json.loads(response.body)["frames"]}


async def test_a_profile_rewritten_in_place_after_the_view_fetched_it_is_converted_again(
        jp_fetch, put_profile, store, profile_data):
    profile_id = put_profile(profile_data / "generated" / "mixed.prof")
    assert "spin" in await graph_names(jp_fetch, profile_id)
    # The kernel rewrites the file after the view fetched its graph (a deferred search that
    # renames code): same size, and within the file system's time resolution (same mtime).
    prof = store.folder(profile_id) / "profile.prof"
    before = prof.stat()
    data = prof.read_bytes()
    assert data.count(b"py:spin:") == 1
    with open(prof, "r+b") as handle:
        handle.write(data.replace(b"py:spin:", b"py:spun:"))
    os.utime(prof, ns=(before.st_atime_ns, before.st_mtime_ns))
    assert prof.stat().st_size == before.st_size and prof.stat().st_mtime_ns == before.st_mtime_ns
    names = await graph_names(jp_fetch, profile_id)
    assert "spun" in names and "spin" not in names, "a stale graph was served"
