"""%%vmprof and %vmprof: IPython's side of the profiler, kept thin.

Parsing options and talking to IPython happen here; profiling is profiling.py,
fork mode forking.py, running the cell cellrun.py, the output and its summary
summary.py and output.py, reports of earlier crashes crashes.py.
"""

from __future__ import annotations

import re
import sys
from typing import Optional

from traitlets import Bool, Int, default

from IPython.core.error import UsageError
from IPython.core.magic import Magics, line_cell_magic, magics_class
from IPython.core.magic_arguments import argument, magic_arguments, parse_argstring

from . import cellfiles, cellrun, crashes, output, transfer
from .embed import EmbedSettings
from .gate import GATE
from .forking import cell_error, run_forked
from .profiling import ProfileOptions, ProfileRun, ProfilerUnavailable, first_line_of, notebook_path
from .progress import RunningOutput
from .workers import WorkerProfiles
from ..store import ProfileStore

# Options that take a value, for splitting `%vmprof --period 0.01 statement`.
VALUE_OPTIONS = {"--period", "--name"}
# One shell-like word: quoted parts and unquoted runs glued together.
WORD = re.compile(r"""(?:"[^"]*"|'[^']*'|[^\s"'])+""")
FORK_NOTE = "Ran in a forked child process (--fork): variables set by this cell are NOT kept in the kernel."


def seconds(text: str) -> float:
    value = float(text)  # vmprof requires a float
    if not 0.00001 <= value <= 10:
        raise ValueError(text)
    return value


@magics_class
class VmprofMagics(Magics):
    wait_summary = Bool(
        help="Compute the top-functions summary before the cell ends (as --wait-summary) instead of "
        f"updating the output afterwards. Default: the {output.WAIT_ENV} environment variable."
    ).tag(config=True)

    embed_max_kb = Int(
        256,
        help="Upper bound, in kB, of the copy of each profile saved in its notebook output (a compressed "
        "Graph JSON, pruned to fit, plus the raw profile if embed_raw and room is left), from which the "
        "output renders where the profile store lacks the profile. 0: no copy.",
    ).tag(config=True)
    embed_raw = Bool(
        True,
        help="Also save the raw profile (compressed) in the output when it fits in embed_max_kb, so that "
        "'Import into my profile browser' brings the full profile into another store.",
    ).tag(config=True)

    @default("wait_summary")
    def _wait_summary_default(self) -> bool:
        return output.wait_by_default()

    @magic_arguments()
    @argument("-h", "--help", action="store_true", help="show this help and run nothing")
    @argument(
        "--period",
        type=seconds,
        default=0.001,
        metavar="SECONDS",
        help="sampling period in seconds (default 0.001; the OS timer may sample less often)",
    )
    @argument(
        "--no-native",
        action="store_true",
        help="record Python frames only: the cheap mode (saves ~25-40 ms per cell and a few %% inside it)",
    )
    @argument("--lines", action="store_true", help="record line numbers (line-level views)")
    @argument("--memory", action="store_true", help="record memory use with each sample")
    @argument(
        "--real-time",
        action="store_true",
        help="sample wall-clock time (includes sleeping and waiting) instead of CPU time",
    )
    @argument("--name", default="", help="a name for the profile in the profile list")
    @argument("--no-strip", action="store_true", help="keep the interpreter's and IPython's own frames when converting")
    @argument(
        "--fork",
        action="store_true",
        help="run the cell in a forked child so that a crash spares the kernel; variables are not kept",
    )
    @argument(
        "--no-jit-names",
        action="store_true",
        help="do not route Numba calls through naming trampolines (~0.5 us per call); JIT code stays unnamed",
    )
    @argument(
        "--workers",
        nargs="?",
        const="all",
        default=None,
        metavar="ADDRS",
        help="also profile the Dask workers of the default client: all of them, or ADDR,ADDR "
        "(each worker's profile is stored as a part of the cell's profile)",
    )
    @argument(
        "--wait-summary",
        action="store_true",
        help="compute the top-functions summary before the cell ends (automatic where output "
        "updates after the cell would be lost: nbconvert --execute, papermill, console)",
    )
    @line_cell_magic
    def vmprof(self, line: str, cell: Optional[str] = None):
        """Profile a cell (%%vmprof) or one statement (%vmprof statement) with vmprof.

        The code runs as it would without the magic (same namespace, output, last value
        shown); its profile is saved in the profile store and shown under the cell.

        The top-functions summary under the cell is computed after the cell ends and
        replaces the output when ready (a few hundred ms) in JupyterLab and Notebook 7.
        Front ends that stop listening when a cell ends (nbconvert --execute, papermill,
        jupyter console) are recognised and get it before the cell ends; --wait-summary,
        c.VmprofMagics.wait_summary = True or JUPYTERLAB_VMPROF_WAIT_SUMMARY=1 ask for
        that everywhere. For the least overhead use --no-native.

        vmprof 0.6.0 can crash the kernel when C code calls back into Python
        (sorted(key=lambda ...), map(lambda ...)): profile such cells with --fork.
        """
        options_text, statement = (line, None) if cell is not None else split_statement(line)
        args = parse_argstring(self.vmprof, options_text)
        if args.help:
            print(self.vmprof.parser.format_help())
            return
        source = cell if cell is not None else statement
        if cell is not None and statement:
            raise UsageError("%%vmprof takes options only; put the code in the cell body")
        if not source or not source.strip():
            raise UsageError("nothing to profile: %vmprof STATEMENT or %%vmprof on top of a cell")
        options = ProfileOptions(
            period=args.period,
            native=not args.no_native,
            lines=args.lines,
            memory=args.memory,
            real_time=args.real_time,
            strip=not args.no_strip,
            fork=args.fork,
            jit_names=not args.no_jit_names,
            name=unquote(args.name),
        )
        wait = (
            args.wait_summary
            or self.wait_summary
            or not output.can_update(self.shell)
            or not output.frontend_keeps_listening(self.shell)
        )
        embedding = EmbedSettings(max_bytes=max(0, self.embed_max_kb) * 1024, raw=self.embed_raw)
        # Outputs that stay live after the cell (JupyterLab, Notebook 7) show progress meanwhile.
        live = output.can_update(self.shell) and output.frontend_keeps_listening(self.shell)
        return profile_source(self.shell, source, options, wait, embedding, workers=args.workers, live=live)


def unquote(text: str) -> str:
    # IPython splits magic arguments keeping the quotes: --name "my run" gives '"my run"'.
    if len(text) >= 2 and text[0] == text[-1] and text[0] in "'\"":
        return text[1:-1]
    return text


def split_statement(line: str) -> tuple[str, str]:
    """Leading options and the statement after them, the statement kept verbatim."""
    position = 0
    expects_value = False
    for match in WORD.finditer(line):
        word = match.group()
        if expects_value:
            expects_value = False
        elif word == "--":
            return line[: match.start()], line[match.end() :].strip()
        elif word.startswith("-") and not _looks_like_code(word):
            expects_value = word in VALUE_OPTIONS
        else:
            return line[:position], line[match.start() :].strip()
        position = match.end()
    return line, ""


def _looks_like_code(word: str) -> bool:
    # `-x` where x is a name could be an expression; options are known words.
    return not re.match(r"^--?[a-zA-Z][a-zA-Z-]*(=.*)?$", word)


def profile_source(
    shell,
    source: str,
    options: ProfileOptions,
    wait_summary: bool = True,
    embedding: Optional[EmbedSettings] = None,
    workers: Optional[str] = None,
    live: bool = False,
) -> None:
    """Profile `source` in `shell` and display the profile; the code's own output shows as usual."""
    # No summary thread's Python work while vmprof samples (gate.py): held until the cell's
    # profiling has stopped. An earlier summary's conversion goes on meanwhile.
    gated = output.enter_gate()
    try:
        _profile_source(shell, source, options, wait_summary, embedding, workers, live)
    finally:
        if gated:
            GATE.leave()


def _profile_source(
    shell,
    source: str,
    options: ProfileOptions,
    wait_summary: bool,
    embedding: Optional[EmbedSettings],
    workers: Optional[str],
    live: bool,
) -> None:
    # Its files are made durable (fsync) after the cell, by output.show: not on the reply's path.
    run = ProfileRun(options, cell=source, notebook=notebook_path(shell.user_ns), store=ProfileStore(sync_writes=False))
    for warning in crashes.report_previous_crashes(run.store, run.notebook):
        print(warning, file=sys.stderr)
    needs_loop = cellrun.needs_event_loop(shell, source)
    cluster = WorkerProfiles(workers, options) if workers else None
    try:
        if cluster is not None:
            cluster.prepare()  # the client and its workers are there: nothing has started yet
        if options.fork:
            run.prepare()
        else:
            run.start()
            if cluster is not None:
                cluster.start()
    except ProfilerUnavailable as err:
        # Nothing ran: say why, in the cell's output, and fail the cell.
        raise UsageError(f"vmprof: {err}") from None
    # From here the cell has an output: progress, then (same display) the profile.
    running = RunningOutput(shell, run.meta) if live and run.meta else None
    if running is not None:
        running.start()
    top = output.Summary(run.folder, run.options.as_meta(), embedding)
    extra_meta = top.compute if wait_summary else None
    if options.fork:
        try:
            meta, notes, failed = _profile_forked(shell, run, source, extra_meta)
        finally:
            if running is not None:
                running.stop()
        output.show(shell, run.store, meta, notes, top, running)
        if failed is not None:
            raise failed  # the cell failed, as it would have without --fork
        return
    outcome = _profile_here(shell, run, source, needs_loop, extra_meta, cluster, running)
    top.deferred_names = run.deferred_names
    if run.meta:
        output.show(shell, run.store, run.meta, cluster.notes if cluster else [], top, running)
    cellrun.finish_cell(shell, outcome)


def _profile_here(
    shell,
    run: ProfileRun,
    source: str,
    needs_loop: bool,
    extra_meta,
    cluster: Optional[WorkerProfiles] = None,
    running: Optional[RunningOutput] = None,
) -> cellrun.CellOutcome:
    error = None
    try:
        outcome = cellrun.run_in_shell(shell, source, needs_loop, run.paused)
        if run.options.lines:
            with run.paused():  # before conversion, unsampled: the Lines view's source text
                cellfiles.write_cell_files()
        error = first_line_of(outcome.error) if outcome.error is not None else None
    except BaseException as exc:  # e.g. KeyboardInterrupt outside the cell's own code
        error = first_line_of(exc)
        raise
    finally:
        if running is not None:
            running.stop()
        # The workers first, and always (also when the cell raised or was stopped); the
        # kernel takes no samples of that.
        parts = cluster.stop(run) if cluster is not None else None
        # Without a summary to wait for, the rarely fruitful part of naming code runs
        # with the summary, after the cell (leanvmprof.DeferredSearch).
        run.stop(error=error, extra_meta=extra_meta, defer_names=extra_meta is None)
        if parts is not None and run.meta:
            run.meta = run.store.update_meta(run.profile_id, workers=parts)
    return outcome


def _profile_forked(shell, run: ProfileRun, source: str, extra_meta) -> tuple[dict, list, Optional[Exception]]:
    outcome = run_forked(
        run,
        lambda print_value: cellrun.run_plain(shell, source, print_value),
        sys.stdout.write,
        sys.stderr.write,
    )
    if outcome.unavailable:
        raise UsageError(f"vmprof: {outcome.unavailable}")
    run.warnings.extend(w for w in outcome.warnings if w not in run.warnings)
    error = outcome.failure()
    notes = [FORK_NOTE]
    if outcome.crashed:
        notes.insert(0, crashes.fork_crash_note(outcome.signal_name))
    elif error and not outcome.error:
        run.warnings.append(error)  # left early: the end of the profile and its symbols may be missing
    duration = outcome.duration_s or outcome.elapsed_s
    extra = extra_meta(duration, outcome.cpu_s) if extra_meta else {}
    meta = run.finish_meta(
        duration,
        error,
        child_exit=outcome.exit_code,
        child_signal=outcome.signal_name,
        threads=outcome.threads,
        **{"cpu_s": outcome.cpu_s, **extra},
    )
    return meta, notes, cell_error(outcome)


def register_magics(ipython) -> None:
    ipython.register_magics(VmprofMagics)
    transfer.register(ipython)


def unregister_magics(ipython) -> None:
    registered = ipython.magics_manager.registry.pop("VmprofMagics", None)
    for kind in ("line", "cell"):
        table = ipython.magics_manager.magics[kind]
        if registered is not None and table.get("vmprof") is not None:
            table.pop("vmprof", None)
