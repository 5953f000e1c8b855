"""GET profiles/<id>/diff/<other id>: Diff JSON of two real store profiles, cached, validated."""

from __future__ import annotations

import json

API = "jupyterlab-vmprof"
MIXED_SAMPLES = 758  # test-data/profiles/README.md
NUMPY_SAMPLES = 208


def body(response) -> dict:
    return json.loads(response.body)


async def get(jp_fetch, *parts, **kwargs):
    return await jp_fetch(API, *parts, raise_error=False, **kwargs)


def by_name(diff: dict) -> dict:
    return {f["name"]: f for f in diff["functions"]}


async def test_mixed_against_numpy_work(jp_fetch, put_profile, profile_data):
    a = put_profile(profile_data / "generated" / "mixed.prof", minutes_ago=2)
    b = put_profile(profile_data / "generated" / "numpy_work.prof", minutes_ago=1)
    response = await get(jp_fetch, "profiles", a, "diff", b)
    assert response.code == 200, response.body
    assert response.headers["Content-Type"].startswith("application/json")
    diff = body(response)
    assert diff["format"] == "jupyterlab-vmprof-diff" and diff["version"] == 1
    assert diff["a"]["samples"] == MIXED_SAMPLES and diff["b"]["samples"] == NUMPY_SAMPLES
    functions = by_name(diff)
    # hot_70 and fib run only in mixed.prof, step only in numpy_work.prof.
    assert functions["hot_70"]["lineB"] is None and functions["hot_70"]["totalDelta"] < -0.5
    assert functions["fib"]["selfDelta"] < 0
    assert functions["step"]["lineA"] is None and functions["step"]["totalDelta"] > 0.9
    for f in diff["functions"]:
        assert abs(f["selfDelta"] - (f["selfFractionB"] - f["selfFractionA"])) < 1e-12
        assert f["selfFractionA"] == f["selfA"] / MIXED_SAMPLES
    magnitudes = [abs(f["selfDelta"]) for f in diff["functions"]]
    assert magnitudes == sorted(magnitudes, reverse=True)

    # The other way round: the same functions, every delta negated.
    reverse = by_name(body(await get(jp_fetch, "profiles", b, "diff", a)))
    assert reverse.keys() == functions.keys()
    assert reverse["step"]["selfDelta"] == -functions["step"]["selfDelta"]


async def test_a_profile_against_itself_has_no_deltas(jp_fetch, put_profile, profile_data):
    a = put_profile(profile_data / "generated" / "mixed.prof")
    diff = body(await get(jp_fetch, "profiles", a, "diff", a))
    assert diff["a"]["samples"] == diff["b"]["samples"] == MIXED_SAMPLES
    assert len(diff["functions"]) > 5  # unnamed native code (no symbol files here) is one function
    assert all(f["selfDelta"] == 0 and f["totalDelta"] == 0 for f in diff["functions"])
    assert all(f["selfA"] == f["selfB"] and f["lineA"] == f["lineB"] for f in diff["functions"])


async def test_diff_is_cached_and_keyed_on_both_profiles(jp_fetch, jp_serverapp, put_profile, store, profile_data):
    service = jp_serverapp.web_app.settings["jupyterlab_vmprof"]["service"]
    a = put_profile(profile_data / "generated" / "mixed.prof", minutes_ago=2)
    b = put_profile(profile_data / "generated" / "numpy_work.prof", minutes_ago=1)
    started = service.started
    first = await get(jp_fetch, "profiles", a, "diff", b)
    second = await get(jp_fetch, "profiles", a, "diff", b)
    assert first.headers["X-Vmprof-Cache"] == "miss" and second.headers["X-Vmprof-Cache"] == "hit"
    assert first.body == second.body and service.started == started + 1

    # The other profile changed: a stale comparison must not be served, and it is pruned.
    store.profile_path(b).write_bytes((profile_data / "generated" / "threads.prof").read_bytes())
    third = await get(jp_fetch, "profiles", a, "diff", b)
    assert third.headers["X-Vmprof-Cache"] == "miss"
    assert body(third)["b"]["samples"] != NUMPY_SAMPLES
    diffs = [p for p in (store.folder(a) / "cache").iterdir() if p.name.startswith("diff-")]
    assert len(diffs) == 1, diffs

    # Options are part of the key too.
    unstripped = await get(jp_fetch, "profiles", a, "diff", b, params={"strip": "false"})
    assert unstripped.code == 200 and unstripped.headers["X-Vmprof-Cache"] == "miss"


async def test_deleting_a_profile_drops_the_comparisons_with_it(jp_fetch, put_profile, store, profile_data):
    a = put_profile(profile_data / "generated" / "mixed.prof", minutes_ago=2)
    b = put_profile(profile_data / "generated" / "numpy_work.prof", minutes_ago=1)
    assert (await get(jp_fetch, "profiles", a, "diff", b)).code == 200
    assert (await get(jp_fetch, "profiles", a, "graph")).code == 200
    cached = sorted(p.name for p in (store.folder(a) / "cache").iterdir())
    assert any(name.startswith(f"diff-{b}-") for name in cached), cached

    deleted = await get(jp_fetch, "profiles", b, method="DELETE")
    assert deleted.code == 204
    left = sorted(p.name for p in (store.folder(a) / "cache").iterdir())
    assert left and not any(name.startswith("diff-") for name in left), left  # A's own graph stays
    gone = await get(jp_fetch, "profiles", a, "diff", b)
    assert gone.code == 404 and body(gone)["error"]["code"] == "not-found"


async def test_both_ids_are_validated(jp_fetch, put_profile, profile_data):
    a = put_profile(profile_data / "generated" / "mixed.prof")
    for first, second, status, code in [
        (a, "nope", 400, "bad-id"),
        ("20200101T000000-0000ABCD", a, 400, "bad-id"),
        (a, "20200101T000000-0000abcd", 404, "not-found"),
        ("20200101T000000-0000abcd", a, 404, "not-found"),
    ]:
        response = await get(jp_fetch, "profiles", first, "diff", second)
        assert response.code == status, (first, second, response.body)
        assert body(response)["error"]["code"] == code
    bad_option = await get(jp_fetch, "profiles", a, "diff", a, params={"strip": "maybe"})
    assert bad_option.code == 400 and body(bad_option)["error"]["code"] == "bad-option"


async def test_a_broken_other_profile_is_a_json_error(jp_fetch, put_profile, store, profile_data):
    a = put_profile(profile_data / "generated" / "mixed.prof", minutes_ago=1)
    b = put_profile(profile_data / "generated" / "numpy_work.prof")
    store.profile_path(b).write_bytes(b"this is not a vmprof profile at all" * 10)
    response = await get(jp_fetch, "profiles", a, "diff", b)
    assert response.code == 422, response.body
    error = body(response)["error"]
    assert error["code"] in ("truncated", "version", "corrupt") and error["message"]
