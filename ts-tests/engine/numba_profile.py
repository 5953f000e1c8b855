"""Profiles an @njit function with vmprof (native=True) and the kernel's Numba
trampolines, as `%%vmprof` does, for numba-real.test.ts.

Usage: python numba_profile.py FOLDER  ->  writes FOLDER/profile.prof and, via
jupyterlab_vmprof.kernel.symbolfiles.record_symbols, FOLDER/jit-symbols.json and
FOLDER/maps.txt; prints one JSON line {"samples_hint", "entries", "warnings"}.
Exit code 3 (and a JSON line with "skip") when numba or vmprof is missing.
"""
import json
import sys
import time
from pathlib import Path

try:
    import numba
    import numpy as np
    import vmprof
except ImportError as e:
    print(json.dumps({'skip': str(e)}))
    sys.exit(3)

from jupyterlab_vmprof.kernel.jit import NumbaTrampolines
from jupyterlab_vmprof.kernel.lean.session import VmprofSession
from jupyterlab_vmprof.kernel.symbolfiles import record_symbols


@numba.njit
def sum_of_roots(xs):
    total = 0.0
    for i in range(xs.shape[0]):
        total += (xs[i] * 3.0 + 1.0) ** 0.5
    return total


def caller(xs):
    return sum_of_roots(xs)


def main(folder):
    xs = np.random.default_rng(0).random(2_000_000)
    tiny = xs[:8]
    caller(xs)  # compile before profiling: the profile is about running JIT code
    trampolines = NumbaTrampolines()
    if not trampolines.install():
        print(json.dumps({'error': 'trampolines not installed'}))
        sys.exit(1)
    calls = 0
    with open(folder / 'profile.prof', 'w+b') as f:
        # As %%vmprof does: with the crash guard in front of vmprof's signal handler.
        session = VmprofSession(vmprof, f.fileno(), lean=False, period=0.001, native=True)
        session.start()
        try:
            start = time.process_time()
            while time.process_time() - start < 1.2:
                caller(xs)
                calls += 1
            # Many tiny calls: time in Numba's dispatcher, so its frames get sampled too.
            start = time.process_time()
            while time.process_time() - start < 0.4:
                for _ in range(1000):
                    caller(tiny)
                calls += 1000
        finally:
            session.stop()
            trampolines.remove()
    warnings = record_symbols(folder, trampolines.entries)
    print(json.dumps({'calls': calls, 'entries': trampolines.entries, 'warnings': warnings}))


if __name__ == '__main__':
    main(Path(sys.argv[1]))
