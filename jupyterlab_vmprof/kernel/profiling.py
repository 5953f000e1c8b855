"""Profile a piece of code with vmprof into a profile of the store.

Plain Python, no IPython: `ProfileRun.start()` checks everything that can be
checked *before* the user's code runs (vmprof importable and idle, store
writable, disk space, vmprof.enable succeeding) and raises `ProfilerUnavailable`
with a sentence for the user otherwise, leaving nothing enabled.
`ProfileRun.stop()` disables vmprof, records what the engine needs to name
frames (maps.txt, jit-symbols.json, perf maps) and finishes meta.json.
"""
from __future__ import annotations

import dataclasses
import errno
import os
import platform
import shutil
import sys
import tempfile
import time
from contextlib import contextmanager
from pathlib import Path
from typing import Callable, Iterator, Optional

from .lean import crashguard, leanvmprof
from .lean.session import VmprofSession
from .jit import InstallOnImport, NumbaTrampolines
from .sigstate import SignalDispositions
from .symbolfiles import record_symbols, save_maps
from .threads import ThreadWatch
from ..store import PROFILE_FILE, STORE_ENV, ProfileStore, StoreError, iso, utc_now

# vmprof walks native stacks only on these CPUs (VMP_SUPPORTS_NATIVE_PROFILING).
NATIVE_MACHINES = {"x86_64", "amd64", "i386", "i686", "x86", "ppc64", "ppc64le"}
# Below this much free space a profile may be cut short silently: refuse instead.
MIN_FREE_BYTES = 16 * 1024 * 1024


class ProfilerUnavailable(Exception):
    """Profiling cannot start; the message is meant for the user as is."""


@dataclasses.dataclass
class ProfileOptions:
    period: float = 0.001
    native: bool = True
    lines: bool = False
    memory: bool = False
    real_time: bool = False
    strip: bool = True
    fork: bool = False
    jit_names: bool = True  # Numba trampolines (jit.py): +~0.5 µs per jitted call
    name: str = ""

    def as_meta(self) -> dict:
        return {key: value for key, value in dataclasses.asdict(self).items() if key != "name"}


def load_vmprof():
    try:
        import vmprof
    except ImportError as err:
        raise ProfilerUnavailable(
            f"vmprof cannot be imported ({err}); install it in the kernel's environment: pip install vmprof"
        ) from err
    return vmprof


def native_unsupported_reason() -> Optional[str]:
    """Why vmprof cannot record native frames here, or None if it can."""
    if os.name == "nt":
        return "vmprof records native frames only on Linux and macOS"
    machine = platform.machine().lower()
    if machine not in NATIVE_MACHINES:
        return f"vmprof walks native stacks only on x86, x86_64 and ppc64, not on {machine}"
    return None


def notebook_path(user_ns: dict) -> str:
    """The notebook running this kernel, if the kernel was told (ipykernel sets both)."""
    session = user_ns.get("__session__") or os.environ.get("JPY_SESSION_NAME") or ""
    return str(session)


@contextmanager
def capture_stderr_fd(captured: list) -> Iterator[None]:
    """Append to `captured` what C code prints on fd 2 meanwhile (vmprof's libunwind message)."""
    try:
        sys.stderr.flush()
    except Exception:  # noqa: BLE001 - a closed or odd stderr must not stop profiling
        pass
    with tempfile.TemporaryFile() as sink:
        saved = os.dup(2)
        os.dup2(sink.fileno(), 2)
        try:
            yield
        finally:
            os.dup2(saved, 2)
            os.close(saved)
            sink.seek(0)
            captured.append(sink.read().decode("utf-8", "replace"))


class ProfileRun:
    """One profile: start() before the code, stop() after it (always, in a finally)."""

    def __init__(self, options: ProfileOptions, cell: str = "", notebook: str = "", store: Optional[ProfileStore] = None):
        self.options = options
        self.cell = cell
        self.notebook = notebook
        self.store = store or ProfileStore()
        self.meta: Optional[dict] = None
        self.warnings: list[str] = []
        self._vmprof = None
        self._fd: Optional[int] = None
        # Everything that touches vmprof's private module, for this profile (lean/session.py).
        self._session: Optional[VmprofSession] = None
        self._threads: Optional[ThreadWatch] = None
        self._jit = NumbaTrampolines()
        self._jit_hook = InstallOnImport(self._jit)
        self._signals = SignalDispositions()
        self._t0 = 0.0
        self._cpu0 = 0.0
        self._stopped = False
        # Set by end_sampling: wall and process CPU seconds sampled (the CPU timer drives
        # vmprof's CPU mode, so samples / cpu_s is the rate really obtained).
        self.duration_s: Optional[float] = None
        self.cpu_s: Optional[float] = None
        self.deferred_names: Optional[leanvmprof.DeferredSearch] = None
        # meta.json's `guard`: whether the crash guard ran and the samples it dropped.
        self.guard: Optional[dict] = None

    @property
    def profile_id(self) -> Optional[str]:
        return self.meta["id"] if self.meta else None

    @property
    def folder(self) -> Path:
        return self.store.folder(self.profile_id)

    # starting ---------------------------------------------------------------------

    def start(self) -> None:
        """Begin sampling, or raise ProfilerUnavailable having changed nothing."""
        self.prepare()
        self.begin()

    def prepare(self) -> None:
        """Every check that needs no sampling, and the profile's folder (status running)."""
        self._vmprof = load_vmprof()
        if self._vmprof.is_enabled():
            raise ProfilerUnavailable("vmprof is already enabled in this process (a profile is running); nothing was run")
        self._check_native()
        self._create_profile()
        try:
            self._check_free_space()
        except BaseException:
            self._abandon()
            raise

    def begin(self) -> None:
        """Enable vmprof in this process (the kernel, or a forked child)."""
        try:
            self._open_profile_file()
            self._save_maps_early()
            self._enable()
        except BaseException:
            self._abandon()
            raise
        self._t0 = time.perf_counter()
        self._cpu0 = time.process_time()

    def _save_maps_early(self) -> None:
        """The memory map at the start too (~1 ms): a kernel killed mid-cell never reaches
        the stop, and its profile's native frames can then still be named."""
        if self.options.native:
            save_maps(self.folder)  # a failure is reported by the stop, which tries again

    def _check_native(self) -> None:
        if not self.options.native:
            return
        reason = native_unsupported_reason()
        if reason:
            self.options.native = False
            self.warnings.append(f"native frames unavailable: {reason}")

    def _create_profile(self) -> None:
        try:
            self.meta = self.store.create(
                name=self.options.name, notebook=self.notebook, cell=self.cell,
                options=dict(self.options.as_meta(), **crashguard.expected_meta()),
            )
        except StoreError as err:
            raise ProfilerUnavailable(f"{err.message}; set {STORE_ENV} to a writable folder. Nothing was run.") from err

    def _check_free_space(self) -> None:
        free = shutil.disk_usage(self.folder).free
        if free < MIN_FREE_BYTES:
            raise ProfilerUnavailable(
                f"only {free // 1024} KiB free in {self.store.root}; a profile needs room to be written. Nothing was run."
            )

    def _open_profile_file(self) -> None:
        try:
            # Native mode needs the descriptor readable as well as writable.
            self._fd = os.open(self.folder / PROFILE_FILE, os.O_RDWR | os.O_CREAT | os.O_TRUNC, 0o644)
        except OSError as err:
            raise ProfilerUnavailable(f"cannot create the profile file in {self.folder}: {err.strerror}. Nothing was run.") from err

    def _enable(self) -> None:
        options = self.options
        self._threads = ThreadWatch(self._vmprof, options.real_time)
        self._threads.install()
        if options.jit_names:
            self._jit_hook.start()
        printed: list = []
        self._signals.save()
        try:
            self._session = VmprofSession(
                self._vmprof, self._fd, period=float(options.period), memory=options.memory,
                lines=options.lines, native=options.native, real_time=options.real_time,
            )
            with capture_stderr_fd(printed):
                self._session.start()
        except Exception as err:
            raise ProfilerUnavailable(f"vmprof.enable failed: {err}. Nothing was run.") from err
        finally:
            self._note_enable_messages("".join(printed))
        unprotected = crashguard.unprotected_warning()
        if unprotected:
            self.warnings.append(unprotected)

    def _note_enable_messages(self, text: str) -> None:
        """Never hide what vmprof printed: keep it in the warnings (meta and output)."""
        for line in text.splitlines():
            line = line.strip()
            if not line:
                continue
            if "libunwind" in line:
                self.warnings.append(f"native frames unavailable: {line}")
            else:
                self.warnings.append(f"vmprof: {line}")

    def _abandon(self) -> None:
        """Undo a start that failed: nothing stays enabled, hooked or half-written."""
        self._unhook()
        if self._fd is not None:
            os.close(self._fd)
            self._fd = None
        if self.meta:
            try:
                self.store.delete(self.profile_id)
            except (StoreError, OSError):
                pass
        self.meta = None

    def _unhook(self) -> None:
        self._jit_hook.stop()
        if self._threads is not None:
            self._threads.remove()
        self._signals.restore()

    # stopping ---------------------------------------------------------------------

    def stop(self, error: Optional[str] = None, status: Optional[str] = None,
             extra_meta: Optional[Callable[[float, Optional[float]], dict]] = None, defer_names: bool = False) -> dict:
        """Disable vmprof, record symbols, finish meta.json; returns the final meta.

        `extra_meta(duration_s, cpu_s)` may add fields (the summary's sample count) so
        that meta.json is written once at the end rather than once more for them.
        `defer_names`: see end_sampling.
        """
        if self._stopped or self.meta is None:
            return self.meta or {}
        duration, disable_error = self.end_sampling(defer_names)
        error = error or disable_error
        if extra_meta is not None:
            self._save_threads()  # the summary reads the cell's threads there (kernel/summary.py)
        try:
            extra = extra_meta(duration, self.cpu_s) if extra_meta else {}
        except BaseException:
            self.finish_meta(duration, error, status)  # e.g. Ctrl-C meanwhile: the profile still ends
            raise
        return self.finish_meta(duration, error, status, **extra)

    def end_sampling(self, defer_names: bool = False) -> tuple[float, Optional[str]]:
        """Disable vmprof, unhook, save symbols: (seconds profiled, error while writing).

        With `defer_names`, a costly search that can only add names for reused code
        addresses may be left in `self.deferred_names` for the caller to run later
        (leanvmprof.DeferredSearch); without, it is done here.
        """
        self._stopped = True
        duration = time.perf_counter() - self._t0
        self.duration_s, self.cpu_s = duration, round(time.process_time() - self._cpu0, 6)
        error = None
        try:
            report = self._session.stop(self.folder / PROFILE_FILE if defer_names else None)
            self.deferred_names = report.deferred
            self.guard = report.guard
            self._note_stop(report)
        except Exception as err:  # noqa: BLE001 - e.g. disk full while flushing
            error = f"vmprof could not finish writing the profile: {_reason(err)}"
            self.warnings.append(error)
            self._force_disable()
        finally:
            self._unhook()
            if self._fd is not None:
                os.close(self._fd)
                self._fd = None
        self.warnings.extend(
            record_symbols(self.folder, self._jit.entries, sync=self.store.sync_writes, native=self.options.native)
        )
        return duration, error

    def _note_stop(self, report: leanvmprof.StopReport) -> None:
        """Say so when Python functions stay unnamed: the views would show `<unknown code>`."""
        if report.error:
            self.warnings.append(report.error)
        elif report.unnamed:
            self.warnings.append(
                f"{report.unnamed} of the {report.code_ids} Python functions sampled could not be named "
                "(their code objects were not found); they show as <unknown code>"
            )

    def _force_disable(self) -> None:
        """Make sure vmprof is off after a failed disable (disk full): lean/session.py."""
        message = self._session.force_disable() if self._session is not None else None
        if message:
            self.warnings.append(message)

    @contextmanager
    def paused(self) -> Iterator[None]:
        """No samples meanwhile (IPython formatting a traceback is not the cell's work)."""
        if self._session is None or self._stopped or self.meta is None:
            yield
            return
        with self._session.paused():
            yield

    def _save_threads(self) -> None:
        """meta.json's `threads` now, before the rest of the stop: what the summary leaves out goes by it."""
        try:
            self.meta = self.store.update_meta(self.profile_id, threads=self.threads_meta())
        except (StoreError, OSError):
            pass  # the summary then counts every thread, as for a profile without them

    def threads_meta(self) -> Optional[dict]:
        return self._threads.as_meta() if self._threads else None

    def finish_meta(self, duration: float, error: Optional[str], status: Optional[str] = None, **extra) -> dict:
        changes = dict(
            # A cell the user stopped (Ctrl-C, the stop button) was interrupted, not failed.
            status=status or ("interrupted" if (error or "").startswith("KeyboardInterrupt")
                              else "failed" if error else "complete"),
            finished=iso(utc_now()),
            duration_s=round(duration, 6),
            error=error,
            warnings=list(self.warnings),
            threads=self.threads_meta(),
            guard=self.guard or None,
            cpu_s=self.cpu_s,
            profile_bytes=_size(self.folder / PROFILE_FILE),
        )
        changes.update(extra)
        try:
            self.meta = self.store.update_meta(self.profile_id, **changes)
        except (StoreError, OSError) as err:
            self.warnings.append(f"could not update the profile's metadata: {err}")
            self.meta = dict(self.meta, **changes)
        return self.meta


def _reason(err: BaseException) -> str:
    if isinstance(err, OSError) and err.errno in (errno.ENOSPC, errno.EDQUOT):
        return f"the disk is full ({err.strerror})"
    return str(err)


def _size(path: Path) -> Optional[int]:
    try:
        return path.stat().st_size
    except OSError:
        return None


def first_line_of(exc: BaseException) -> str:
    """The exception line as a traceback ends with it: 'ValueError: bad value'."""
    text = str(exc)
    return f"{type(exc).__name__}: {text}" if text else type(exc).__name__
