"""How fast the profile list answers with many profiles in the store.

    .venv/bin/python bench/list_many.py [--profiles 10000] [--requests 200]

Fills a temporary store with --profiles profiles (meta.json only: the list reads
nothing else), starts a real `jupyter server` on it (bench/server_latency.py's
Server), then measures GET profiles (first page of 50): the first request (the
server builds its list index), requests in a row, and requests each following a
change made through another ProfileStore object, as the kernel makes them (a
rename), so that the index has to take the change in. Target: p50 under 20 ms at
10,000 profiles.
"""
from __future__ import annotations

import argparse
import datetime as dt
import json
import os
import statistics
import sys
import tempfile
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))
sys.path.insert(0, str(HERE.parent))

from server_latency import Server, summary  # noqa: E402

from jupyterlab_vmprof.store import META_FILE, ProfileStore, iso  # noqa: E402


def fill(store: ProfileStore, count: int) -> list[str]:
    """`count` complete profiles, one a minute back in time (written directly: fast)."""
    template = store.create(name="template")
    store.delete(template["id"])
    now = dt.datetime.now(dt.timezone.utc)
    ids = []
    for i in range(count):
        when = now - dt.timedelta(minutes=i)
        profile_id = store.new_id(when)
        folder = store.root / profile_id
        folder.mkdir()
        meta = dict(template, id=profile_id, name=f"profile {i}", status="complete", started=iso(when),
                    notebook=f"notebook-{i % 20}.ipynb", cell="x = 1\n" * 20, samples=1000 + i)
        (folder / META_FILE).write_text(json.dumps(meta, indent=1, sort_keys=True))
        ids.append(profile_id)
    return ids


def timed(server: Server, path: str) -> tuple[float, dict]:
    start = time.perf_counter()
    body = json.loads(server.get(path))
    return time.perf_counter() - start, body


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--profiles", type=int, default=10_000)
    parser.add_argument("--requests", type=int, default=200)
    args = parser.parse_args()

    with tempfile.TemporaryDirectory(prefix="vmprof-bench-") as tmp:
        store = ProfileStore(Path(tmp) / "store")
        started = time.perf_counter()
        ids = fill(store, args.profiles)
        print(f"store: {args.profiles} profiles written in {time.perf_counter() - started:.1f} s; "
              f"{os.cpu_count()} CPUs")
        server = Server(store.root, 1)
        try:
            # Server() asked for one page to see it up: the index was built then. Restart-like
            # cold cost: measured by a fresh store object below.
            cold_store = ProfileStore(store.root)
            start = time.perf_counter()
            cold_store.list()
            cold = time.perf_counter() - start

            steady = []
            for _ in range(args.requests):
                elapsed, body = timed(server, "profiles")
                assert body["total"] == args.profiles and len(body["profiles"]) == 50
                steady.append(elapsed)

            kernel_side = ProfileStore(store.root)
            changed = []
            for i in range(args.requests // 4):
                kernel_side.rename(ids[i], f"renamed {i}")
                elapsed, body = timed(server, "profiles")
                assert body["profiles"][i]["name"] == f"renamed {i}", body["profiles"][i]
                changed.append(elapsed)

            filtered = [timed(server, "profiles?notebook=notebook-3.ipynb")[0] for _ in range(args.requests // 4)]
        finally:
            server.stop()

    print(f"index built from nothing (a server start): {cold * 1000:.0f} ms")
    print(summary("list, page 1 of 50", steady))
    print(summary("list after a kernel-side rename", changed))
    print(summary("list of one notebook", filtered))
    p50 = statistics.median(steady)
    print("target p50 < 20 ms:", "met" if p50 < 0.020 else "NOT met", f"({p50 * 1000:.1f} ms)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
