"""Records the profiles of this folder: each workload of workloads.py with native
frames (NAME.prof, NAME.maps) and without (NAME.nonative.prof), for the converter's
tests of Python frames called from C.

Usage (from the repository root, with vmprof 0.6.0 installed):
  .venv/bin/python test-data/profiles/callbacks/generate.py [NAME ...]

vmprof 0.6.0 on CPython 3.11 can crash the process when a C function calls back
into Python (sorted(key=...), map(lambda ...)): the kernel's crash guard
(jupyterlab_vmprof/kernel/lean/crashguard.py) is put in front of its signal handler
when it is built, and each recording runs in a child process, retried until one
finishes. `*.maps` is /proc/self/maps at the end
of profiling (native names come from the ELF files it lists). The repository's
folder is then replaced by /src/jupyterlab-vmprof, as in ../vmprof-0.6.0.
"""
import os
import subprocess
import sys

HERE = os.path.dirname(os.path.abspath(__file__))
REPO = os.path.abspath(os.path.join(HERE, '..', '..', '..'))
sys.path.insert(0, HERE)

ATTEMPTS = 200


def record(name, native, path):
    """In this (child) process: profile one workload into `path`."""
    import shutil

    import vmprof
    from workloads import WORKLOADS

    sys.path.insert(0, REPO)
    try:
        from jupyterlab_vmprof.kernel.lean import crashguard
    except ImportError:
        crashguard = None
    with open(path, 'w+b') as f:
        vmprof.enable(f.fileno(), period=0.001, native=native)
        guarded = crashguard is not None and crashguard.install()
        try:
            WORKLOADS[name]()
        finally:
            if guarded:
                crashguard.remove()
            vmprof.disable()
    if native:
        shutil.copyfile('/proc/self/maps', path[:-len('.prof')] + '.maps')


def main(names):
    import runpy

    from workloads import WORKLOADS

    relocate = runpy.run_path(os.path.join(HERE, '..', 'vmprof-0.6.0', 'generate.py'))['relocate']

    for name in names or WORKLOADS:
        for native, suffix in ((True, '.prof'), (False, '.nonative.prof')):
            path = os.path.join(HERE, name + suffix)
            for attempt in range(1, ATTEMPTS + 1):
                run = subprocess.run([sys.executable, __file__, '--record', name, str(int(native)), path])
                if run.returncode == 0:
                    break
                print(f'{name}{suffix}: attempt {attempt} ended with {run.returncode}, again', file=sys.stderr)
            else:
                raise SystemExit(f'{name}{suffix}: no attempt finished')
            relocate(path, REPO)
            print(name + suffix, os.path.getsize(path))


if __name__ == '__main__':
    if sys.argv[1:2] == ['--record']:
        record(sys.argv[2], sys.argv[3] == '1', sys.argv[4])
    else:
        main(sys.argv[1:])
