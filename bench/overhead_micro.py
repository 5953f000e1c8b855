"""Micro-benchmarks of bench/overhead.py's breakdown, run inside the benchmark's kernel.

Imported there as `_bm` (never by the package): the Numba trampoline's cost per call,
enable and disable alone (vmprof's own pair and the magic's), disable against heap size,
the sampling rate the OS timer really gives, and node's start-up.
"""

from __future__ import annotations

import subprocess
import time
from typing import Any, Callable, Optional

perf_counter = time.perf_counter


def trampoline_cost(function: Callable, argument: Any, calls: int = 200_000, rounds: int = 3) -> dict:
    """CPU seconds per call of a Numba dispatcher, without and with the profiler's trampoline (best round)."""
    from jupyterlab_vmprof.kernel.jit import NumbaTrampolines

    def loop() -> float:  # CPU time of this thread: other processes on the machine do not count
        t0 = time.thread_time()
        for _ in range(calls):
            function(argument)
        return time.thread_time() - t0

    function(argument)
    plain, hooked = [], []
    for _ in range(rounds):
        plain.append(loop())
        trampolines = NumbaTrampolines()
        if not trampolines.install():
            return {"error": "trampoline not installed (Numba not imported, or class already hooked)"}
        try:
            hooked.append(loop())
        finally:
            trampolines.remove()
    return {"calls": calls, "plain_s_per_call": min(plain) / calls, "trampoline_s_per_call": min(hooked) / calls}


def enable_cost(rounds: int = 5) -> dict:
    """Best seconds of enable and disable alone (empty profile), native and not, for
    vmprof's own pair and for leanvmprof's (what the magic uses), side by side."""
    import os
    import tempfile

    import vmprof

    from jupyterlab_vmprof.kernel.lean import leanvmprof

    def lean_enable(fd, native):
        leanvmprof.enable(vmprof, fd, period=0.001, memory=False, lines=False, native=native, real_time=False)

    pairs = {
        "": (lambda fd, native: vmprof.enable(fd, period=0.001, native=native), lambda fd: vmprof.disable()),
        "lean_": (lean_enable, leanvmprof.stop),
    }
    result = {}
    for (prefix, (enable, disable)), native in [(pair, native) for pair in pairs.items() for native in (True, False)]:
        enables, disables = [], []
        for _ in range(rounds):
            fd, path = tempfile.mkstemp(suffix=".prof")
            try:
                t0 = perf_counter()
                enable(fd, native)
                t1 = perf_counter()
                disable(fd)
                t2 = perf_counter()
            finally:
                os.close(fd)
                os.unlink(path)
            enables.append(t1 - t0)
            disables.append(t2 - t1)
        key = prefix + ("native" if native else "python_only")
        result[key] = {
            "enable_s": min(enables),
            "disable_s": min(disables),
            "enable_median_s": sorted(enables)[rounds // 2],
            "disable_median_s": sorted(disables)[rounds // 2],
        }
    with open("/proc/self/maps") as maps:
        result["mapped_regions"] = sum(1 for _ in maps)
    return result


def disable_vs_heap(objects: int = 1_000_000, rounds: int = 3) -> dict:
    """vmprof.disable (empty profile, Python-only) before and after `objects` more live
    container objects: at disable vmprof walks every object the GC tracks to name code objects."""
    import gc
    import os
    import tempfile

    import vmprof

    from jupyterlab_vmprof.kernel.lean import leanvmprof

    def best(stop) -> float:
        times = []
        for _ in range(rounds):
            fd, path = tempfile.mkstemp(suffix=".prof")
            try:
                vmprof.enable(fd, period=0.001, native=False)
                t0 = perf_counter()
                stop(fd)
                times.append(perf_counter() - t0)
            finally:
                os.close(fd)
                os.unlink(path)
        return min(times)

    def vmprof_stop(fd):
        vmprof.disable()

    before, lean_before = best(vmprof_stop), best(leanvmprof.stop)
    tracked_before = len(gc.get_objects())
    junk = [[i] for i in range(objects)]
    after, lean_after = best(vmprof_stop), best(leanvmprof.stop)
    tracked_after = len(gc.get_objects())
    del junk
    return {
        "objects_added": objects,
        "gc_tracked_before": tracked_before,
        "gc_tracked_after": tracked_after,
        "disable_before_s": before,
        "disable_after_s": after,
        "lean_stop_before_s": lean_before,
        "lean_stop_after_s": lean_after,
    }


def sampling_rate(seconds: float = 0.5) -> dict:
    """Samples per CPU second actually taken at period 0.001 (the OS timer may be coarser)."""
    import os
    import tempfile

    import vmprof

    fd, path = tempfile.mkstemp(suffix=".prof")
    try:
        vmprof.enable(fd, period=0.001, native=False)
        c0 = time.process_time()
        while time.process_time() - c0 < seconds:
            pass
        cpu = time.process_time() - c0
        vmprof.disable()
        stats = vmprof.read_profile(path)
        samples = len(stats.profiles)
    finally:
        os.close(fd)
        os.unlink(path)
    return {"cpu_s": cpu, "samples": samples, "per_cpu_second": samples / cpu if cpu else None}


def node_startup(rounds: int = 3) -> Optional[float]:
    """Best wall time of `node -e 0`: the floor under any converter summary."""
    try:
        from jupyterlab_vmprof.node_converter import node_executable

        node = node_executable()
    except Exception:  # noqa: BLE001 - no node: no number
        return None
    best = None
    for _ in range(rounds):
        t0 = perf_counter()
        subprocess.run([node, "-e", "0"], check=False, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        elapsed = perf_counter() - t0
        best = elapsed if best is None else min(best, elapsed)
    return best
