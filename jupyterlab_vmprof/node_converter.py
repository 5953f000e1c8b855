"""Run the bundled TypeScript converter (vmprof-convert.js) in Node.

The command line contract is in docs/architecture.md ("Converter (Node)"). Here one
Node process per conversion: a crash, a runaway conversion or a memory blow-up ends that
process only, and the time and memory limits are simply the process's limits.

`convert_sync` serves the kernel side and the command-line tools; `convert_async`
serves the Jupyter server when its converter workers are off (converter_workers = 0;
server/converter_pool.py runs them, with the same arguments, limits and errors) and
never blocks its event loop. Which Node runs it: node_runtime.py.
"""

from __future__ import annotations

import json
import os
import re
import signal
import subprocess
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any, Iterable, NamedTuple, Optional, Sequence

from . import formats, node_runtime
from .node_runtime import MIN_NODE_VERSION, NodeChoice  # noqa: F401 - part of this module's interface

if TYPE_CHECKING:  # asyncio is imported where used: the command-line tools never need it
    import asyncio

DEFAULT_TIMEOUT_S = 120.0
DEFAULT_MAX_MEMORY_MB = 4096
# How often a server conversion's resident memory is checked against its limit.
MEMORY_POLL_S = 0.05
# Warnings are for people; a broken file could emit one per sample.
MAX_WARNINGS = 100

SCRIPT_PATH = Path(__file__).resolve().parent / "converter" / "vmprof-convert.js"
# V8's options for every converter process (one-shot and the pool's workers): the optimizing
# compiler works on the main thread (its background thread's memory stayed 3-4 MB above Node's
# own cost after even a 1 MB file) and the young generation's semi-spaces stay at 1 MB (they grew
# to 16 MB). Measured with bench/extreme_files.py and bench/stack_shapes.py (docs/benchmarks.md).
# --expose-gc: a worker collects the garbage of each conversion before the next (src/node/serve.ts).
# --no-concurrent-array-buffer-sweeping: buffers a collection frees are counted as freed when it
# returns, not later on a background thread: the worker measures what its collection left, and
# a count still holding the last conversion's file made it skip the next collection (a worker's
# third 8 MB conversion peaked 14 MB higher, at random); one-shot peaks are unchanged.
V8_FLAGS = (
    "--no-concurrent-recompilation",
    "--max-semi-space-size=1",
    "--expose-gc",
    "--no-concurrent-array-buffer-sweeping",
)


class ConversionError(Exception):
    """A conversion that did not produce output.

    `code` is one of the converter's own codes (truncated, version, corrupt, too-large,
    usage, io, internal) or one of ours: node-missing, converter-missing, timeout, memory, crashed,
    failed. `offset` is the byte offset of a format error when the converter knows it.
    """

    def __init__(self, code: str, message: str, offset: Optional[int] = None):
        super().__init__(message)
        self.code = code
        self.message = message
        self.offset = offset

    def __repr__(self) -> str:
        return f"ConversionError({self.code!r}, {self.message!r}, {self.offset!r})"

    def to_json(self) -> dict:
        return {"code": self.code, "message": self.message, "offset": self.offset}


# How node and V8 say they ran out of memory (the wording differs between Node versions).
OUT_OF_MEMORY = ("heap out of memory", "Allocation failed", "allocation failed", "javascript OOM", "JavaScript OOM")

ERROR_LINE = re.compile(r"^(?:Uncaught )?[A-Z][A-Za-z]*Error\b.*")

# Codes that describe the profile file itself: the same bytes will fail the same way.
# too-large: the profile would need more memory than the converter allows for its size.
PROFILE_ERROR_CODES = ("truncated", "version", "corrupt", "too-large")


class DiffInput(NamedTuple):
    """The profile to compare with (`--diff`) and its own symbol files (`--diff-*`)."""

    profile_path: os.PathLike | str
    perf_maps: Sequence[os.PathLike | str] = ()
    jit_symbols: Optional[os.PathLike | str] = None
    maps: Optional[os.PathLike | str] = None
    # Its cell's threads (meta.json threads.cell_ids), so that its kernel's own are left out too.
    cell_threads: Sequence[str] = ()


@dataclass
class ConversionResult:
    output: bytes
    warnings: list[str] = field(default_factory=list)


def choose_node(configured: Optional[str] = None) -> NodeChoice:
    """The Node.js that runs the converter (node_runtime.choose_node); ConversionError
    `node-missing`, saying why, when none will do."""
    try:
        return node_runtime.choose_node(configured)
    except node_runtime.NodeMissing as missing:
        raise ConversionError("node-missing", str(missing)) from None


def node_executable(configured: Optional[str] = None) -> str:
    """The path of choose_node(configured)."""
    return choose_node(configured).path


def converter_script(configured: Optional[str] = None) -> str:
    path = Path(configured) if configured else SCRIPT_PATH
    if not path.is_file():
        raise ConversionError(
            "converter-missing",
            f"the converter {path} is missing: this installation is incomplete "
            "(from a source tree, run `jlpm build:converter`)",
        )
    return str(path)


def build_command(
    profile_path: os.PathLike | str,
    fmt: str,
    *,
    max_memory_mb: int = DEFAULT_MAX_MEMORY_MB,
    node_path: Optional[str] = None,
    script_path: Optional[str] = None,
    **options: Any,
) -> list[str]:
    """The whole command of one conversion: node_command + converter_arguments(**options)."""
    return node_command(node_path, script_path, max_memory_mb) + converter_arguments(profile_path, fmt, **options)


def node_command(node_path: Optional[str], script_path: Optional[str], max_memory_mb: int) -> list[str]:
    """`node V8_FLAGS [--max-old-space-size=N] vmprof-convert.js`: what starts a converter, before its arguments."""
    command = [node_executable(node_path), *V8_FLAGS]
    if max_memory_mb:
        # The JS heap is where a conversion's memory goes; node aborts cleanly past it.
        command.append(f"--max-old-space-size={int(max_memory_mb)}")
    return command + [converter_script(script_path)]


def converter_arguments(
    profile_path: os.PathLike | str,
    fmt: str,
    *,
    perf_maps: Iterable[os.PathLike | str] = (),
    jit_symbols: Optional[os.PathLike | str] = None,
    maps: Optional[os.PathLike | str] = None,
    strip: bool = True,
    collapse_dispatcher: bool = True,
    thread: Optional[str] = None,
    cell_threads: Sequence[str] = (),
    kernel_threads: bool = False,
    lines: bool = False,
    output: Optional[os.PathLike | str] = None,
    diff: Optional[DiffInput] = None,
    parts: bool = False,
) -> list[str]:
    """The converter's arguments for one conversion (a one-shot run's, or a worker request's argv)."""
    known = formats.converted_formats()
    if fmt not in known:
        raise ConversionError("usage", f"unknown format {fmt!r}; expected one of {', '.join(known)}")
    command = [str(profile_path), "--format", fmt]
    for perf_map in perf_maps:
        command += ["--perf-map", str(perf_map)]
    if jit_symbols:
        command += ["--jit-symbols", str(jit_symbols)]
    if maps:
        command += ["--maps", str(maps)]
    if not strip:
        command.append("--no-strip")
    if not collapse_dispatcher:
        command.append("--no-collapse-dispatcher")
    if thread:
        command += ["--thread", str(thread)]
    if cell_threads:
        # The others are the kernel's own threads: left out of "all threads" unless kernel_threads.
        command += ["--cell-threads", ",".join(str(t) for t in cell_threads)]
    if kernel_threads:
        command.append("--kernel-threads")
    if lines:
        command.append("--lines")
    if parts:
        # profile_path is a parts manifest (server/parts.py): several processes merged.
        command.append("--parts")
    if diff is not None:
        # --diff writes Diff JSON; the converter refuses any other --format with it.
        command += ["--diff", str(diff.profile_path)]
        for perf_map in diff.perf_maps:
            command += ["--diff-perf-map", str(perf_map)]
        if diff.jit_symbols:
            command += ["--diff-jit-symbols", str(diff.jit_symbols)]
        if diff.maps:
            command += ["--diff-maps", str(diff.maps)]
        if diff.cell_threads:
            command += ["--diff-cell-threads", ",".join(str(t) for t in diff.cell_threads)]
    if output:
        command += ["--output", str(output)]
    return command


def _signal_name(number: int) -> str:
    try:
        return signal.Signals(number).name
    except ValueError:
        return f"signal {number}"


def _tail(text: str, lines: int = 3) -> str:
    """The line that names the JavaScript error if there is one (node prints it above a
    long stack trace), else the last lines of stderr."""
    kept = [line.strip() for line in text.strip().splitlines() if line.strip()]
    named = [line for line in kept if ERROR_LINE.match(line)]
    return (named[0] if named else " | ".join(kept[-lines:]))[:2000]


def interpret(
    returncode: Optional[int],
    stdout: bytes,
    stderr: bytes,
    *,
    timed_out: bool = False,
    timeout: Optional[float] = None,
    max_memory_mb: Optional[int] = None,
) -> ConversionResult:
    """Turn what a converter process did into a result, or the ConversionError that says what happened."""
    if timed_out:
        raise ConversionError(
            "timeout",
            f"the conversion took longer than {timeout:g} s and was stopped",
        )
    text = stderr.decode("utf-8", "replace")
    if returncode == 0:
        warnings = [line[len("warning:") :].strip() for line in text.splitlines() if line.startswith("warning:")]
        return ConversionResult(stdout, bounded_warnings(warnings))
    if any(sign in text for sign in OUT_OF_MEMORY):
        raise ConversionError(
            "memory",
            f"the conversion ran out of memory (JavaScript heap limit {max_memory_mb} MB) and was stopped",
        )
    for line in reversed(text.splitlines()):
        if line.startswith('{"error"'):
            try:
                error = json.loads(line)["error"]
                return raise_reported(error)
            except (ValueError, KeyError, TypeError):
                break  # not the converter's own report: fall through to the generic message
    if returncode is not None and returncode < 0:
        detail = _tail(text)
        raise ConversionError(
            "crashed",
            f"the converter was killed by {_signal_name(-returncode)}" + (f": {detail}" if detail else ""),
        )
    raise ConversionError(
        "failed", f"the converter failed with exit status {returncode}: {_tail(text) or 'no message'}"
    )


def bounded_warnings(warnings: list[str]) -> list[str]:
    if len(warnings) <= MAX_WARNINGS:
        return warnings
    dropped = len(warnings) - MAX_WARNINGS
    return warnings[:MAX_WARNINGS] + [f"{dropped} more warnings not shown"]


def raise_reported(error: dict) -> ConversionResult:
    """Raise the ConversionError for the converter's own error report ({"code", "message", "offset"})."""
    code = str(error.get("code") or "failed")
    message = str(error.get("message") or "the converter reported an error without a message")
    offset = error.get("offset")
    raise ConversionError(code, message, offset if isinstance(offset, int) else None)


def node_missing(command: Sequence[str], err: OSError) -> ConversionError:
    """The error for a converter process that could not be started."""
    return ConversionError("node-missing", f"cannot start Node.js ({command[0]}): {err.strerror or err}")


def convert_sync(
    profile_path: os.PathLike | str,
    fmt: str = "json",
    *,
    timeout: float = DEFAULT_TIMEOUT_S,
    max_memory_mb: int = DEFAULT_MAX_MEMORY_MB,
    **options: Any,
) -> ConversionResult:
    """Convert one profile; blocks. `options` are build_command's (perf_maps, jit_symbols,
    maps, strip, collapse_dispatcher, thread, lines, output, node_path, script_path, diff). With
    `output`, the converter writes there and `.output` is empty."""
    command = build_command(profile_path, fmt, max_memory_mb=max_memory_mb, **options)
    try:
        done = subprocess.run(command, stdin=subprocess.DEVNULL, capture_output=True, timeout=timeout)
    except subprocess.TimeoutExpired:  # subprocess.run has killed and reaped the process
        return interpret(None, b"", b"", timed_out=True, timeout=timeout)
    except OSError as err:
        raise node_missing(command, err) from err
    return interpret(done.returncode, done.stdout, done.stderr, timeout=timeout, max_memory_mb=max_memory_mb)


def lower_priority(pid: int) -> None:
    # A conversion is batch work; the server's other requests should win the CPU.
    try:
        os.setpriority(os.PRIO_PROCESS, pid, 10)
    except (AttributeError, OSError):
        pass


async def convert_async(
    profile_path: os.PathLike | str,
    fmt: str = "json",
    *,
    timeout: float = DEFAULT_TIMEOUT_S,
    max_memory_mb: int = DEFAULT_MAX_MEMORY_MB,
    **options: Any,
) -> ConversionResult:
    """Same as convert_sync, as an asyncio subprocess: the event loop keeps running meanwhile."""
    import asyncio

    command = build_command(profile_path, fmt, max_memory_mb=max_memory_mb, **options)
    try:
        process = await asyncio.create_subprocess_exec(
            *command, stdin=asyncio.subprocess.DEVNULL, stdout=asyncio.subprocess.PIPE, stderr=asyncio.subprocess.PIPE
        )
    except OSError as err:
        raise node_missing(command, err) from err
    lower_priority(process.pid)
    exceeded: list = []
    watch = asyncio.ensure_future(_watch_memory(process, max_memory_mb, exceeded)) if max_memory_mb else None
    try:
        stdout, stderr = await asyncio.wait_for(process.communicate(), timeout)
    except asyncio.TimeoutError:
        return interpret(None, b"", b"", timed_out=True, timeout=timeout)
    finally:
        if watch is not None:
            watch.cancel()
        # Timed out or cancelled: the process must not outlive the request that wanted it.
        if process.returncode is None:
            try:
                process.kill()
            except ProcessLookupError:
                pass
            await process.wait()
    if exceeded:
        raise ConversionError("memory", f"the conversion used more than {max_memory_mb} MB of memory and was stopped")
    return interpret(process.returncode, stdout, stderr, timeout=timeout, max_memory_mb=max_memory_mb)


def resident_bytes(pid: int) -> Optional[int]:
    """The process's resident memory (Linux), or None when it cannot be read."""
    try:
        with open(f"/proc/{pid}/status", "rb") as status:
            for line in status:
                if line.startswith(b"VmRSS:"):
                    return int(line.split()[1]) * 1024
    except (OSError, ValueError, IndexError):
        return None
    return None


async def _watch_memory(process: asyncio.subprocess.Process, max_memory_mb: int, exceeded: list) -> None:
    """Kill the converter as soon as its resident memory passes the limit.

    The heap limit alone (--max-old-space-size) fires late: near it V8 collects garbage
    again and again (measured: ~40 s) before it gives up, and memory outside the heap
    (the profile's bytes) is not counted at all.
    """
    import asyncio

    limit = max_memory_mb * 1024 * 1024
    while process.returncode is None:
        used = resident_bytes(process.pid)
        if used is None:
            return  # not Linux, or already gone
        if used > limit:
            exceeded.append(used)
            try:
                process.kill()
            except ProcessLookupError:
                pass
            return
        await asyncio.sleep(MEMORY_POLL_S)
