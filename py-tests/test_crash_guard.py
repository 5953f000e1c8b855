"""The crash guard: profiling code that C calls back into never kills the process.

vmprof 0.6.0's signal handler can follow a half-made frame on CPython 3.11 and 3.12
(docs/kernel.md, "Known problems"). Without the guard, each workload below kills
this machine's kernel within seconds in most modes; run this file with
JUPYTERLAB_VMPROF_NO_GUARD=1 to see it fail.
"""
from __future__ import annotations

import os
import subprocess
import sys
import threading
from pathlib import Path

import pytest

from jupyterlab_vmprof.kernel.lean import crashguard
from jupyterlab_vmprof.store import ProfileStore

pytestmark = [
    pytest.mark.timeout(300),
    pytest.mark.skipif(not crashguard.needed(), reason="only CPython 3.11 and 3.12 need the guard"),
]

REPO = Path(__file__).resolve().parent.parent
VMPROFRUN = "import sys; from jupyterlab_vmprof.cli.main import vmprofrun_main; sys.exit(vmprofrun_main())"
SECONDS = 1.0  # per profiled run: thousands of calls from C into Python, hundreds of samples

# The workloads, as a user writes them: each step calls from C into Python many times.
WORKLOADS = """
import threading, time
import numpy as np

def until(seconds, step):
    end = time.perf_counter() + seconds
    while time.perf_counter() < end:
        step()

numbers = list(range(2000))
def sort_by_key():
    sorted(numbers, key=lambda x: -x)

class Descending:
    __slots__ = ("value",)
    def __init__(self, value):
        self.value = value
    def __lt__(self, other):
        return self.value > other.value
items = [Descending(i) for i in range(500)]
def sort_by_lt():
    sorted(items)

def map_lambda():
    list(map(lambda x: x + 1, numbers))

doubled = np.vectorize(lambda x: x * 2)
array = np.arange(2000)
def vectorize():
    doubled(array)

class Tick:
    def __await__(self):
        yield
async def ticking():
    while True:
        await Tick()
coroutine = ticking()
coroutine.send(None)
def send_to_coroutine():
    for _ in range(1000):
        coroutine.send(None)

def four_threads(seconds):
    threads = [threading.Thread(target=until, args=(seconds, sort_by_key)) for _ in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
"""

# Every mode appears for several workloads: native or not, CPU or real time, lines,
# memory, periods of 0.5, 1 and 5 ms.
MODES = ["", "--real-time", "--no-native --lines", "--memory --period 0.005",
         "--no-native --real-time --period 0.0005", "--lines --memory --real-time"]
STEPS = ["sort_by_key", "sort_by_lt", "map_lambda", "vectorize", "send_to_coroutine"]


def runs() -> list:
    """(label, flags, code): each workload in three modes, the threads in real time, one --fork."""
    planned = []
    for index, step in enumerate(STEPS):
        for offset in (0, 2, 4):
            flags = MODES[(index + offset) % len(MODES)]
            planned.append((step, flags, f"until({SECONDS}, {step})"))
    planned.append(("four_threads", "--real-time", f"four_threads({SECONDS})"))
    planned.append(("four_threads", "--real-time --no-native --lines", f"four_threads({SECONDS})"))
    # The child of --fork enables vmprof itself: guarded too, and it tells the kernel so.
    planned.append(("sort_by_key", "--fork --real-time", f"until({SECONDS}, sort_by_key)"))
    return planned


def test_the_check_accepts_the_frames_of_running_code():
    """In the check's eyes every real frame chain is safe: from plain code, a key function,
    __lt__, generators, coroutines, another thread and a recursion over many data-stack chunks."""
    from jupyterlab_vmprof.kernel.lean import _framecheck

    check = _framecheck.check_current_thread
    seen = []

    class Checked:
        def __init__(self, value):
            self.value = value

        def __lt__(self, other):
            seen.append(check())
            return self.value < other.value

    def generator():
        for _ in range(3):
            seen.append(check())
            yield

    async def coroutine():
        seen.append(check())

    def deep(n):
        return check() if n == 0 else deep(n - 1)

    seen.append(check())
    sorted(range(50), key=lambda x: seen.append(check()) or -x)
    sorted([Checked(3), Checked(1), Checked(2)])
    list(generator())
    try:
        coroutine().send(None)
    except StopIteration:
        pass
    seen.append(deep(500))  # frames over several 16 KiB data-stack chunks
    thread = threading.Thread(target=lambda: seen.append(check()))
    thread.start()
    thread.join()
    assert len(seen) > 60 and all(seen), seen


def test_the_output_says_how_many_samples_the_guard_dropped():
    from jupyterlab_vmprof.kernel import summary

    meta = {"id": "20261202T010000-0123abcd", "name": "n", "status": "complete", "duration_s": 1.0, "samples": 250,
            "guard": {"active": True, "dropped_samples": 3}}
    data = summary.bundle(meta)
    assert data[summary.MIME_TYPE]["guard"] == {"active": True, "dropped_samples": 3}
    assert "250 samples (3 more dropped by the crash guard)" in data["text/plain"].splitlines()[0]
    assert "3 more dropped by the crash guard" in data["text/html"]
    quiet = summary.bundle(dict(meta, guard={"active": True, "dropped_samples": 0}))
    assert "dropped" not in quiet["text/plain"]


def test_profiled_cells_calling_back_from_c_leave_the_kernel_alive(kernel_factory, store_dir):
    from kernel_fixtures import KernelDied

    def kernel_with_workloads():
        started = kernel_factory()
        setup = started.run(WORKLOADS)
        assert setup.status == "ok", setup.describe()
        return started

    kernel = kernel_with_workloads()
    store = ProfileStore(store_dir)
    deaths, guards = [], []
    for label, flags, code in runs():
        try:
            done = kernel.run(f"%%vmprof {flags}\n{code}")
        except KernelDied as died:  # counted, and the next run gets a new kernel
            deaths.append(f"{label} {flags}: {died.how}")
            kernel = kernel_with_workloads()
            continue
        assert done.status == "ok", f"{label} {flags}: {done.describe()}"
        meta = store.read_meta(done.profiles[0]["id"])
        assert meta["status"] == "complete", f"{label} {flags}: {meta}"
        assert done.profiles[0]["guard"] == meta["guard"]
        guards.append((f"{label} {flags}", meta["samples"], meta["guard"]))
    assert not deaths, f"{len(deaths)} of {len(runs())} profiled cells killed the kernel: {deaths}"
    for run, samples, guard in guards:
        assert guard["active"], f"{run}: {guard}"
        # The check drops only samples taken inside the short window it guards against.
        assert guard["dropped_samples"] <= 0.2 * samples, f"{run}: {samples} samples, {guard}"


def test_the_same_workloads_in_vmprofrun(tmp_path):
    script = tmp_path / "workloads.py"
    script.write_text(WORKLOADS + "\nimport sys\nstep = sys.argv[1]\n"
                      f"four_threads({SECONDS}) if step == 'four_threads' else until({SECONDS}, globals()[step])\n")
    # The console script, importing the working tree's package rather than an installed copy.
    env = dict(os.environ, PYTHONPATH=str(REPO))
    plans = [(step, MODES[index % len(MODES)]) for index, step in enumerate(STEPS)]
    plans.append(("four_threads", "--real-time"))
    failed = []
    for step, flags in plans:
        done = subprocess.run([sys.executable, "-c", VMPROFRUN, *flags.split(), script.name, step],
                              cwd=tmp_path, env=env, capture_output=True, text=True, timeout=120)
        profiles = list(tmp_path.glob("vmprof-*.prof"))
        if done.returncode != 0 or len(profiles) != 1 or "Crash protection is off" in done.stderr:
            failed.append(f"{step} {flags}: exit {done.returncode}\n{done.stderr}")
        for leftover in tmp_path.glob("vmprof-*"):
            leftover.unlink()
    assert not failed, f"{len(failed)} of {len(plans)} runs failed:\n" + "\n".join(failed)


def test_without_the_guard_the_output_says_so_once(kernel_factory):
    kernel = kernel_factory({crashguard.NO_GUARD_ENV: "1"})
    first = kernel.run("%%vmprof\nsum(i * i for i in range(100_000))")
    second = kernel.run("%%vmprof\nsum(i * i for i in range(100_000))")
    assert first.status == second.status == "ok", first.describe() + second.describe()
    warned = [text for text in (first.displays[0]["text/plain"], second.displays[0]["text/plain"])
              if f"Crash protection is off (switched off by {crashguard.NO_GUARD_ENV})" in text]
    assert len(warned) == 1 and warned[0] == first.displays[0]["text/plain"], warned
    assert first.profiles[0]["guard"] == {"active": False, "dropped_samples": 0,
                                          "off_reason": f"switched off by {crashguard.NO_GUARD_ENV}"}
