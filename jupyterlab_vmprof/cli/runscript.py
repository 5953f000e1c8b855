"""The child process of `vmprofrun`: run one script under vmprof, then record symbols.

Run as `python -m jupyterlab_vmprof.cli.runscript [options] SCRIPT [ARGS...]`. It writes,
in the current folder, vmprof-<pid>.prof, vmprof-<pid>.maps.txt and
vmprof-<pid>.jit-symbols.json (and copies /tmp/perf-<pid>.map if the program wrote
one), and exits with the script's own exit status.
"""
from __future__ import annotations

import argparse
import os
import runpy
import sys
from pathlib import Path

from ..kernel.jit import InstallOnImport, NumbaTrampolines
from ..kernel.lean import crashguard
from ..kernel.lean.session import VmprofSession
from ..kernel.profiling import ThreadWatch, load_vmprof, native_unsupported_reason
from ..kernel.symbolfiles import record_symbols


def profile_stem(pid: int) -> str:
    return f"vmprof-{pid}"


def parse(argv: list[str]) -> argparse.Namespace:
    parser = argparse.ArgumentParser(prog="jupyterlab_vmprof.cli.runscript")
    parser.add_argument("--period", type=float, default=0.001)
    parser.add_argument("--no-native", action="store_true")
    parser.add_argument("--lines", action="store_true")
    parser.add_argument("--memory", action="store_true")
    parser.add_argument("--real-time", action="store_true")
    parser.add_argument("script")
    parser.add_argument("args", nargs=argparse.REMAINDER)
    return parser.parse_args(argv)


def run_script(script: str, args: list[str]) -> int:
    """Run `script` as __main__ the way `python script args` would; its exit status."""
    sys.argv = [script, *args]
    sys.path[0] = str(Path(script).resolve().parent)
    try:
        runpy.run_path(script, run_name="__main__")
    except SystemExit as exit_:
        return _exit_status(exit_.code)
    except BaseException:  # noqa: BLE001 - shown like Python shows it, status 1 like Python
        import traceback

        traceback.print_exc()
        return 1
    return 0


def _exit_status(code) -> int:
    if code is None:
        return 0
    if isinstance(code, int):
        return code
    print(code, file=sys.stderr)
    return 1


def report_guard(guard: dict) -> None:
    """Say how many samples the crash guard dropped (their frames were not safe to read)."""
    if guard.get("dropped_samples"):
        print(f"vmprofrun: the crash guard dropped {guard['dropped_samples']} samples (their frames were not "
              "safe to read: Python was entering a function called from C)", file=sys.stderr)


def main(argv: list[str] | None = None) -> int:
    options = parse(sys.argv[1:] if argv is None else argv)
    vmprof = load_vmprof()
    native = not options.no_native
    reason = native_unsupported_reason() if native else None
    if reason:
        print(f"vmprofrun: warning: native frames unavailable: {reason}", file=sys.stderr)
        native = False
    here = Path.cwd()
    stem = profile_stem(os.getpid())
    fd = os.open(here / f"{stem}.prof", os.O_RDWR | os.O_CREAT | os.O_TRUNC, 0o644)
    trampolines = NumbaTrampolines()
    threads = ThreadWatch(vmprof, options.real_time)
    threads.install()
    # vmprof's own enable/disable, not the lean ones: a script pays their ~0.1 s once, and
    # the raw file keeps vmprof's native symbol records for vmprof's own tools.
    session = VmprofSession(vmprof, fd, lean=False, period=float(options.period), memory=options.memory,
                            lines=options.lines, native=native, real_time=options.real_time)
    with InstallOnImport(trampolines):
        session.start()
        unprotected = crashguard.unprotected_warning()
        if unprotected:
            print(f"vmprofrun: warning: {unprotected}", file=sys.stderr)
        try:
            status = run_script(options.script, options.args)
        finally:
            guard = session.stop().guard
            threads.remove()
    os.close(fd)
    for warning in record_symbols(here, trampolines.entries, prefix=f"{stem}."):
        print(f"vmprofrun: warning: {warning}", file=sys.stderr)
    report_guard(guard)
    return status


if __name__ == "__main__":
    sys.exit(main())
