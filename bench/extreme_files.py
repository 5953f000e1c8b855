"""Peak memory of the converter on extreme but valid vmprof files, against their size.

    python bench/extreme_files.py [SIZE_MB ...]        (default: 1 8 32 128)
    KINDS=frames,threads python bench/extreme_files.py 128   (only some kinds)
    NODE_FLAGS="" python bench/extreme_files.py   (node's options: default the converter's V8_FLAGS)

Each kind of file is generated at each size (Linux 64-bit, version 6, Python frames
only), then converted to Graph JSON and to callgrind in a fresh `node` process whose
peak RSS is read from the kernel (getrusage of the child). Node's own cost of a
conversion is measured too and subtracted: the baseline is the peak converting a small
real profile (test-data/profiles/vmprof-0.6.0/threads.prof, 30 kB, whose own share is
under 0.2 MB); the ratio is (peak - baseline) / size, the goal 4 at most. The peak of a
1 kB synthetic file is printed too. Each run's file-backed memory at exit (RssFile) over the
baseline's is printed apart, with the ratio without it: ~4 MB of the node binary's own code
(the optimizing compiler's) is paged in once any loop of a conversion runs hot, which the
30 kB baseline's never do; that is Node's cost, the same for any file past ~1 MB.

Kinds (what made earlier versions take gigabytes or fail):
- deep:     distinct stacks 65,536 frames deep (the format's limit), 1,000 named functions
- frames:   one distinct, named function per sample
- threads:  one thread per sample
- names:    one sample, then a name record per code object (vmprof names every live code
            object at the stop: a short cell after a large import)
- warnings: a repeated meta key per record (each one a warning)
- dense:    not extreme: one stack of one frame on one thread, sampled over and over (the
            densest ordinary file: 33 bytes per sample, 250,000 samples in 8 MB)

Writes bench/out/extreme_files.json and prints a table.
"""

from __future__ import annotations

import json
import os
import random
import struct
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
OUT = ROOT / "bench" / "out"
# VMPROF_CONVERTER: another bundle (say, one built from a given commit) in place of the built one.
CONVERTER = Path(os.environ.get("VMPROF_CONVERTER", ROOT / "jupyterlab_vmprof" / "converter" / "vmprof-convert.js"))
CODE_BASE = 0x7F0000000000
# Node's options for every run, the baseline's included: the converter's own (V8_FLAGS), or NODE_FLAGS.
sys.path.insert(0, str(ROOT))
from jupyterlab_vmprof.node_converter import V8_FLAGS  # noqa: E402

NODE_FLAGS = os.environ["NODE_FLAGS"].split() if "NODE_FLAGS" in os.environ else list(V8_FLAGS)


def header() -> bytes:
    name = b"cpython"
    return (
        struct.pack("<5q", 0, 3, 0, 1000, 0)
        + bytes([5, 0, 6, 0, len(name)])
        + name
        + bytes([6])
        + struct.pack("<qqq", 1_700_000_000, 0, 0)
    )


def sample(stack: list[int], thread: int = 0x1000) -> bytes:
    return bytes([1]) + struct.pack(f"<qq{len(stack)}qq", 1, len(stack), *stack, thread)


def name(addr: int, text: str) -> bytes:
    data = text.encode()
    return bytes([2]) + struct.pack("<qq", addr, len(data)) + data


def trailer() -> bytes:
    return bytes([3]) + struct.pack("<qqq", 1_700_000_010, 0, 0)


def make(kind: str, size: int, path: Path) -> None:
    rng = random.Random(1)
    with path.open("wb") as f:
        f.write(header())
        written = 0
        if kind == "deep":
            funcs = [CODE_BASE + 16 * i for i in range(1000)]
            for addr in funcs:
                f.write(name(addr, f"py:f{addr & 0xFFFF:x}:1:/src/deep.py"))
            while written < size:
                record = sample([rng.choice(funcs) for _ in range(1 << 16)])
                f.write(record)
                written += len(record)
        elif kind == "frames":
            i = 0
            while written < size:
                addr = CODE_BASE + 16 * i
                record = sample([addr, CODE_BASE - 16]) + name(addr, f"py:function_{i}:{i}:/src/many_{i % 97}.py")
                f.write(record)
                written += len(record)
                i += 1
            f.write(name(CODE_BASE - 16, "py:<module>:1:/src/main.py"))
        elif kind == "threads":
            i = 0
            while written < size:
                record = sample([CODE_BASE], thread=0x10000 + 16 * i)
                f.write(record)
                written += len(record)
                i += 1
            f.write(name(CODE_BASE, "py:work:1:/src/threads.py"))
        elif kind == "names":
            f.write(sample([CODE_BASE]))
            i = 0
            while written < size:
                record = name(CODE_BASE + 16 * i, f"py:function_{i}:{i}:/src/package/module_{i % 997}.py")
                f.write(record)
                written += len(record)
                i += 1
        elif kind == "dense":
            record = sample([CODE_BASE])
            while written < size:
                f.write(record)
                written += len(record)
            f.write(name(CODE_BASE, "py:work:1:/src/dense.py"))
        elif kind == "warnings":
            f.write(sample([CODE_BASE]) + name(CODE_BASE, "py:work:1:/src/w.py"))
            while written < size:
                record = bytes([7]) + struct.pack("<q", 4) + b"same" + struct.pack("<q", 1) + b"x"
                f.write(record)
                written += len(record)
        else:
            raise SystemExit(f"unknown kind {kind}")
        f.write(trailer())


# Preloaded into each node: at exit, writes how much of its memory is file-backed (RssFile: the
# node binary's and libraries' code pages, never the profile's data, which is read into anonymous
# memory). File pages stay resident once touched, so this is also their amount at the peak.
CODE_PAGES_HOOK = """process.on('exit', () => {
  const status = require('fs').readFileSync('/proc/self/status', 'utf-8');
  require('fs').writeFileSync(process.env.BENCH_FILE_RSS, /RssFile:\\s+(\\d+)/.exec(status)[1]);
});
"""


def peak_rss(path: Path, fmt: str) -> dict:
    """Run the conversion under a small Python wrapper whose only child is node: its
    RUSAGE_CHILDREN maximum is that node process's peak RSS. Also the file-backed RSS at exit."""
    code = (
        "import resource,subprocess,sys,time,json;t=time.perf_counter();"
        "d=subprocess.run(sys.argv[1:],capture_output=True,text=True);"
        "print(json.dumps({'peak_mb':resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss/1024,"
        "'seconds':round(time.perf_counter()-t,2),'exit':d.returncode,"
        "'stderr_lines':len(d.stderr.splitlines()),'error':d.stderr.strip()[:300] if d.returncode else None}))"
    )
    hook, file_rss = OUT / "code-pages-hook.js", OUT / "file-rss"
    hook.write_text(CODE_PAGES_HOOK)
    done = subprocess.run(
        [sys.executable, "-c", code, "node", *NODE_FLAGS, "-r", str(hook), str(CONVERTER), str(path)]
        + ["--format", fmt, "-o", os.devnull],
        capture_output=True,
        text=True,
        check=True,
        env={**os.environ, "BENCH_FILE_RSS": str(file_rss)},
    )
    return {**json.loads(done.stdout), "file_backed_mb": int(file_rss.read_text()) / 1024}


def main(sizes_mb: list[float]) -> None:
    OUT.mkdir(parents=True, exist_ok=True)
    tiny = OUT / "extreme-tiny.prof"
    make("threads", 1000, tiny)
    tiny_mb = {fmt: peak_rss(tiny, fmt)["peak_mb"] for fmt in ("json", "callgrind")}
    small = ROOT / "test-data" / "profiles" / "vmprof-0.6.0" / "threads.prof"
    base_runs = {fmt: peak_rss(small, fmt) for fmt in ("json", "callgrind")}
    baseline = {fmt: run["peak_mb"] for fmt, run in base_runs.items()}
    base_file = {fmt: run["file_backed_mb"] for fmt, run in base_runs.items()}
    print(f"node flags {NODE_FLAGS}, load average {os.getloadavg()[0]:.2f}", flush=True)
    print(f"baseline (30 kB real profile) {baseline} (file-backed {base_file}), 1 kB file {tiny_mb}", flush=True)
    rows = []
    for size_mb in sizes_mb:
        for kind in os.environ.get("KINDS", "deep,frames,threads,names,warnings,dense").split(","):
            path = OUT / f"extreme-{kind}-{size_mb:g}mb.prof"
            make(kind, int(size_mb * 1024 * 1024), path)
            file_mb = path.stat().st_size / 1024 / 1024
            for fmt in ("json", "callgrind"):
                result = peak_rss(path, fmt)
                grown = result["peak_mb"] - baseline[fmt]
                # Code pages of node's own the baseline did not touch (the optimizing compiler's,
                # once a loop runs hot): Node's cost, not the file's; reported apart, not hidden.
                code_pages = max(0.0, result["file_backed_mb"] - base_file[fmt])
                rows.append(
                    {
                        "kind": kind,
                        "format": fmt,
                        "file_mb": round(file_mb, 1),
                        **result,
                        "baseline_mb": round(baseline[fmt], 1),
                        "ratio": round(grown / file_mb, 2),
                        "code_pages_mb": round(code_pages, 1),
                        "ratio_without_code_pages": round((grown - code_pages) / file_mb, 2),
                    }
                )
                r = rows[-1]
                outcome = "ok" if r["exit"] == 0 else f"exit {r['exit']}: {r['error']}"
                print(
                    f"{kind:9} {fmt:9} {r['file_mb']:7.1f} MB  peak {r['peak_mb']:8.1f} MB  "
                    f"(peak - baseline) / size {r['ratio']:6.2f}  node code pages {r['code_pages_mb']:4.1f} MB, "
                    f"without them {r['ratio_without_code_pages']:6.2f}  {r['seconds']:6.2f} s  "
                    f"{r['stderr_lines']} stderr lines  {outcome}",
                    flush=True,
                )
            path.unlink()
    (OUT / "extreme_files.json").write_text(
        json.dumps({"baseline_mb": baseline, "tiny_mb": tiny_mb, "rows": rows}, indent=1)
    )


if __name__ == "__main__":
    main([float(a) for a in sys.argv[1:]] or [1, 8, 32, 128])
