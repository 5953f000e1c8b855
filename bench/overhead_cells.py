"""The cells bench/overhead.py runs in its kernel: the setup, the three workloads, and
each workload's source in every mode (plain, vmprof alone, %%vmprof, %%prun,
%%pyinstrument, py-spy). Each body times itself (wall and CPU) into the kernel's
namespace, where overhead_runs.py reads the times back.
"""

from __future__ import annotations

from pathlib import Path

HERE = Path(__file__).resolve().parent
MODES = ("plain", "vmprof_raw", "vmprof", "prun", "pyinstrument", "pyspy")
CELLS = ("python", "numpy", "numba")

SETUP = f"""
import sys, time, random
sys.path.insert(0, {str(HERE)!r})
import overhead_probe as _bp
_bp.install(get_ipython())
import overhead_micro as _bm
%load_ext jupyterlab_vmprof
try:
    %load_ext pyinstrument
except Exception as _err:
    print('pyinstrument extension not loaded:', _err)
_bench_has_pyinstrument_magic = 'pyinstrument' in get_ipython().magics_manager.magics['cell']
from pyinstrument import Profiler as _BenchProfiler

import numpy as np
from numba import njit

def fib(n):
    return n if n < 2 else fib(n - 1) + fib(n - 2)

_rng = random.Random(0)
words = [''.join(_rng.choice('abcdefghijklmnopqrstuvwxyz') for _ in range(_rng.randint(3, 12))) for _ in range(20000)]

def word_key(word):
    return (word[-1], len(word), word)

_nrng = np.random.default_rng(0)
mat_a = _nrng.random((400, 400))
mat_b = _nrng.random((400, 400))

@njit
def nb_loop(x):
    total = 0.0
    for i in range(x.shape[0]):
        v = x[i]
        total += v * v - 0.5 * v
    return total

@njit
def nb_tiny(x):
    return x + 1.0

nb_data = _nrng.random(50000)
nb_loop(nb_data)
nb_tiny(1.0)

PY_REPS, NP_REPS, NB_REPS = 10, 50, 2000
"""

# Each body times itself; the magic line (if any) goes on top.
WORK = {
    "python": """for _ in range(PY_REPS):
    fib(20)
    sorted(words, key=word_key)""",
    "numpy": """for _ in range(NP_REPS):
    mat_c = mat_a @ mat_b
    mat_c = mat_c @ mat_a""",
    "numba": """for _ in range(NB_REPS):
    nb_total = nb_loop(nb_data)""",
}
REPS_NAME = {"python": "PY_REPS", "numpy": "NP_REPS", "numba": "NB_REPS"}


def body(cell: str) -> str:
    return (
        f"_bench_c0 = time.process_time()\n_bench_t0 = time.perf_counter()\n{WORK[cell]}\n"
        "_bench_body = time.perf_counter() - _bench_t0\n_bench_cpu = time.process_time() - _bench_c0\n"
    )


def _indent(text: str) -> str:
    return "".join("    " + line + "\n" for line in text.splitlines())


def source(cell: str, mode: str, has_pyinstrument_magic: bool = True, vmprof_options: str = "") -> str:
    text = body(cell)
    if mode in ("plain", "pyspy"):  # py-spy samples a plain cell from outside the kernel
        return text
    if mode == "vmprof_raw":  # vmprof's own cost: its enable and disable around the body, nothing else
        return f"_bp.raw_vmprof_start()\ntry:\n{_indent(text)}finally:\n    _bp.raw_vmprof_stop()\n"
    if mode == "vmprof":
        return f"%%vmprof {vmprof_options}".rstrip() + "\n" + text
    if mode == "prun":
        return "%%prun -q\n" + text
    if mode == "pyinstrument":
        if has_pyinstrument_magic:
            return "%%pyinstrument\n" + text
        return (
            "_bench_pi = _BenchProfiler(interval=0.001)\n_bench_pi.start()\ntry:\n"
            f"{_indent(text)}finally:\n    _bench_pi.stop()\n_bench_pi.output_text()\n"
        )
    raise ValueError(mode)
