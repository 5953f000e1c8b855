"""%%vmprof --workers: the Dask workers a cell drives are profiled too, in a real kernel with a
real LocalCluster of worker processes, and the server shows each worker's part."""
from __future__ import annotations

import json

import pytest

from jupyterlab_vmprof.store import ProfileStore

pytest.importorskip("distributed")
pytestmark = pytest.mark.timeout(300)

CLUSTER = """
from dask.distributed import Client, LocalCluster
cluster = LocalCluster(n_workers=2, threads_per_worker=1, processes=True, dashboard_address=None)
client = Client(cluster)
addresses = sorted(client.scheduler_info()["workers"])
"""

# Two functions whose CPU time is set by construction: each burns `seconds` of its own
# thread's CPU, one in pure Python, one in numpy (single-threaded BLAS).
WORK = """
import time
import numpy as np

def py_part(seconds, tag):
    end = time.thread_time() + seconds
    total = 0
    while time.thread_time() < end:
        total += sum(i * i for i in range(2000))
    return total

def np_part(seconds, tag):
    end = time.thread_time() + seconds
    a = np.random.default_rng(0).random((200, 200))
    while time.thread_time() < end:
        a = (a @ a) / 200.0
    return float(a.sum())
"""

RUN = """%%vmprof --workers --name dask-cell
futures = [client.submit(f, 0.6, i, pure=False) for i in range(3) for f in (py_part, np_part)]
done = len(client.gather(futures))
"""


@pytest.fixture
def dask_kernel(kernel_factory):
    kernel = kernel_factory({"OPENBLAS_NUM_THREADS": "1", "OMP_NUM_THREADS": "1", "MKL_NUM_THREADS": "1"})
    made = kernel.run(CLUSTER + WORK, timeout=180)
    assert made.status == "ok", made.describe()
    yield kernel
    kernel.run("client.close(); cluster.close()", timeout=60)


def newest(store_dir) -> dict:
    store = ProfileStore(store_dir)
    return store.read_meta(store.ids()[-1])


def function_shares(graph: dict) -> dict:
    """Inclusive share of each function name in a Graph JSON, from its call tree (each
    sample counted once per function)."""
    names = {i: f["name"] for i, f in enumerate(graph["frames"])}
    total = graph["profile"]["samples"] or 1
    tree = graph["tree"]
    shares: dict = {}
    for node in range(len(tree["frame"])):
        name = names.get(tree["frame"][node])  # the root and merged boxes have no frame
        ancestors, parent = set(), tree["parent"][node]
        while parent >= 0:
            ancestors.add(names.get(tree["frame"][parent]))
            parent = tree["parent"][parent]
        if name is not None and name not in ancestors:
            shares[name] = shares.get(name, 0) + tree["total"][node] / total
    return shares


async def test_each_worker_has_a_part_that_names_the_work(dask_kernel, store_dir, jp_fetch):
    ran = dask_kernel.run(RUN, timeout=240)
    assert ran.status == "ok", ran.describe()
    meta = newest(store_dir)
    workers = meta["workers"]
    assert [w["status"] for w in workers] == ["complete", "complete"], workers
    assert all(w["address"].startswith("tcp://") and w["host"] and w["pid"] for w in workers)

    async def graph(process: str) -> dict:
        response = await jp_fetch("jupyterlab-vmprof", "profiles", meta["id"], "graph", params={"process": process})
        return json.loads(response.body)

    merged = await graph("workers")
    shares = function_shares(merged)
    assert shares.get("py_part", 0) > 0.15 and shares.get("np_part", 0) > 0.15, shares
    # Equal CPU time by construction: the shares agree within a factor that a busy machine keeps.
    assert 0.5 < shares["py_part"] / shares["np_part"] < 2.0, shares
    labels = [t["label"] for t in merged["profile"]["threads"]]
    assert any(label.startswith("worker 0 (") for label in labels) and any(label.startswith("worker 1 (") for label in labels)
    per_worker = [await graph(f"worker-{i}") for i in range(2)]
    assert sum(g["profile"]["samples"] for g in per_worker) == merged["profile"]["samples"]
    # The work ran in the workers: the kernel's own part never ran these functions.
    kernel_part = await graph("kernel")
    assert not {"py_part", "np_part"} & {f["name"] for f in kernel_part["frames"]}

    export = await jp_fetch("jupyterlab-vmprof", "profiles", meta["id"], "export", "callgrind",
                            params={"process": "worker-1"})
    assert f'callgrind.out.{meta["id"]}.worker-1' in export.headers["Content-Disposition"]
    assert b"events:" in export.body


async def test_real_time_mode_samples_the_workers_task_threads(dask_kernel, store_dir, jp_fetch):
    ran = dask_kernel.run(RUN.replace("--workers", "--workers --real-time"), timeout=240)
    assert ran.status == "ok", ran.describe()
    meta = newest(store_dir)
    assert [w["status"] for w in meta["workers"]] == ["complete", "complete"], meta["workers"]
    response = await jp_fetch("jupyterlab-vmprof", "profiles", meta["id"], "graph", params={"process": "workers"})
    shares = function_shares(json.loads(response.body))
    assert shares.get("py_part", 0) > 0.05 and shares.get("np_part", 0) > 0.05, shares


def test_without_a_client_nothing_runs_and_the_cell_says_why(kernel, store_dir):
    ran = kernel.run("%%vmprof --workers\nran = True\n")
    assert ran.status == "error"
    assert "needs a Dask client" in ran.stderr + ran.error_text
    assert kernel.run("print('ran' in globals())").stdout.strip() == "False"
    assert ProfileStore(store_dir).ids() == []


def test_a_worker_that_dies_is_named_and_the_others_are_kept(dask_kernel, store_dir):
    cell = """%%vmprof --workers
import os, threading, time
victim = addresses[0]
# The worker process ends abruptly 0.1 s after this call returns (as an OOM kill would end it).
client.run(lambda: threading.Timer(0.1, os._exit, (1,)).start(), workers=[victim])
time.sleep(3)
futures = [client.submit(py_part, 0.3, i, pure=False) for i in range(2)]
client.gather(futures)
"""
    ran = dask_kernel.run(cell, timeout=240)
    assert ran.status == "ok", ran.describe()
    meta = newest(store_dir)
    by_status = {w["status"]: w for w in meta["workers"]}
    assert set(by_status) == {"died", "complete"}, meta["workers"]
    died = by_status["died"]
    assert died["address"] in died["error"] and "died" in died["error"]
    assert any(died["address"] in w for w in meta["warnings"])
    text = "\n".join(d.get("text/plain", "") for d in ran.displays)
    assert died["address"] in text
