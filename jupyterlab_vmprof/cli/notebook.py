"""`jupyter vmprof run NOTEBOOK.ipynb`: profile every (or every tagged) cell headless, for CI.

Exit status: 0 all cells ran (and none is slower than --fail-above allows); 1 a cell
raised, its kernel died or it timed out; 2 usage error or the run could not start;
3 a cell is slower than the baseline by more than --fail-above.
"""
from __future__ import annotations

import argparse
import re
import sys
from pathlib import Path
from typing import Optional

from .main import Parser, _fail, _period, convert_file, sidecars

PROG = "jupyter-vmprof"
EXIT_FAILED_CELL = 1
EXIT_USAGE = 2
EXIT_SLOWER = 3


def vmprof_options_parser() -> Parser:
    """The %%vmprof options a run may pass on (after `--`), checked before any kernel starts."""
    parser = Parser(prog=f"{PROG} run ... --", add_help=False)
    parser.add_argument("--period", type=_period)
    for flag in ("--no-native", "--lines", "--memory", "--real-time", "--no-strip", "--fork", "--no-jit-names"):
        parser.add_argument(flag, action="store_true")
    return parser


def _percent(text: str) -> float:
    try:
        value = float(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"not a percentage: {text!r}") from None
    if value < 0:
        raise argparse.ArgumentTypeError(f"a percentage of slow-down must not be negative: {text}")
    return value


def _positive(kind):
    def check(text: str):
        try:
            value = kind(text)
        except ValueError:
            raise argparse.ArgumentTypeError(f"not a number: {text!r}") from None
        if value <= 0:
            raise argparse.ArgumentTypeError(f"must be above 0: {text}")
        return value
    return check


def parser() -> Parser:
    top = Parser(prog=PROG, description="jupyterlab-vmprof on the command line.")
    commands = top.add_subparsers(dest="command", metavar="COMMAND", parser_class=Parser)
    run = commands.add_parser(
        "run", help="profile a notebook's cells in a fresh kernel",
        description="Run NOTEBOOK in a fresh kernel, each selected cell under %%vmprof; store the profiles "
        "(one run in the profile browser) and write a report. Options after -- go to %%vmprof "
        "(--period S, --no-native, --lines, --memory, --real-time, --no-strip, --fork, --no-jit-names). "
        "Exit status: 0 ran through, 1 a cell failed, 2 usage, 3 slower than --fail-above.",
        usage="%(prog)s NOTEBOOK.ipynb [options] [-- vmprof options]",
    )
    run.add_argument("notebook", metavar="NOTEBOOK.ipynb")
    run.add_argument("--cells", choices=("all", "tagged"), default="all",
                     help="profile every code cell (default) or only those tagged 'vmprof' (the others still run)")
    run.add_argument("--kernel", default="", metavar="NAME", help="kernel spec (default: the notebook's)")
    run.add_argument("--timeout", type=_positive(float), default=600.0, metavar="S",
                     help="seconds a cell may run (default 600)")
    run.add_argument("-o", "--output", metavar="REPORT.html", help="write the offline HTML report")
    run.add_argument("--json", metavar="SUMMARY.json", help="write the per-cell summary (a later --baseline)")
    run.add_argument("--callgrind-dir", metavar="DIR", help="write each cell's profile as callgrind here")
    run.add_argument("--baseline", metavar="OLD.json", help="compare with a summary written by --json")
    run.add_argument("--fail-above", type=_percent, metavar="PERCENT",
                     help="with --baseline: exit 3 when a cell is slower by more than this (default: never)")
    run.add_argument("--min-seconds", type=float, default=0.05, metavar="S",
                     help="with --fail-above: ignore slow-downs smaller than this in absolute terms (default 0.05)")
    run.add_argument("--repeat", type=_positive(int), default=1, metavar="N",
                     help="run the notebook N times (fresh kernels) and keep each cell's fastest run")
    run.add_argument("--keep-going", action="store_true",
                     help="after a failing cell go on (in a new kernel if it died) instead of stopping")
    commands.add_parser(
        "settings", help="list the server extension's settings (c.VmprofExtension.* in jupyter_server_config)",
        description="The settings of the jupyterlab-vmprof server extension, with their help and defaults. "
        "`jupyter server --help-all` cannot list them: it lists a fixed set of classes before any "
        "extension is loaded.",
    )
    return top


def settings_help() -> str:
    """What `jupyter server --help-all` shows for a class, for the server extension's settings."""
    from ..server.handlers import VmprofExtension

    return VmprofExtension.class_get_help()


def split_argv(argv: list) -> tuple[list, list]:
    if "--" in argv:
        at = argv.index("--")
        return argv[:at], argv[at + 1:]
    return argv, []


def main(argv: Optional[list] = None) -> int:
    own, vmprof_options = split_argv(list(sys.argv[1:] if argv is None else argv))
    args = parser().parse_args(own)
    if args.command == "settings":
        print(settings_help())
        return 0
    if args.command != "run":
        parser().print_help(sys.stderr)
        return EXIT_USAGE
    vmprof_options_parser().parse_args(vmprof_options)  # exits 2 with a one-line reason
    if args.fail_above is not None and not args.baseline:
        return _fail(PROG, "--fail-above needs --baseline")
    return run_command(args, vmprof_options)


def run_command(args, vmprof_options: list) -> int:
    from ..headless import compare, notebook
    from ..headless.runner import RunError, RunSettings

    baseline = None
    if args.baseline:
        try:
            baseline = compare.load_baseline(Path(args.baseline))
        except compare.BaselineError as err:
            return _fail(PROG, str(err))
    settings = RunSettings(kernel_name=args.kernel, timeout=args.timeout, options=vmprof_options,
                           keep_going=args.keep_going)
    try:
        profile = notebook.profile_notebook(Path(args.notebook), args.cells, settings, args.repeat,
                                            on_cell=_progress)
    except RunError as err:
        return _fail(PROG, str(err))
    changes = compare.compare(baseline, profile.summary, args.fail_above, args.min_seconds) if baseline else []
    written = _write_outputs(args, profile, {change.key: change for change in changes})
    print(f"{PROG}: run {profile.run['id']}: {len(profile.results)} cell(s) profiled", file=sys.stderr)
    for change in changes:
        print(compare.describe(change, args.fail_above), file=sys.stderr)
    status = 0 if written else EXIT_USAGE
    failed = notebook.failures(profile)
    for result in failed:
        print(f"{PROG}: FAILED {result.cell.label}: {result.status}: {result.error}", file=sys.stderr)
    slower = [change for change in changes if change.regression]
    if slower:
        names = ", ".join(change.label for change in slower)
        print(f"{PROG}: {len(slower)} cell(s) slower than the baseline by more than {args.fail_above:g} %: {names}",
              file=sys.stderr)
    if failed:
        return EXIT_FAILED_CELL
    return EXIT_SLOWER if slower else status


def _progress(outcome) -> None:
    detail = f": {outcome.error}" if outcome.error else ""
    print(f"{PROG}: {outcome.cell.label}: {outcome.status}{detail}", file=sys.stderr)


def _write_outputs(args, profile, changes: dict) -> bool:
    """Report, summary and callgrind files; False (and a line on stderr) if one cannot be written."""
    import json

    from ..headless import notebook

    documents = []
    if args.output:
        documents.append((Path(args.output), notebook.report_html(profile, changes, args.fail_above)))
    if args.json:
        documents.append((Path(args.json), json.dumps(profile.summary, indent=1) + "\n"))
    ok = True
    for path, text in documents:
        try:
            path.write_text(text, encoding="utf-8")
            print(f"{PROG}: wrote {path}", file=sys.stderr)
        except OSError as err:
            _fail(PROG, f"cannot write {path}: {err.strerror or err}")
            ok = False
    if args.callgrind_dir:
        ok = _write_callgrind(Path(args.callgrind_dir), profile) and ok
    return ok


def _write_callgrind(folder: Path, profile) -> bool:
    from ..store import PROFILE_FILE, ProfileStore

    try:
        folder.mkdir(parents=True, exist_ok=True)
    except OSError as err:
        _fail(PROG, f"cannot create {folder}: {err.strerror or err}")
        return False
    store, ok = ProfileStore(), True
    for result in profile.results:
        if not result.profile_id:
            continue
        source = store.folder(result.profile_id) / PROFILE_FILE
        found = sidecars(source)
        ident = re.sub(r"[^\w-]+", "_", result.cell.cell_id or "")[:40]
        name = f"cell-{result.cell.index}" + (f"-{ident}" if ident else "") + ".out"
        ok = convert_file(PROG, source, "callgrind", str(folder / name), perf_maps=found["perf_maps"],
                          jit_symbols=found["jit_symbols"], maps=found["maps"]) == 0 and ok
    return ok


if __name__ == "__main__":
    sys.exit(main())
