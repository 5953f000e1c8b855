"""How much a profile output adds to a notebook, for cells of about 1, 10 and 60 s.

    .venv/bin/python bench/embedded_size.py [--seconds 1 10 60]

Runs a mixed cell (recursive Python, dict counting, regular expressions, json, numpy matrix
products, with native frames: the default) under %%vmprof in a real kernel started with
jupyter_client (store in a temporary folder), for about the given CPU time, and writes the
output as nbformat saves it. Reports, in kB of the saved .ipynb: the whole output; the
embedded Graph JSON copy; the embedded raw profile (when it fits the bound); the static SVG
flame graph in text/html; and the output as it was before outputs carried their profile
(table only). Results in docs/benchmarks.md.
"""
from __future__ import annotations

import argparse
import json
import os
import sys
import tempfile
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO / "py-tests"))

from kernel_fixtures import MIME, Kernel  # noqa: E402

SETUP = '''
import json, re, time
import numpy as np

def fib(n):
    return n if n < 2 else fib(n - 1) + fib(n - 2)

def words(n):
    counts = {}
    for i in range(n):
        w = "w%d" % (i % 97)
        counts[w] = counts.get(w, 0) + 1
    return counts

def parse(n):
    text = " ".join("key%d=%d" % (i, i * 7) for i in range(n))
    return {m.group(1): int(m.group(2)) for m in re.finditer(r"(\\w+)=(\\d+)", text)}

def roundtrip(n):
    return json.loads(json.dumps([{"a": i, "b": [i] * 5} for i in range(n)]))

def matrices(k):
    a = np.random.default_rng(0).random((200, 200))
    for _ in range(k):
        a = a @ a
        a /= a.max()
    return a

def mixed(seconds):
    end = time.process_time() + seconds
    while time.process_time() < end:
        fib(20); words(20_000); parse(3_000); roundtrip(3_000); matrices(5)
'''


def kb(value) -> float:
    return len(json.dumps(value, ensure_ascii=False).encode()) / 1024


def measure(kernel: Kernel, seconds: float) -> dict:
    done = kernel.run(f"%%vmprof --name size-{seconds:g}s\nmixed({seconds})", timeout=seconds * 4 + 120)
    assert done.status == "ok", done.describe()
    data = done.displays[-1]
    output = {"output_type": "display_data", "metadata": {}, "data": data}
    embedded = data[MIME].get("embedded") or {}
    graph_kb = len(embedded.get("graph", "")) / 1024
    raw = embedded.get("raw") or {}
    raw_kb = sum(len(v) for v in raw.values()) / 1024
    html = data["text/html"]
    svg_start, svg_end = html.find("<svg"), html.find("</svg>")
    svg_kb = (svg_end + 6 - svg_start) / 1024 if svg_start >= 0 else 0.0
    before = dict(data, **{MIME: {k: v for k, v in data[MIME].items() if k != "embedded"}})
    before["text/html"] = html[:svg_start] + html[svg_end + 6:] if svg_start >= 0 else html
    return {
        "cell_s": seconds, "samples": data[MIME]["samples"], "output_kb": kb(output),
        "graph_copy_kb": graph_kb, "pruned": embedded.get("pruned"), "raw_kb": raw_kb, "svg_kb": svg_kb,
        "before_kb": kb({"output_type": "display_data", "metadata": {}, "data": before}),
        "id": data[MIME]["id"],
    }


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--seconds", type=float, nargs="+", default=[1, 10, 60])
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as store:
        kernel = Kernel(Path(store), {"PYTHONPATH": str(REPO)})
        try:
            assert kernel.run(SETUP).status == "ok"
            kernel.run("mixed(0.5)")  # warm up: imports, caches
            for seconds in args.seconds:
                row = measure(kernel, seconds)
                row["raw_profile_kb"] = os.path.getsize(Path(store) / row.pop("id") / "profile.prof") / 1024
                print(json.dumps(row), flush=True)
        finally:
            kernel.shutdown()


if __name__ == "__main__":
    main()
