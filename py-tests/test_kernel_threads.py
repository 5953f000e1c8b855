"""The kernel's own threads are left out of a cell's profile by default, and come back on request.

A real kernel runs a `%%vmprof --real-time` cell whose work is in its main thread and in one
thread it starts; in real-time mode vmprof also samples the kernel's heartbeat, IOPub, control
and history threads while they wait. The server's default graph, exports and the cell's own
summary hold only the cell's threads (meta.json threads.cell_ids), with every percentage of
their samples; `kernel_threads=true` brings the kernel's threads back.
"""

from __future__ import annotations

import json
import re

import pytest

from jupyterlab_vmprof.node_converter import convert_sync
from jupyterlab_vmprof.store import ProfileStore

pytestmark = pytest.mark.timeout(300)

API = "jupyterlab-vmprof"
# Wall-clock seconds of work in each of the cell's two threads: in real-time mode the kernel's
# idle threads get a sample now and then (13, 2 and 6 in 2 s in test-data's realtime file).
SECONDS = 1.5
CELL = f"""%%vmprof --real-time
import threading, time

def cell_main_work(seconds):
    end = time.perf_counter() + seconds
    while time.perf_counter() < end:
        sum(i * i for i in range(2_000))

def cell_thread_work(seconds):
    end = time.perf_counter() + seconds
    while time.perf_counter() < end:
        sum(i * i for i in range(2_000))

worker = threading.Thread(target=cell_thread_work, args=({SECONDS},), name="cell-worker")
worker.start()
cell_main_work({SECONDS})
worker.join()
"""


def profiled(kernel, store_dir) -> tuple[dict, object]:
    """(meta, the cell's outputs) of a run in which the kernel's own threads were sampled: idle,
    they get few samples, so the cell runs again (at most four times) until they have one."""
    store = ProfileStore(store_dir)
    for _ in range(4):
        done = kernel.run(CELL, timeout=120)
        assert done.status == "ok", done.describe()
        meta = store.read_meta(sorted(store.ids())[-1])
        every = json.loads(convert_sync(store_dir / meta["id"] / "profile.prof", "json").output)
        cell = {str(i) for i in meta["threads"]["cell_ids"]}
        if any(t["id"] not in cell for t in every["profile"]["threads"]):
            return meta, done
    pytest.skip("the kernel's own threads got no sample in four real-time runs")


async def graph(jp_fetch, profile_id: str, **params) -> dict:
    response = await jp_fetch(API, "profiles", profile_id, "graph", params=params)
    return json.loads(response.body)


# Where the kernel's own threads wait: IOPub, heartbeat, history, parent poller, shell/control channels.
KERNEL_THREAD_CODE = re.compile(
    r"ipykernel/(iostream|heartbeat|parentpoller|shellchannel|control|thread)\.py$|IPython/core/history\.py$"
)


def kernel_code(graph_json: dict) -> set:
    return {f["file"] for f in graph_json["frames"] if f["total"] > 0 and KERNEL_THREAD_CODE.search(f["file"])}


def self_sum(graph_json: dict) -> int:
    return sum(f["self"] for f in graph_json["frames"])


def function_samples(graph_json: dict, name: str) -> int:
    return sum(f["total"] for f in graph_json["frames"] if f["name"] == name)


async def test_default_graph_holds_the_cell_threads_and_the_switch_brings_the_kernel_back(kernel, store_dir, jp_fetch):
    meta, _ = profiled(kernel, store_dir)
    cell = {str(i) for i in meta["threads"]["cell_ids"]}
    assert len(cell) == 2, meta["threads"]  # the main thread and cell-worker

    default = await graph(jp_fetch, meta["id"])
    profile = default["profile"]
    kernel_threads = [t for t in profile["threads"] if t.get("kernel")]
    cell_threads = [t for t in profile["threads"] if not t.get("kernel")]
    assert {t["id"] for t in cell_threads} == cell
    assert kernel_threads and all(t["id"] not in cell for t in kernel_threads)
    hidden = sum(t["samples"] for t in kernel_threads)
    assert profile["kernelThreads"] == {"included": False, "threads": len(kernel_threads), "samples": hidden}
    # 100 % is the cell's threads: the tree's root, every self sample, and the thread counts agree.
    assert profile["samples"] == sum(t["samples"] for t in cell_threads) == profile["totalSamples"] - hidden
    assert default["tree"]["total"][0] == profile["samples"] == self_sum(default)
    assert sum(100.0 * f["self"] / profile["samples"] for f in default["frames"]) == pytest.approx(100.0)
    # Both of the cell's threads did its work; nothing of the kernel's threads is counted.
    assert function_samples(default, "cell_main_work") > 0 and function_samples(default, "cell_thread_work") > 0
    assert kernel_code(default) == set()

    everything = await graph(jp_fetch, meta["id"], kernel_threads="true")
    assert everything["profile"]["kernelThreads"]["included"] is True
    assert everything["profile"]["samples"] == profile["totalSamples"] == everything["tree"]["total"][0]
    assert self_sum(everything) == profile["samples"] + hidden
    # The cell's functions have the same samples either way: only the kernel's were added.
    for name in ("cell_main_work", "cell_thread_work"):
        assert function_samples(everything, name) == function_samples(default, name)

    assert kernel_code(everything), "the kernel's threads' own code is back"

    # One kernel thread can still be chosen on its own.
    one = await graph(jp_fetch, meta["id"], thread=kernel_threads[0]["id"])
    assert one["profile"]["samples"] == kernel_threads[0]["samples"]


async def test_exports_and_the_cell_summary_follow_the_default(kernel, store_dir, jp_fetch):
    meta, done = profiled(kernel, store_dir)
    default = await graph(jp_fetch, meta["id"])
    hidden = default["profile"]["kernelThreads"]
    threads = f"{hidden['threads']} kernel thread{'s' if hidden['threads'] != 1 else ''}"
    said = f"the cell's threads ({threads} left out, {hidden['samples']} samples)"

    callgrind = (await jp_fetch(API, "profiles", meta["id"], "export", "callgrind")).body.decode()
    assert f"desc: Threads: {said}\n" in callgrind
    assert f"\nsummary: {default['profile']['samples']}\n" in callgrind
    collapsed = (await jp_fetch(API, "profiles", meta["id"], "export", "collapsed")).body.decode()
    assert sum(int(line.rsplit(" ", 1)[1]) for line in collapsed.splitlines()) == default["profile"]["samples"]
    speedscope = json.loads((await jp_fetch(API, "profiles", meta["id"], "export", "speedscope")).body)
    assert said in speedscope["name"] and len(speedscope["profiles"]) == 2
    params = {"kernel_threads": "true"}
    with_kernel = (await jp_fetch(API, "profiles", meta["id"], "export", "callgrind", params=params)).body.decode()
    assert f"\nsummary: {default['profile']['totalSamples']}\n" in with_kernel

    # The cell's own output: its table is of the cell's threads and a note says what it left out.
    (payload,) = [p for p in done.profiles if p.get("notes")][-1:]
    note = (
        f"{threads} left out ({hidden['samples']} samples): percentages are of the cell's threads' "
        f"{default['profile']['samples']} samples"
    )
    assert any(n.startswith(note) for n in payload["notes"]), payload["notes"]
    # meta.json counts every thread, and says how many of them are the kernel's (the browser's row).
    summarized = ProfileStore(store_dir).read_meta(meta["id"])
    assert summarized["samples"] == default["profile"]["totalSamples"]
    assert summarized["kernel_threads"] == {"threads": hidden["threads"], "samples": hidden["samples"]}


async def test_the_diff_route_says_per_side_what_the_kernel_threads_were(kernel, store_dir, jp_fetch):
    meta, _ = profiled(kernel, store_dir)
    hidden = (await graph(jp_fetch, meta["id"]))["profile"]["kernelThreads"]

    async def diff(**params) -> dict:
        response = await jp_fetch(API, "profiles", meta["id"], "diff", meta["id"], params=params)
        return json.loads(response.body)

    default, everything = await diff(), await diff(kernel_threads="true")
    for side in ("a", "b"):
        # The Compare view's switch reads these: what is left out, then the same threads counted.
        assert default[side]["kernelThreads"] == hidden
        assert everything[side]["kernelThreads"] == {**hidden, "included": True}
        assert everything[side]["samples"] == default[side]["samples"] + hidden["samples"]
