"""How fast the API answers while big conversions run.

    .venv/bin/python bench/server_latency.py [--factor 1000] [--conversions 4] [--profiles 100]

Starts a real `jupyter server` (this package's extension enabled) on a temporary
store holding --profiles small profiles and --conversions large ones. The large
ones are generated/mixed.prof with its samples repeated --factor times (see
make_big_profile.py: exact sample count, no minutes of profiling; factor 1000 is
93 MB and 758,000 samples, about a second of conversion each). Each is a distinct
profile, so the conversions cannot share a run or a cache entry.

It measures list and metadata requests first on an idle server, then while all
the conversions (graph requests) run at once, and prints p50/p95/max. Target:
under 100 ms under load.
"""
from __future__ import annotations

import argparse
import json
import os
import statistics
import sys
import tempfile
import threading
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
REPO = HERE.parent
SOURCE = REPO / "test-data" / "profiles" / "generated" / "mixed.prof"
sys.path.insert(0, str(HERE))
sys.path.insert(0, str(REPO))

from extension_server import ExtensionServer  # noqa: E402
from make_big_profile import multiply  # noqa: E402

from jupyterlab_vmprof.store import ProfileStore  # noqa: E402


def probe(server: ExtensionServer, small_ids: list[str], keep_going) -> list[float]:
    """Alternate list and metadata requests, one at a time, as a user clicking around would."""
    latencies = []
    i = 0
    while keep_going():
        path = "profiles" if i % 2 == 0 else f"profiles/{small_ids[i % len(small_ids)]}"
        start = time.perf_counter()
        server.get(path)
        latencies.append(time.perf_counter() - start)
        i += 1
        time.sleep(0.01)
    return latencies


def summary(label: str, values: list[float]) -> str:
    ordered = sorted(values)
    p95 = ordered[min(len(ordered) - 1, int(round(0.95 * (len(ordered) - 1))))]
    return (f"{label:34} n={len(values):4}  p50 {statistics.median(ordered) * 1000:6.1f} ms  "
            f"p95 {p95 * 1000:6.1f} ms  max {ordered[-1] * 1000:6.1f} ms")


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--factor", type=int, default=1000, help="sample repetitions of the big profiles")
    parser.add_argument("--conversions", type=int, default=4, help="big conversions run at once")
    parser.add_argument("--profiles", type=int, default=100, help="small profiles in the store (list size)")
    args = parser.parse_args()

    with tempfile.TemporaryDirectory(prefix="vmprof-bench-") as tmp:
        store = ProfileStore(Path(tmp) / "store")
        small = SOURCE.read_bytes()
        small_ids = [store.import_profile(small, name=f"small {i}")["id"] for i in range(args.profiles)]
        big, samples = multiply(small, args.factor)
        big_ids = [store.import_profile(big, name=f"big {i}", max_bytes=len(big))["id"] for i in range(args.conversions)]
        print(f"store: {args.profiles} small profiles, {args.conversions} x {len(big) / 1e6:.0f} MB "
              f"({samples} samples); {os.cpu_count()} CPUs")

        server = ExtensionServer(store.root, {"max_concurrent_conversions": args.conversions, "conversion_timeout": 600})
        try:
            until = time.perf_counter() + 3
            idle = probe(server, small_ids, lambda: time.perf_counter() < until)

            durations: dict[str, float] = {}

            def convert(profile_id: str) -> None:
                start = time.perf_counter()
                graph = json.loads(server.get(f"profiles/{profile_id}/graph"))
                durations[profile_id] = time.perf_counter() - start
                assert graph["profile"]["samples"] == samples, graph["profile"]["samples"]

            workers = [threading.Thread(target=convert, args=(pid,)) for pid in big_ids]
            for worker in workers:
                worker.start()
            time.sleep(0.05)  # let the conversions start before the first probe
            loaded = probe(server, small_ids, lambda: any(w.is_alive() for w in workers))
            for worker in workers:
                worker.join()

            hits = []
            for _ in range(20):
                start = time.perf_counter()
                server.get(f"profiles/{big_ids[0]}/graph")
                hits.append(time.perf_counter() - start)
        finally:
            server.stop()

        print(summary("idle: list + metadata", idle))
        print(summary(f"during {args.conversions} conversions", loaded))
        print(f"conversions (graph, cache miss): {', '.join(f'{d:.2f}' for d in sorted(durations.values()))} s")
        print(summary("same graph again (cache hit)", hits))
        worst = max(loaded)
        print("target < 100 ms under load:", "met" if sorted(loaded)[int(0.95 * (len(loaded) - 1))] < 0.1 else "NOT met",
              f"(p95; max {worst * 1000:.1f} ms)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
