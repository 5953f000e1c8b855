"""Regenerates the vmprof 0.6.0 sample profiles of this folder.

Usage (from the repository root, with vmprof 0.6.0 installed):
  .venv/bin/python test/data/profiles/vmprof-0.6.0/generate.py

Each file is shared/profiles/generated/workloads.py (the reference material) (copied as
test/data/profiles/generated/workloads.py) run under vmprof with the options
below; `*.maps` is /proc/self/maps at the end of profiling, for resolving
`<native symbol 0x...>` frames from ELF symbol tables (converter --maps).
"""
import os
import runpy
import shutil
import sys

import vmprof

HERE = os.path.dirname(os.path.abspath(__file__))
WORKLOADS = os.path.join(HERE, '..', 'generated', 'workloads.py')

# file name: (workload, period, native, lines, memory, real_time)
PROFILES = {
    'mixed.prof': ('mixed', 0.001, True, False, False, False),
    'numpy_work.prof': ('numpy_work', 0.001, True, False, False, False),
    'threads.prof': ('threads', 0.001, True, False, False, False),
    'lines_memory.prof': ('mixed', 0.001, True, True, True, False),
    'threads_realtime.prof': ('threads', 0.001, True, False, False, True),
    'nonative.prof': ('mixed', 0.001, False, False, False, False),
}


def main(names):
    workloads = runpy.run_path(WORKLOADS)['WORKLOADS']
    for name in names or PROFILES:
        workload, period, native, lines, memory, real_time = PROFILES[name]
        path = os.path.join(HERE, name)
        with open(path, 'w+b') as f:
            vmprof.enable(f.fileno(), period=period, native=native, lines=lines,
                          memory=memory, real_time=real_time)
            try:
                workloads[workload]()
            finally:
                vmprof.disable()
        shutil.copyfile('/proc/self/maps', path[:-len('.prof')] + '.maps')
        print(name, os.path.getsize(path))


if __name__ == '__main__':
    main(sys.argv[1:])
