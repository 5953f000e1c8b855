"""Cold graph request of a small profile: a Node process per conversion against warm converter workers.

    .venv/bin/python bench/cold_graph.py [--runs 15] [--profile test-data/profiles/generated/mixed.prof]

Starts two real `jupyter server` processes on one temporary store, one with
`VmprofExtension.converter_workers=0` (a Node process per conversion) and one with the default
pool (warm workers). Every timed request asks for the graph of a profile not converted before (a
fresh copy of the same file, so a cache miss), end to end over HTTP on a kept-alive connection.
The two servers take turns, in alternating order, so both see the same machine load; after each
turn the pool's server answers the same graph again from its cache (the floor: HTTP, the cache
lookup and sending the file). One
untimed request per server first (Python and the file cache warm up; the pool's worker compiles
the converter's code). Prints min and median per server and their ratio, and the load average.
"""

from __future__ import annotations

import argparse
import http.client
import json
import os
import statistics
import sys
import tempfile
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
REPO = HERE.parent
sys.path.insert(0, str(HERE))
sys.path.insert(0, str(REPO))

from extension_server import ExtensionServer  # noqa: E402

from jupyterlab_vmprof.store import ProfileStore  # noqa: E402


class Server(ExtensionServer):
    """The extension's server with `workers` warm converter workers, asked over one kept-alive connection."""

    def __init__(self, store: Path, workers: int):
        self.workers = workers
        self.connection: http.client.HTTPConnection | None = None
        super().__init__(store, {"converter_workers": workers})

    def get(self, path: str) -> bytes:
        if self.connection is None:
            self.connection = http.client.HTTPConnection("127.0.0.1", self.port, timeout=120)
        try:
            self.connection.request("GET", f"/jupyterlab-vmprof/{path}", headers=self.headers)
            response = self.connection.getresponse()
        except OSError:
            self.connection.close()  # not up yet, or dropped: a new connection next time
            self.connection = None
            raise
        data = response.read()
        if response.status != 200:
            raise RuntimeError(f"{path}: {response.status} {data[:300]!r}")
        return data

    def graph_ms(self, profile_id: str, samples: int) -> float:
        start = time.perf_counter()
        graph = json.loads(self.get(f"profiles/{profile_id}/graph"))
        elapsed = (time.perf_counter() - start) * 1000
        assert graph["profile"]["samples"] == samples, graph["profile"]["samples"]
        return elapsed

    def stop(self) -> None:
        if self.connection is not None:
            self.connection.close()
        super().stop()


def load() -> str:
    return Path("/proc/loadavg").read_text().split(" ", 3)[:3].__str__()


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=15, help="timed cold requests per server (at least 7)")
    parser.add_argument("--profile", type=Path, default=REPO / "test-data" / "profiles" / "generated" / "mixed.prof")
    args = parser.parse_args()
    data = args.profile.read_bytes()
    with tempfile.TemporaryDirectory(prefix="vmprof-cold-") as tmp:
        store = ProfileStore(Path(tmp) / "store")
        fresh = {mode: [store.import_profile(data, name=f"{mode} {i}")["id"] for i in range(args.runs + 1)]
                 for mode in ("process", "pool")}  # fmt: skip
        servers = {"process": Server(store.root, 0), "pool": Server(store.root, 2)}
        try:
            time.sleep(1.0)  # the pool's first worker starts with its server
            samples = json.loads(servers["pool"].get(f"profiles/{fresh['pool'][0]}/graph"))["profile"]["samples"]
            servers["process"].graph_ms(fresh["process"][0], samples)
            print(
                f"{args.profile.name}: {len(data)} bytes, {samples} samples; {os.cpu_count()} CPUs; "
                f"load average before {load()}"
            )
            times: dict[str, list[float]] = {"process": [], "pool": [], "cached": []}
            for run in range(1, args.runs + 1):
                order = ("process", "pool") if run % 2 else ("pool", "process")
                for mode in order:
                    times[mode].append(servers[mode].graph_ms(fresh[mode][run], samples))
                # The same graph again, from the cache: what the server and HTTP cost without converting.
                times["cached"].append(servers["pool"].graph_ms(fresh["pool"][run], samples))
        finally:
            for server in servers.values():
                server.stop()
    print(f"load average after {load()}")
    labels = {"process": "Node process per conversion", "pool": "warm converter worker", "cached": "cache hit (floor)"}
    for mode, label in labels.items():
        values = times[mode]
        print(
            f"{label:28} n={len(values)}  min {min(values):6.1f} ms  median {statistics.median(values):6.1f} ms  "
            f"max {max(values):6.1f} ms"
        )
    ratio = statistics.median(times["process"]) / statistics.median(times["pool"])
    print(
        f"median ratio process / pool: {ratio:.1f} x; "
        f"target < 20 ms: {'met' if statistics.median(times['pool']) < 20 else 'NOT met'} (median)"
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
