"""What `%%vmprof --workers` adds to a cell: start and stop on 2 and 8 workers, and the bytes sent back.

    .venv/bin/python bench/dask_workers.py [--repeat 5] [--seconds 1.0]

A LocalCluster of worker processes (one thread each); each round starts profiling on
every worker, runs one task of `--seconds` CPU per worker, and stops. Reported per
worker count: the median and min of start and of stop (transfer included), the wall time
of the same work without profiling, and the profile bytes each worker sent back. The
machine's load is printed with the results, since a busy machine moves every number.
"""
from __future__ import annotations

import argparse
import os
import statistics
import tempfile
import time


def burn(seconds: float, tag: int) -> int:
    end = time.thread_time() + seconds
    total = 0
    while time.thread_time() < end:
        total += sum(i * i for i in range(2000))
    return total


def one_round(client, store, workers_count: int, seconds: float, profiled: bool) -> dict:
    from jupyterlab_vmprof.kernel.profiling import ProfileOptions
    from jupyterlab_vmprof.kernel.workers import WorkerProfiles

    run = WorkerProfiles("all", ProfileOptions()) if profiled else None
    meta = store.create(name="bench") if profiled else None
    t0 = time.perf_counter()
    if run:
        run.prepare()
        run.start()
    t1 = time.perf_counter()
    client.gather([client.submit(burn, seconds, i, pure=False) for i in range(workers_count)])
    t2 = time.perf_counter()
    parts = run.stop_into(store, meta["id"]) if run else []
    t3 = time.perf_counter()
    sent = [p.get("profile_bytes") or 0 for p in parts]
    if run:
        folder = store.folder(meta["id"]) / "workers"
        sent = [sum(f.stat().st_size for f in (folder / str(i)).iterdir()) for i in range(len(parts))]
    return {"start": t1 - t0, "work": t2 - t1, "stop": t3 - t2, "sent": sent,
            "complete": sum(p.get("status") == "complete" for p in parts)}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeat", type=int, default=5)
    parser.add_argument("--seconds", type=float, default=1.0)
    args = parser.parse_args()
    from dask.distributed import Client, LocalCluster

    from jupyterlab_vmprof.store import ProfileStore

    print(f"load average before: {os.getloadavg()}, cores: {os.cpu_count()}")
    for n in (2, 8):
        with LocalCluster(n_workers=n, threads_per_worker=1, processes=True, dashboard_address=None) as cluster, \
                Client(cluster) as client:
            store = ProfileStore(tempfile.mkdtemp())
            rounds = {True: [], False: []}
            one_round(client, store, n, 0.1, True)  # warm-up: imports in the workers
            for _ in range(args.repeat):
                for profiled in (False, True):  # interleaved
                    rounds[profiled].append(one_round(client, store, n, args.seconds, profiled))
            on, off = rounds[True], rounds[False]
            med = lambda key, rs: statistics.median(r[key] for r in rs)  # noqa: E731
            sent = [b for r in on for b in r["sent"]]
            print(f"{n} workers: start median {med('start', on) * 1e3:.0f} ms (min {min(r['start'] for r in on) * 1e3:.0f}), "
                  f"stop+transfer median {med('stop', on) * 1e3:.0f} ms (min {min(r['stop'] for r in on) * 1e3:.0f}), "
                  f"work {med('work', on):.2f} s profiled vs {med('work', off):.2f} s plain; "
                  f"sent per worker median {statistics.median(sent) / 1024:.0f} KiB (max {max(sent) / 1024:.0f}); "
                  f"complete parts {min(r['complete'] for r in on)}/{n}")
    print(f"load average after: {os.getloadavg()}")


if __name__ == "__main__":
    main()
