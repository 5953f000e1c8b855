"""Kernel side of bench/overhead.py: cell timers and the %%vmprof cost breakdown.

Imported inside the benchmark's kernel (never by the package). It

* times every top-level cell from IPython's pre_run_cell to its post_run_cell
  event (the magics run their body with a nested run_cell: only the outermost
  pair counts), so the span includes everything a magic does before and after the
  body (enabling/disabling the profiler, writing the profile, the summary, the
  display message);
* can wrap, for timing only, the functions %%vmprof calls on its way (profiling,
  vmprof's disable, the converter summary...) and report each one's inclusive
  time for the last cell; `unwrap()` puts every original back;
* reports the newest profile's meta.json and the kernel's environment (the
  micro-benchmarks are in overhead_micro.py).
"""

from __future__ import annotations

import json
import sys
import time
from typing import Any, Callable, Optional

perf_counter = time.perf_counter

_stack: list[tuple[float, float]] = []
last_cell: Optional[float] = None
last_cell_cpu: Optional[float] = None
_shell = None


def _pre_run_cell(info=None) -> None:
    if not _stack and _shell is not None:
        _shell.user_ns["_bench_body"] = None  # a cell that fails to set it reads back None
        _shell.user_ns["_bench_cpu"] = None
        reset_parts()
    _stack.append((time.process_time(), perf_counter()))


def _post_run_cell(result=None) -> None:
    global last_cell, last_cell_cpu
    if not _stack:
        return
    cpu, wall = _stack.pop()
    if not _stack:
        last_cell = perf_counter() - wall
        last_cell_cpu = time.process_time() - cpu


def install(shell) -> None:
    """Register the cell timer (once)."""
    global _shell
    if _shell is not None:
        return
    _shell = shell
    shell.events.register("pre_run_cell", _pre_run_cell)
    shell.events.register("post_run_cell", _post_run_cell)


# ---------------------------------------------------------------------------------
# Timing wrappers around the parts of %%vmprof.

PARTS: dict[str, list[float]] = {}
_patches: list[tuple[Any, str, Any, bool]] = []


def reset_parts() -> None:
    PARTS.clear()


def parts() -> dict:
    """{label: [total seconds, calls]} for the last top-level cell."""
    return {label: [round(v[0], 6), int(v[1])] for label, v in PARTS.items()}


def _timed(label: str, original: Callable) -> Callable:
    def wrapper(*args, **kwargs):
        t0 = perf_counter()
        try:
            return original(*args, **kwargs)
        finally:
            entry = PARTS.setdefault(label, [0.0, 0])
            entry[0] += perf_counter() - t0
            entry[1] += 1

    wrapper.__wrapped__ = original
    return wrapper


def _wrap(owner: Any, name: str, label: str) -> None:
    own = name in getattr(owner, "__dict__", {})
    original = owner.__dict__[name] if own else getattr(owner, name)
    _patches.append((owner, name, original, own))
    setattr(owner, name, _timed(label, getattr(owner, name)))


def wrap_vmprof_parts() -> list[str]:
    """Wrap the functions %%vmprof runs through; returns the labels."""
    if _patches:
        return sorted({p[2] for p in _patches})
    import _vmprof
    import IPython.display
    import vmprof
    import vmprof.reader

    from jupyterlab_vmprof import node_converter as converter, store
    from jupyterlab_vmprof.kernel import cellrun, magic, output, profiling, summary
    from jupyterlab_vmprof.kernel.lean import codesearch, leanvmprof

    targets = [
        (magic, "profile_source", "profile_source (all of the magic after option parsing)"),
        (output, "show", "  output.show (display message, summary thread started)"),
        (output, "wait_pending", "  output.wait_pending (previous summary thread still running; before the gate)"),
        (output, "enter_gate", "  output.enter_gate (a previous summary's Python work in progress)"),
        (cellrun, "needs_event_loop", "  needs_event_loop"),
        (profiling.ProfileRun, "prepare", "  ProfileRun.prepare (vmprof import, store.create)"),
        (store.ProfileStore, "create", "    ProfileStore.create (meta.json, fsync)"),
        (profiling.ProfileRun, "begin", "  ProfileRun.begin (open file, hooks, enable)"),
        (leanvmprof, "enable", "    leanvmprof.enable (vmprof.enable from a fresh thread when native)"),
        (vmprof, "enable", "      vmprof.enable"),
        (cellrun, "run_in_shell", "  run_in_shell (nested run_cell with the body)"),
        (profiling.ProfileRun, "stop", "  ProfileRun.stop"),
        (profiling.ProfileRun, "end_sampling", "    ProfileRun.end_sampling"),
        (leanvmprof, "stop", "      leanvmprof.stop"),
        (leanvmprof, "_name_code_objects", "        name the sampled Python code objects"),
        (leanvmprof, "scan_profile", "          rawscan.scan_profile"),
        (codesearch, "find_code_objects", "          find_code_objects"),
        (leanvmprof, "_insert_before_trailer", "          write the names before the trailer"),
        (
            leanvmprof.DeferredSearch,
            "run",
            "  DeferredSearch.run (reused code addresses; after the cell, before the summary)",
        ),
        (vmprof, "disable", "      vmprof.disable (not used by the magic since leanvmprof)"),
        (_vmprof, "stop_sampling", "        _vmprof.stop_sampling"),
        (
            vmprof.reader.LogReader,
            "read_all",
            "        LogReaderDumpNative.read_all (re-read profile, add native symbols)",
        ),
        (vmprof, "resolve_many_addr", "          vmprof.resolve_many_addr (native symbol lookup)"),
        (_vmprof, "write_all_code_objects", "        _vmprof.write_all_code_objects (Python code objects)"),
        (_vmprof, "disable", "        _vmprof.disable"),
        (profiling, "record_symbols", "      record_symbols (maps.txt, perf map, jit-symbols.json)"),
        (profiling.ProfileRun, "finish_meta", "    ProfileRun.finish_meta (meta.json, fsync)"),
        (
            output.Summary,
            "compute",
            "  Summary.compute (converter summary: in a thread after the cell unless --wait-summary)",
        ),
        (summary, "summarize", "    summary.summarize (converter summary)"),
        (converter, "convert_sync", "    converter.convert_sync (node subprocess)"),
        (store.ProfileStore, "update_meta", "  ProfileStore.update_meta (all calls)"),
        (IPython.display, "publish_display_data", "  publish_display_data"),
    ]
    for owner, name, label in targets:
        if getattr(owner, name, None) is not None:
            _wrap(owner, name, label)
    return [label for _, _, label in targets]


def unwrap() -> None:
    while _patches:
        owner, name, original, own = _patches.pop()
        if own:
            setattr(owner, name, original)
        else:
            delattr(owner, name)


# ---------------------------------------------------------------------------------
# vmprof's own cost: vmprof.enable/vmprof.disable around a cell body, nothing else.

_raw: dict = {}


def raw_vmprof_start(period: float = 0.001, native: bool = True) -> None:
    """vmprof.enable on a temporary file, as a script using vmprof directly would."""
    import tempfile

    import vmprof

    fd, path = tempfile.mkstemp(suffix=".prof", prefix="bench-raw-")
    _raw.update(fd=fd, path=path)
    vmprof.enable(fd, period=period, native=native)


def raw_vmprof_stop() -> int:
    """vmprof.disable, then the file is removed; returns the profile's size in bytes."""
    import os

    import vmprof

    try:
        vmprof.disable()
        return os.fstat(_raw["fd"]).st_size
    finally:
        os.close(_raw.pop("fd"))
        os.unlink(_raw.pop("path"))


# ---------------------------------------------------------------------------------
# What the last %%vmprof stored, and the kernel's environment (micro-benchmarks:
# overhead_micro.py).


def latest_meta(wait: bool = False) -> Optional[dict]:
    """samples, duration, size and warnings of the newest profile in the store.

    wait: first let the summary thread finish (it writes `samples` after the cell); ask
    in a request of its own, or that request's time includes the summary.
    """
    from jupyterlab_vmprof.store import ProfileStore

    if wait:
        try:
            from jupyterlab_vmprof.kernel import output
        except ImportError:  # a version whose summary is computed inside the cell
            pass
        else:
            output.wait_pending()
    listing = ProfileStore().list(per_page=1)
    if not listing["profiles"]:
        return None
    meta = listing["profiles"][0]
    return {key: meta.get(key) for key in ("id", "status", "samples", "duration_s", "profile_bytes", "warnings")}


def environment() -> dict:
    import os
    import platform

    info = {"python": sys.version.split()[0], "machine": platform.machine(), "cpus": os.cpu_count()}
    for module in ("vmprof", "numpy", "numba", "pyinstrument", "IPython", "ipykernel"):
        try:
            from importlib.metadata import version

            info[module] = version(module)
        except Exception:  # noqa: BLE001
            info[module] = None
    try:
        import numpy

        info["numpy_blas_threads"] = _blas_threads(numpy)
    except Exception:  # noqa: BLE001
        pass
    return info


def _blas_threads(numpy) -> Optional[str]:
    for name in ("OPENBLAS_NUM_THREADS", "OMP_NUM_THREADS", "MKL_NUM_THREADS"):
        import os

        if os.environ.get(name):
            return f"{name}={os.environ[name]}"
    return "library default"


def as_json(value: Any) -> str:
    return json.dumps(value)
