"""A profiled cell right after another one starts at once, while the earlier summary converts.

In a real ipykernel: the first cell leaves a profile whose conversion takes a while; the
second %%vmprof cell is sent as soon as that conversion's Node process is running. The
second cell must not wait for it (kernel/gate.py), both outputs must get their own summary,
and no summary work may be sampled into the second profile.
"""

from __future__ import annotations

import datetime as dt
import json
import threading
import time
from pathlib import Path

import pytest

from converter_processes import converter_processes
from jupyterlab_vmprof.conversion_cache import cell_threads
from jupyterlab_vmprof.node_converter import convert_sync
from jupyterlab_vmprof.store import ProfileStore

pytestmark = pytest.mark.timeout(240)

MIME = "application/vnd.jupyterlab-vmprof.profile+json"
# Many distinct functions in deep, varied stacks for 2 s of CPU time: a profile whose
# conversion takes long enough for the next cell to start during it.
WIDE = """%%vmprof
import time
for _i in range(400):
    exec(f"def level_{_i}(n, k):\\n    return level_{_i - 1}(n, k * 7 % 400) if n else sum(range(k))"
         if _i else "def level_0(n, k):\\n    return sum(range(k))")
_chain = [globals()[f"level_{i}"] for i in range(400)]
_end = time.process_time() + 2.0
_k = 1
while time.process_time() < _end:
    _k = (_k * 31 + 7) % 399 + 1
    _chain[_k](_k % 60, _k)
"""
# The second cell: a second of CPU time, sampled while the first summary finishes its conversion.
BUSY = """%%vmprof {options}
import time
_end = time.process_time() + 1.0
while time.process_time() < _end:
    sum(i * i for i in range(10_000))
"""
# Where the summary thread's Python code lives (and output.py's _finish).
SUMMARY_FILES = ("summary.py", "embed.py", "flamesvg.py", "gate.py", "node_converter.py")
# The summary thread's two blocking waits (file, function): for its Node process, and for the gate.
BLOCKED_WAITS = (("gate.py", "wait_for_exit"), ("gate.py", "enter"))


def profile_ids(store_dir: Path) -> list:
    return sorted(ProfileStore(store_dir).ids())


def wait_for(condition, timeout: float, what: str):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        found = condition()
        if found:
            return found
        time.sleep(0.002)
    raise AssertionError(f"not seen within {timeout} s: {what}")


def parse_iso(text: str) -> dt.datetime:
    return dt.datetime.fromisoformat(text.replace("Z", "+00:00"))


def summary_update(kernel, msg_id: str, timeout: float = 60) -> tuple:
    """(display_id, data, kernel time sent) of the request's summary update, which comes after the cell ended."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        for message in kernel.stray.get(msg_id, []):
            data = message["content"].get("data", {})
            if message["msg_type"] == "update_display_data" and data.get(MIME, {}).get("samples") is not None:
                return message["content"]["transient"]["display_id"], data, message["header"]["date"]
        kernel.late_updates(msg_id, count=1_000, timeout=0.5)  # reads what came meanwhile
    raise AssertionError(f"no summary update for {msg_id} within {timeout} s")


# Real-time mode samples every thread vmprof knows; a forked cell samples in a child process.
@pytest.mark.parametrize("options", ["", "--real-time", "--fork"])
def test_the_next_cell_starts_while_the_previous_summary_converts(kernel, store_dir, options):
    first_id = kernel.send_from_notebook(WIDE, cell_id="wide")
    first = kernel.collect(first_id)
    assert first.status == "ok", first.describe()
    [first_profile] = profile_ids(store_dir)
    # The first summary's Node process is running: only now does the second cell go.
    wait_for(lambda: converter_processes(kernel.pid), 60, "the first summary's converter process")
    store = ProfileStore(store_dir)
    first_cache = store.folder(first_profile) / "cache"
    assert list(first_cache.glob("*.pending")), "the first summary claims the server's cache entry"
    second_id = kernel.send_from_notebook(BUSY.format(options=options), cell_id="busy")
    # Once the second cell profiles, the first summary can write nothing until it stops: its claim
    # is dropped, so the first chart's request is converted by the server at once, not after 20 s.
    wait_for(lambda: len(profile_ids(store_dir)) == 2, 60, "the second cell's profile")
    assert not list(first_cache.glob("*.pending")), "a graph request would wait for the first summary"
    second = kernel.collect(second_id)
    assert second.status == "ok", second.describe()
    [second_profile] = [pid for pid in profile_ids(store_dir) if pid != first_profile]

    first_update = summary_update(kernel, first_id)
    second_update = summary_update(kernel, second_id)
    first_meta, second_meta = store.read_meta(first_profile), store.read_meta(second_profile)

    # The second cell did not wait for the first summary: it started before that summary ended.
    first_summary_done = first_update[2]
    assert parse_iso(second_meta["started"]) < first_summary_done, (second_meta["started"], first_summary_done)
    # And that summary's Python work waited for the second cell's profiling to stop.
    assert parse_iso(second_meta["finished"]) <= first_summary_done, (second_meta["finished"], first_summary_done)

    # Each output got its own summary, under its own display (the update went to its request).
    for (display_id, data, _), executed, meta in (
        (first_update, first, first_meta),
        (second_update, second, second_meta),
    ):
        assert display_id == executed.display_ids[0]
        assert data[MIME]["id"] == meta["id"] and data[MIME]["status"] == "complete"
        assert data[MIME]["samples"] == meta["samples"] and meta["samples"] > 20
        assert "self %" in data["text/plain"]
    assert "level_" in first_update[1]["text/plain"] and "level_" not in second_update[1]["text/plain"]

    # One conversion per cell, into the server's cache entry; nothing left pending.
    for profile in (first_profile, second_profile):
        cache = sorted(p.name for p in (store.folder(profile) / "cache").iterdir())
        assert len(cache) == 1 and cache[0].endswith(".json"), cache

    # The summary thread did no work in the second profile. In the cell's threads (the default
    # graph) it is absent; among all threads, a sample of it (real-time mode may take one of a
    # kernel thread) finds it blocked in one of its two waits, with no Python running.
    folder = store.folder(second_profile)
    cell_only = json.loads(
        convert_sync(folder / "profile.prof", "json", strip=False, cell_threads=cell_threads(second_meta)).output
    )
    assert cell_only["profile"]["samples"] > 20
    assert summary_stacks(cell_only) == {}
    every_thread = json.loads(convert_sync(folder / "profile.prof", "json", strip=False).output)
    assert set(summary_stacks(every_thread).values()) <= set(BLOCKED_WAITS), summary_stacks(every_thread)


def summary_stacks(graph: dict) -> dict:
    """{sampled stack (innermost last): its innermost Python function} for the stacks holding summary code."""
    frames, tree = graph["frames"], graph["tree"]
    found = {}
    for node, self_samples in enumerate(tree["self"]):
        if not self_samples:
            continue
        stack = []
        while node > 0:
            stack.append(frames[tree["frame"][node]])
            node = tree["parent"][node]
        stack.reverse()
        if any(_is_summary_code(frame) for frame in stack):
            python = [frame for frame in stack if frame.get("kind") == "python"]
            found[" > ".join(frame["name"] for frame in stack)] = (
                Path(python[-1].get("file") or "").name,
                python[-1]["name"],
            )
    return found


def _is_summary_code(frame: dict) -> bool:
    file = Path(frame.get("file") or "").name
    return file in SUMMARY_FILES or (file == "output.py" and frame["name"] == "_finish")


def test_a_conversion_lets_the_gate_go_only_while_node_runs(big_profile):
    from jupyterlab_vmprof.kernel.gate import GATE, convert
    from jupyterlab_vmprof.node_converter import ConversionError

    profile, samples = big_profile
    taken = []

    def another_thread():  # e.g. a cell about to sample: gets the gate while Node converts
        if GATE.enter(60):
            taken.append(time.monotonic())
            GATE.leave()

    assert GATE.enter(5)
    try:
        waiting = threading.Thread(target=another_thread)
        waiting.start()
        graph = json.loads(convert(profile, "json", timeout=60).output)
        converted = time.monotonic()
        assert GATE.held_here()  # taken back before returning
        waiting.join(5)
        assert graph["profile"]["samples"] == samples
        assert len(taken) == 1 and taken[0] < converted

        # Past its time limit the converter is stopped, and the gate is still this thread's.
        with pytest.raises(ConversionError) as caught:
            convert(profile, "json", timeout=0.05)
        assert caught.value.code == "timeout" and "0.05 s" in caught.value.message
        assert GATE.held_here() and converter_processes() == []
    finally:
        GATE.leave()
