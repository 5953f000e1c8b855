"""Exports take the graph's `thread` option, so a download matches the thread the view shows."""
from __future__ import annotations

import json
import re

import pytest

API = "jupyterlab-vmprof"


async def get(jp_fetch, *parts, **kwargs):
    return await jp_fetch(API, *parts, raise_error=False, **kwargs)


def callgrind_total(text: str) -> int:
    match = re.search(r"^(?:summary|totals): (\d+)", text, re.M)
    assert match, text[:400]
    return int(match.group(1))


def collapsed_total(text: str) -> int:
    return sum(int(line.rsplit(" ", 1)[1]) for line in text.splitlines() if line.strip())


@pytest.mark.parametrize("fmt, total", [("callgrind", callgrind_total), ("collapsed", collapsed_total)])
async def test_export_of_one_thread_holds_its_samples(jp_fetch, put_profile, profile_data, fmt, total):
    pid = put_profile(profile_data / "generated" / "threads.prof")
    graph = json.loads((await get(jp_fetch, "profiles", pid, "graph")).body)
    one = graph["profile"]["threads"][0]
    whole = await get(jp_fetch, "profiles", pid, "export", fmt)
    part = await get(jp_fetch, "profiles", pid, "export", fmt, params={"thread": one["id"]})
    assert whole.code == part.code == 200
    assert total(whole.body.decode()) == graph["profile"]["samples"]
    assert total(part.body.decode()) == one["samples"] < graph["profile"]["samples"]


async def test_export_refuses_a_bad_thread(jp_fetch, put_profile, profile_data):
    pid = put_profile(profile_data / "generated" / "threads.prof")
    response = await get(jp_fetch, "profiles", pid, "export", "speedscope", params={"thread": "../x"})
    assert response.code == 400
