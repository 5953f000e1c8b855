"""Regenerates the vmprof 0.6.0 sample profiles of this folder.

Usage (from the repository root, with vmprof 0.6.0 installed):
  .venv/bin/python test-data/profiles/vmprof-0.6.0/generate.py

Each file is the workload script (test-data/profiles/generated/workloads.py, a copy of
the project's reference workloads) run under vmprof with the options
below; `*.maps` is /proc/self/maps at the end of profiling, for resolving
`<native symbol 0x...>` frames from ELF symbol tables (converter --maps).

The files name the paths of the machine that recorded them; the repository's own
folder is then replaced by PLACEHOLDER_ROOT (in the name records, lengths rewritten,
and in the maps), so that nothing tracked names a machine's folders.
`generate.py --relocate-only OLD_ROOT` applies that to the files as they are.
"""
import os
import runpy
import shutil
import sys

HERE = os.path.dirname(os.path.abspath(__file__))
WORKLOADS = os.path.join(HERE, '..', 'generated', 'workloads.py')
REPO = os.path.abspath(os.path.join(HERE, '..', '..', '..'))
sys.path.insert(0, REPO)

sys.path.insert(0, HERE)
from relocate import relocate_names  # noqa: E402

PLACEHOLDER_ROOT = '/src/jupyterlab-vmprof'

# file name: (workload, period, native, lines, memory, real_time)
PROFILES = {
    'mixed.prof': ('mixed', 0.001, True, False, False, False),
    'numpy_work.prof': ('numpy_work', 0.001, True, False, False, False),
    'threads.prof': ('threads', 0.001, True, False, False, False),
    'lines_memory.prof': ('mixed', 0.001, True, True, True, False),
    'threads_realtime.prof': ('threads', 0.001, True, False, False, True),
    'nonative.prof': ('mixed', 0.001, False, False, False, False),
}


def relocate(prof_path, recorded_root=REPO):
    """Replace the recording machine's repository folder by PLACEHOLDER_ROOT."""
    old, new = recorded_root.rstrip('/') + '/', PLACEHOLDER_ROOT + '/'
    with open(prof_path, 'rb') as f:
        data = f.read()
    with open(prof_path, 'wb') as f:
        f.write(relocate_names(data, old.encode(), new.encode()))
    maps = prof_path[:-len('.prof')] + '.maps'
    if os.path.exists(maps):
        with open(maps) as f:
            text = f.read()
        with open(maps, 'w') as f:
            f.write(text.replace(old, new))


def main(names):
    if names[:1] == ['--relocate-only']:
        recorded_root = names[1]
        for name in PROFILES:
            relocate(os.path.join(HERE, name), recorded_root)
        return
    import vmprof

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
        relocate(path)
        print(name, os.path.getsize(path))


if __name__ == '__main__':
    main(sys.argv[1:])
