"""Start and stop vmprof for a fraction of what `vmprof.enable()`/`disable()` cost in a kernel.

Measured with vmprof 0.6.0 in an ipykernel with numpy and numba loaded (docs/benchmarks.md):

- `enable` with native frames unwinds the *calling* thread's C stack with libunwind,
  looking up the symbol of each frame, to learn where the eval loop is. From a
  magic, 30 levels of IPython deep, that is ~30 ms; from a fresh thread ~8 ms. The
  eval loop is the same function in every thread, so we enable from a short-lived one.
- `disable` re-reads the whole file in Python to name every native address with
  dladdr/libbacktrace, then walks every object the GC tracks to name the Python code
  objects the samples hold: ~50 ms. Instead we stop vmprof first (its dealloc hook
  has then named every code object that died while profiling), scan the sampled code
  ids (rawscan.py), name the live ones from the running frames and the function
  objects (codesearch.py), and insert their records before the trailer. Native
  addresses are named by the converter from the memory map saved next to the
  profile, as before.

A code object this cannot find (reachable only from some other container) stays
unnamed and is counted in the returned `StopReport`, which the caller reports.
"""
from __future__ import annotations

import _thread
import dataclasses
import gc
import os
import struct
import threading
import types
from pathlib import Path
from typing import Optional

from . import births, codesearch, crashguard
from .rawscan import MARKER_VIRTUAL_IP, ScanError, scan_profile

#: vmprof's MAX_FUNC_NAME (src/vmprof_common.h): "py:name" and ":line:file" get half each.
_HALF_NAME = 512
_RECORD_HEAD = struct.Struct("<Bqq")


class _OlderCollections:
    """A gc callback counting collections of generation 1 or 2 while profiling.

    Until one runs, every object made since the start is still in generation 0 or 1
    (CPython moves the survivors of a generation-1 collection to generation 2), so
    code made while profiling can be looked for among the young objects only.
    """

    def __init__(self) -> None:
        self.count = 0

    def __call__(self, phase: str, info: dict) -> None:
        if phase == "start" and info.get("generation", 2) >= 1:
            self.count += 1

    def start(self) -> None:
        self.count = 0
        if self not in gc.callbacks:
            gc.callbacks.append(self)

    def stop(self) -> bool:
        """Remove the callback; True if no such collection ran since start()."""
        if self in gc.callbacks:
            gc.callbacks.remove(self)
            return self.count == 0
        return False


_older_collections = _OlderCollections()


@dataclasses.dataclass
class StopReport:
    samples: int = 0
    #: Python code ids in the samples, and how many of them this stop named.
    code_ids: int = 0
    named_here: int = 0
    #: Ids left without a name (neither vmprof's dealloc hook nor our search found them).
    unnamed: int = 0
    #: Why naming was skipped (an unreadable file); None when it ran.
    error: Optional[str] = None
    #: The search of every object for code at reused addresses, when left for later.
    deferred: Optional["DeferredSearch"] = None
    #: What the crash guard did (crashguard.GuardReport.to_meta()): samples it dropped.
    guard: dict = dataclasses.field(default_factory=dict)


def enable(vmprof, fd: int, *, period: float, memory: bool, lines: bool, native: bool, real_time: bool) -> None:
    """vmprof.enable(), from a fresh thread when native frames make the calling stack matter;
    then the crash guard in front of the signal handler vmprof installed."""
    _older_collections.start()
    try:
        _enable(vmprof, fd, dict(period=period, memory=memory, lines=lines, native=native, real_time=real_time))
    except BaseException:
        _older_collections.stop()
        raise
    births.start(fd)
    crashguard.install()


def _enable(vmprof, fd: int, options: dict) -> None:
    if not options["native"]:
        vmprof.enable(fd, **options)
        return
    caller = threading.get_ident()
    outcome: list = []
    done = _thread.allocate_lock()
    done.acquire()

    def run() -> None:
        try:
            vmprof.enable(fd, **options)
            if options["real_time"]:
                # enable() registered this thread for real-time signals: hand over to the caller.
                vmprof.insert_real_time_thread(caller)
                vmprof.remove_real_time_thread()
        except BaseException as err:  # noqa: BLE001 - re-raised in the caller
            outcome.append(err)
        finally:
            done.release()

    # _thread, not threading: the profile's thread watcher must not count this helper.
    _thread.start_new_thread(run, ())
    done.acquire()
    if outcome:
        raise outcome[0]


def stop(fd: int, path: Optional[Path] = None) -> StopReport:
    """Stop vmprof and name the Python code objects its samples hold.

    With the profile's `path`, a search of every object only needed to check for code
    at reused addresses (see codesearch.find_code_objects) may be left for later: the report's
    `deferred.run()`, which rewrites the file, e.g. in a thread after the cell.
    Raises what `_vmprof.disable()` raises (OSError when the disk is full), with vmprof
    possibly still enabled, as `vmprof.disable()` would.
    """
    import _vmprof

    young_only = _older_collections.stop()
    noted = births.stop()  # kept alive until the names are written
    gc_was_enabled = gc.isenabled()
    # No collection until the live code objects are named: garbage that vmprof's own
    # walk would still have found must not be freed (unnamed) meanwhile.
    gc.disable()
    try:
        try:
            _vmprof.stop_sampling()
            _vmprof.disable()
        finally:
            guard = crashguard.remove().to_meta()
        report = _name_code_objects(fd, young_only, path, noted)
        report.guard = guard
        return report
    finally:
        if gc_was_enabled:
            gc.enable()


def _name_code_objects(fd: int, young_only: bool = False, path: Optional[Path] = None,
                       noted: Optional[dict] = None) -> StopReport:
    data = _read_all(fd)
    try:
        scan = scan_profile(data)
    except ScanError as err:
        return StopReport(error=f"the profile could not be scanned for Python names: {err}")
    # Code run while profiling (cell statements) was kept alive by births.py: named here.
    born = births.sampled(noted or {}, scan.code_ids)
    wanted = scan.code_ids - born.keys()
    found, unchecked = codesearch.find_code_objects(wanted, wanted - scan.named_ids, young_only,
                                                    defer_full_search=path is not None)
    found.update((uid, code) for uid, (code, _) in born.items())
    unnamed = len(scan.code_ids - scan.named_ids - found.keys())
    # Sampled ids vmprof named when their code died may hold newer code: say since when.
    reused = {uid: entry for uid, entry in born.items() if uid in scan.named_ids}
    records = code_records(found) + births.meta_record(reused, code_name)
    report = StopReport(samples=scan.samples, code_ids=len(scan.code_ids), named_here=len(found), unnamed=unnamed)
    if records:
        try:
            _insert_before_trailer(fd, data, scan.trailer_offset, records)
        except OSError as err:
            report.named_here, report.unnamed = 0, len(scan.code_ids - scan.named_ids)
            report.error = f"the Python function names could not be written: {err.strerror or err}"
    if unchecked and path is not None:
        report.deferred = DeferredSearch(path, unchecked)
    return report


@dataclasses.dataclass
class DeferredSearch:
    """The search of every function for code at reused addresses, left for after the cell.

    It only adds names of live code objects whose ids already have a (dead code's)
    name, so until it has run the profile reads as vmprof's dealloc records left it.
    """

    path: Path
    ids: set

    def run(self) -> int:
        """Search, and rewrite the profile (atomically) if anything was found; returns how many."""
        found = codesearch.search_every_function(self.ids)
        if not found:
            return 0
        data = self.path.read_bytes()
        scan = scan_profile(data)
        at = len(data) if scan.trailer_offset is None else scan.trailer_offset
        records = code_records(found)
        partial = self.path.with_name(f".{self.path.name}.names-{os.getpid()}")
        try:
            partial.write_bytes(data[:at] + records + data[at:])
            os.replace(partial, self.path)  # a reader sees the old file or the new one
        finally:
            partial.unlink(missing_ok=True)
        codesearch.remember(found)
        return len(found)


def code_records(found: dict) -> bytes:
    """The records of `found` (id -> code object), in id order: the same bytes for the same finds."""
    return b"".join(code_record(uid, found[uid]) for uid in sorted(found))


def code_record(uid: int, code: types.CodeType) -> bytes:
    """The 0x02 record vmprof's emit_code_object writes: `py:name:firstline:file`."""
    name = code_name(code)
    return _RECORD_HEAD.pack(MARKER_VIRTUAL_IP, uid, len(name)) + name


def code_name(code: types.CodeType) -> bytes:
    """`py:name:firstline:file`, cut as vmprof's emit_code_object cuts it."""
    first = f"py:{code.co_name}".encode("utf-8", "replace")[: _HALF_NAME - 1]
    second = f":{code.co_firstlineno}:{code.co_filename}".encode("utf-8", "replace")[: _HALF_NAME - 1]
    return first + second


def _read_all(fd: int) -> bytes:
    size = os.fstat(fd).st_size
    chunks = []
    offset = 0
    while offset < size:
        chunk = os.pread(fd, size - offset, offset)
        if not chunk:
            break
        chunks.append(chunk)
        offset += len(chunk)
    return b"".join(chunks)


def _insert_before_trailer(fd: int, data: bytes, trailer_offset: Optional[int], records: bytes) -> None:
    """Write `records` where the trailer was and the trailer after them.

    Readers stop at the trailer, so names after it would be lost. If the write fails
    (disk full), the original end is put back and the error raised.
    """
    at = len(data) if trailer_offset is None else trailer_offset
    tail = data[at:]
    try:
        _write_at(fd, records + tail, at)
    except OSError:
        os.ftruncate(fd, at)
        _write_at(fd, tail, at)
        raise


def _write_at(fd: int, payload: bytes, offset: int) -> None:
    view = memoryview(payload)
    while view:
        written = os.pwrite(fd, view, offset)
        view = view[written:]
        offset += written
