"""Command line tools: `vmprofrun` and `vmproftocallgrind` (console scripts).

vmprofrun SCRIPT [ARGS...]      profile a script; keep vmprof-<pid>.prof and its symbol
                                files; write vmprof-<pid>.out (callgrind) here
vmproftocallgrind PROFILE ...   convert a profile with the bundled converter

Both say what went wrong in one line on stderr and exit non-zero on bad input.
"""
from __future__ import annotations

import argparse
import signal
import subprocess
import sys
from pathlib import Path
from typing import Optional

from .. import formats

# Imported where used, not here: the store and the script runner pull in the kernel side
# (vmprof, the crash guard, JIT hooks), which vmproftocallgrind pays for at every start.

EXIT_USAGE = 2


class Parser(argparse.ArgumentParser):
    """argparse, but a usage error is one line (and a pointer to --help)."""

    def error(self, message):
        self.exit(EXIT_USAGE, f"{self.prog}: {message} (see {self.prog} --help)\n")


def _fail(prog: str, message: str, status: int = EXIT_USAGE) -> int:
    print(f"{prog}: {message}", file=sys.stderr)
    return status


def _period(text: str) -> float:
    try:
        value = float(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"not a number of seconds: {text!r}") from None
    if not 0.00001 <= value <= 10:
        raise argparse.ArgumentTypeError(f"period out of range (0.00001 to 10 s): {text}")
    return value


# vmproftocallgrind -----------------------------------------------------------------------


def tocallgrind_parser() -> Parser:
    parser = Parser(
        prog="vmproftocallgrind",
        description="Convert a vmprof profile to callgrind (KCachegrind, callgrind_annotate) or another format. "
        "Symbol files next to the profile (perf-<pid>.map, <stem>.maps.txt, <stem>.jit-symbols.json, "
        "or maps.txt/jit-symbols.json in a profile store folder) are used automatically.",
    )
    parser.add_argument("profile", metavar="PROFILE", help="a vmprof .prof file")
    parser.add_argument("--perf-map", action="append", default=[], metavar="FILE",
                        help="JIT symbols in perf map form, START SIZE name (repeatable)")
    parser.add_argument("--jit-symbols", metavar="FILE", help="jit-symbols.json written by %%vmprof or vmprofrun")
    parser.add_argument("--maps", metavar="FILE", help="the profiled process's /proc/<pid>/maps, for native names")
    parser.add_argument("-o", "--output", metavar="OUT",
                        help="output file; '-' for standard output (default: PROFILE's name with .out for "
                             "callgrind, .collapsed.txt, .speedscope.json or .graph.json)")
    parser.add_argument("--format", choices=formats.converted_formats(), default="callgrind", help="output format (default callgrind)")
    parser.add_argument("--no-strip", action="store_true", help="keep the interpreter's own frames")
    parser.add_argument("--no-collapse-dispatcher", dest="collapse_dispatcher", action="store_false",
                        help="keep Numba's dispatcher call level")
    parser.add_argument("--lines", action="store_true", help="line-level frames (profiles taken with lines)")
    return parser


def sidecars(profile: Path) -> dict:
    """Symbol files that belong to `profile`, found by the names our tools give them."""
    from ..store_files import JIT_SYMBOLS_FILE, MAPS_FILE, PROFILE_FILE, SideFiles

    folder, stem = profile.parent, profile.stem
    found: dict = {"perf_maps": [], "jit_symbols": None, "maps": None}
    for jit in (folder / f"{stem}.{JIT_SYMBOLS_FILE}", folder / JIT_SYMBOLS_FILE):
        if jit.is_file():
            found["jit_symbols"] = jit
            break
    for maps in (folder / f"{stem}.{MAPS_FILE}", folder / MAPS_FILE):
        if maps.is_file():
            found["maps"] = maps
            break
    pid = stem.rsplit("-", 1)[-1] if stem.startswith("vmprof-") else None
    if pid and (folder / f"perf-{pid}.map").is_file():
        found["perf_maps"].append(folder / f"perf-{pid}.map")
    elif profile.name == PROFILE_FILE:  # a profile store folder
        found["perf_maps"].extend(SideFiles.of(folder).perf_maps)
    return found


def convert_file(prog: str, profile: Path, fmt: str, output: Optional[str], **options) -> int:
    """Run the converter; 0, or a one-line reason on stderr and a non-zero status."""
    from .. import node_converter as converter

    to_stdout = output == "-"
    try:
        result = converter.convert_sync(profile, fmt, output=None if to_stdout else output, **options)
    except converter.ConversionError as err:
        return _fail(prog, f"cannot convert {profile}: {err.message} ({err.code})")
    for warning in result.warnings:
        print(f"{prog}: warning: {warning}", file=sys.stderr)
    if to_stdout:
        sys.stdout.buffer.write(result.output)
        sys.stdout.flush()
    return 0


def tocallgrind_main(argv: Optional[list] = None) -> int:
    prog = "vmproftocallgrind"
    args = tocallgrind_parser().parse_args(argv)
    profile = Path(args.profile)
    if not profile.is_file():
        return _fail(prog, f"no such profile file: {profile}")
    for extra in [*args.perf_map, args.jit_symbols, args.maps]:
        if extra and not Path(extra).is_file():
            return _fail(prog, f"no such file: {extra}")
    found = sidecars(profile)
    output = args.output or str(profile.with_suffix(formats.by_id()[args.format].cli_suffix))
    status = convert_file(
        prog, profile, args.format, output,
        perf_maps=args.perf_map or found["perf_maps"],
        jit_symbols=args.jit_symbols or found["jit_symbols"],
        maps=args.maps or found["maps"],
        strip=not args.no_strip,
        collapse_dispatcher=args.collapse_dispatcher,
        lines=args.lines,
    )
    if status == 0 and output != "-":
        print(f"{prog}: wrote {output}", file=sys.stderr)
    return status


# vmprofrun ---------------------------------------------------------------------------------


def vmprofrun_parser() -> Parser:
    parser = Parser(
        prog="vmprofrun",
        description="Run a Python script under vmprof with this interpreter. Keeps the raw profile "
        "vmprof-<pid>.prof (with vmprof-<pid>.maps.txt, vmprof-<pid>.jit-symbols.json and any "
        "perf-<pid>.map) and writes vmprof-<pid>.out (callgrind) in the current folder. "
        "Exits with the script's exit status.",
        usage="%(prog)s [options] SCRIPT [ARGS...]",
    )
    parser.add_argument("--period", type=_period, default=0.001, metavar="SECONDS",
                        help="sampling period in seconds (default 0.001)")
    parser.add_argument("--no-native", action="store_true", help="Python frames only")
    parser.add_argument("--lines", action="store_true", help="record line numbers")
    parser.add_argument("--memory", action="store_true", help="record memory use")
    parser.add_argument("--real-time", action="store_true", help="sample wall-clock instead of CPU time")
    parser.add_argument("--no-strip", action="store_true", help="keep the interpreter's own frames in the output")
    parser.add_argument("--html", metavar="REPORT.html",
                        help="also write an offline HTML page: flame graph and top functions")
    parser.add_argument("script", metavar="SCRIPT", nargs="?", help="the Python script to run")
    parser.add_argument("args", nargs=argparse.REMAINDER, metavar="ARGS", help="arguments for the script")
    return parser


def _child_command(args) -> list:
    command = [sys.executable, "-m", "jupyterlab_vmprof.cli.runscript", "--period", repr(args.period)]
    for flag in ("no_native", "lines", "memory", "real_time"):
        if getattr(args, flag):
            command.append("--" + flag.replace("_", "-"))
    return command + [args.script, *args.args]


def _run_child(command: list) -> subprocess.Popen:
    # Ctrl-C goes to the whole process group: the script gets it, we wait for its end.
    process = subprocess.Popen(command)
    previous = signal.signal(signal.SIGINT, signal.SIG_IGN)
    try:
        process.wait()
    finally:
        signal.signal(signal.SIGINT, previous)
    return process


def _describe_end(returncode: int) -> tuple[int, Optional[str]]:
    """(exit status to pass on, sentence if the script died of a signal)."""
    if returncode >= 0:
        return returncode, None
    try:
        name = signal.Signals(-returncode).name
    except ValueError:
        name = f"signal {-returncode}"
    return 128 - returncode, f"the script was killed by {name}; the profile keeps what was recorded before"


def _write_html(prog: str, args, profile: Path, found: dict, status: int) -> int:
    """The offline report of `vmprofrun --html`; 0, or a one-line reason and 1."""
    from .. import node_converter as converter
    from ..headless.scriptreport import script_page

    outcome = "ok" if status == 0 else "error"
    try:
        page, _ = script_page(Path(args.script), profile, found, not args.no_strip, outcome,
                              None if status == 0 else f"the script exited with status {status}")
        Path(args.html).write_text(page, encoding="utf-8")
    except converter.ConversionError as err:
        return _fail(prog, f"no HTML report: cannot convert {profile}: {err.message} ({err.code})", 1)
    except OSError as err:
        return _fail(prog, f"cannot write {args.html}: {err.strerror or err}", 1)
    print(f"{prog}: report {args.html}", file=sys.stderr)
    return 0


def vmprofrun_main(argv: Optional[list] = None) -> int:
    prog = "vmprofrun"
    parser = vmprofrun_parser()
    args = parser.parse_args(argv)
    if not args.script:
        parser.error("a SCRIPT to run is required")
    script = Path(args.script)
    if not script.is_file():
        return _fail(prog, f"no such script: {args.script}")
    from .runscript import profile_stem

    process = _run_child(_child_command(args))
    status, died = _describe_end(process.returncode)
    if died:
        print(f"{prog}: {died}", file=sys.stderr)
    profile = Path.cwd() / f"{profile_stem(process.pid)}.prof"
    if not profile.is_file() or profile.stat().st_size == 0:
        return _fail(prog, f"no profile was written ({profile.name})", status or 1)
    output = Path.cwd() / f"{profile_stem(process.pid)}.out"
    found = sidecars(profile)
    converted = convert_file(
        prog, profile, "callgrind", str(output),
        perf_maps=found["perf_maps"], jit_symbols=found["jit_symbols"], maps=found["maps"],
        strip=not args.no_strip,
    )
    if converted == 0:
        print(f"{prog}: profile {profile.name}, callgrind {output.name}", file=sys.stderr)
    if args.html:
        converted = _write_html(prog, args, profile, found, status) or converted
    # The script's own status wins; a failed conversion alone still fails the command.
    return status if status else converted
