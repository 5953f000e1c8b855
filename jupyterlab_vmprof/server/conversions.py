"""Convert store profiles with their extras, cached in the profile's `cache/` folder.

A cache entry is named `<format>-<options hash>-<source hash><ext>`: the options hash
covers what the user chose (thread, strip, collapse_dispatcher, lines, the profile compared
with), the source hash what the result depends on without the user choosing it
(converter bundle, size, mtime, ctime and inode of the profile and of its symbol files,
and of the other profile's for a comparison). So a second identical request is a file
read, another option set is another entry, and a profile or converter that changed
misses the cache instead of serving stale output.
"""
from __future__ import annotations

import asyncio
import json
import os
import secrets
import shutil
import tempfile
import time
import weakref
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Optional

from .. import node_converter as conv
from . import parts
from .converter_pool import ConverterPool
# Options is re-exported: the handlers build conversion requests with it.
from ..conversion_cache import CACHE_DIR, Options, cache_name, cell_threads, pending_marker  # noqa: F401
from ..store import PROFILE_FILE, ProfileStore, StoreError, is_regular_file

# Which server setting a user can change about each failure.
SETTING_HINTS = {"timeout": "conversion_timeout", "memory": "conversion_memory_mb", "node-missing": "node_path"}
# Failures that the same inputs and options always give again: remembered in the cache.
DETERMINISTIC_CODES = (*conv.PROFILE_ERROR_CODES, "usage")
DEFAULT_QUEUE = 16


@dataclass
class _Flight:
    """One conversion under way, and how many requests wait for it."""

    task: asyncio.Future
    profiles: tuple
    waiters: int = 0
    deleted: bool = False


@dataclass
class Converted:
    path: Path
    warnings: list[str] = field(default_factory=list)
    from_cache: bool = False


_regular_file = is_regular_file


# How long a request waits for the kernel's summary of the same profile before converting itself.
KERNEL_SUMMARY_WAIT_S = 20.0
KERNEL_SUMMARY_POLL_S = 0.01


async def _await_kernel(entry: Path) -> None:
    """Wait while the kernel writes `entry` (its pending marker is there and fresh)."""
    marker = pending_marker(entry)
    try:
        age = time.time() - marker.stat().st_mtime
    except OSError:
        return
    deadline = time.monotonic() + max(0.0, KERNEL_SUMMARY_WAIT_S - age)
    while time.monotonic() < deadline and marker.exists() and not entry.exists():
        await asyncio.sleep(KERNEL_SUMMARY_POLL_S)


class ConversionService:
    """Conversions of store profiles for the server: cached, shared, bounded in number.

    `settings` is read at each conversion (node_path, converter_script,
    conversion_timeout, conversion_memory_mb) so configuration changed while the
    server runs applies to the next request.
    """

    def __init__(self, store: ProfileStore, settings: Any, log: Any = None):
        self.store = store
        self.settings = settings
        self.log = log
        self._running: dict[str, _Flight] = {}
        self._slots: Optional[asyncio.Semaphore] = None
        self._fallback_root: Optional[Path] = None
        self.started = 0  # conversions run: what the cache and request sharing save
        self.pool = ConverterPool(settings, log)

    def _semaphore(self) -> asyncio.Semaphore:
        # Created lazily so it belongs to the loop that serves requests.
        if self._slots is None:
            limit = self.settings.max_concurrent_conversions or os.cpu_count() or 2
            self._slots = asyncio.Semaphore(max(1, limit))
        return self._slots

    # inputs ---------------------------------------------------------------------------

    def inputs(self, profile_id: str, process: str = "kernel") -> dict:
        """The profile file and the symbol files next to it, as converter arguments."""
        if process != "kernel":
            return parts.process_inputs(self.store, profile_id, process, self.cache_dir(profile_id))
        side = self.store.side_files(profile_id)
        if side.profile is None:
            raise StoreError("not-found", f"profile {profile_id} has no profile data ({PROFILE_FILE})")
        return {"profile_path": side.profile, "perf_maps": side.perf_maps, "jit_symbols": side.jit_symbols,
                "maps": side.maps, "cell_threads": self._cell_threads(profile_id)}

    def _cell_threads(self, profile_id: str) -> list[str]:
        """The cell's thread ids (meta.json): the converter leaves the kernel's own threads out by them."""
        try:
            return cell_threads(self.store.read_meta(profile_id))
        except (StoreError, OSError, ValueError):
            return []  # no metadata to go by: every thread, as for an imported file

    def cache_name(self, inputs: dict, options: Options, script: str, other: Optional[dict] = None) -> tuple[str, str]:
        """(entry file name, prefix shared by every entry of these options)."""
        return cache_name(inputs, options, script, other)

    def cache_dir(self, profile_id: str) -> Path:
        """`cache/` in the profile folder; a private temporary folder when that is not writable."""
        folder = self.store.existing_folder(profile_id)
        cache = folder / CACHE_DIR
        try:
            if cache.is_symlink():
                raise OSError("cache folder is a symbolic link")
            cache.mkdir(exist_ok=True)
            if os.access(cache, os.W_OK):
                return cache
        except OSError as err:
            if self.log:
                self.log.warning("vmprof: not caching in %s (%s)", cache, err)
        if self._fallback_root is None:
            self._fallback_root = Path(tempfile.mkdtemp(prefix="jupyterlab-vmprof-cache-"))
            # Removed when the service goes or, at the latest, when the server process exits.
            weakref.finalize(self, shutil.rmtree, str(self._fallback_root), True)
        fallback = self._fallback_root / profile_id
        fallback.mkdir(exist_ok=True)
        return fallback

    def forget_diffs_with(self, profile_id: str) -> int:
        """Delete every cached comparison with `profile_id` (it was deleted); returns how many."""
        folders = [self.store.folder(other) / CACHE_DIR for other in self.store.ids()]
        if self._fallback_root is not None:
            folders += [p for p in self._fallback_root.iterdir() if p.is_dir()]
        removed = 0
        for cache in folders:
            if cache.is_symlink() or not cache.is_dir():
                continue
            for entry in cache.glob(f"diff-{profile_id}-*"):
                try:
                    entry.unlink()
                    removed += 1
                except OSError:
                    pass  # another request replaced it meanwhile; it no longer matches anything
        return removed

    # converting -----------------------------------------------------------------------

    async def convert(self, profile_id: str, options: Options) -> Converted:
        inputs = await asyncio.to_thread(self.inputs, profile_id, options.process)
        other = await asyncio.to_thread(self.inputs, options.diff_with) if options.diff_with else None
        script = conv.converter_script(self.settings.converter_script or None)
        name, prefix = self.cache_name(inputs, options, script, other)
        cache = await asyncio.to_thread(self.cache_dir, profile_id)
        entry = cache / name
        cached = await asyncio.to_thread(self._read_entry, entry)
        if cached is None and options == Options(strip=options.strip):
            # A new cell's profile: its kernel may be converting it right now; one conversion, not two.
            await _await_kernel(entry)
            cached = await asyncio.to_thread(self._read_entry, entry)
        if cached is not None:
            return cached
        key = str(entry)
        flight = self._running.get(key)
        if flight is None:
            # Identical requests arriving while this runs wait for the same conversion.
            self._check_room()
            task = asyncio.ensure_future(self._produce(inputs, options, entry, prefix, script, other))
            flight = _Flight(task, (profile_id, options.diff_with))
            self._running[key] = flight
            task.add_done_callback(lambda done: self._landed(key, done))
        return await self._wait(flight, profile_id)

    async def _wait(self, flight: _Flight, profile_id: str) -> Converted:
        """Wait for a shared conversion; the last waiter to leave stops it."""
        flight.waiters += 1
        try:
            # shield: a client that goes away must not cancel a conversion others are waiting for.
            return await asyncio.shield(flight.task)
        except asyncio.CancelledError:
            if flight.deleted:
                raise StoreError("not-found", f"profile {profile_id} was deleted during its conversion") from None
            raise
        finally:
            flight.waiters -= 1
            if flight.waiters == 0 and not flight.task.done():
                flight.task.cancel()  # nobody waits for it any more: stop the converter

    def _landed(self, key: str, task: asyncio.Future) -> None:
        self._running.pop(key, None)
        if not task.cancelled():
            task.exception()  # retrieved here: everyone who wanted it may have gone

    def _check_room(self) -> None:
        slots = self.settings.max_concurrent_conversions or os.cpu_count() or 2
        room = max(1, slots) + max(0, getattr(self.settings, "max_queued_conversions", DEFAULT_QUEUE))
        if len(self._running) >= room:
            raise conv.ConversionError(
                "busy", f"{len(self._running)} conversions are running or waiting; try again in a moment "
                "(setting VmprofExtension.max_queued_conversions)")

    def cancel_conversions_of(self, profile_id: str) -> None:
        """Stop the conversions of a profile being deleted (their waiters get not-found)."""
        for flight in list(self._running.values()):
            if profile_id in flight.profiles:
                flight.deleted = True
                flight.task.cancel()

    def private_folders(self) -> list[tuple[str, str]]:
        """(server folder, what a client is shown instead) for messages sent to clients."""
        folders = [(str(self.store.root), "<profile store>")]
        if self._fallback_root is not None:
            folders.append((str(self._fallback_root), "<cache>"))
        return folders

    def _read_entry(self, entry: Path) -> Optional[Converted]:
        error_file = entry.with_name(entry.name + ".error.json")
        if _regular_file(error_file):
            try:
                error = json.loads(error_file.read_text(encoding="utf-8"))
                remembered = conv.ConversionError(error["code"], error["message"], error.get("offset"))
            except (OSError, ValueError, KeyError, TypeError):
                remembered = None  # unreadable: convert again, which rewrites it
            if remembered is not None:
                raise remembered
        if not _regular_file(entry):
            return None
        warnings_file = entry.with_name(entry.name + ".warnings.json")
        warnings = json.loads(warnings_file.read_text(encoding="utf-8")) if warnings_file.is_file() else []
        return Converted(entry, warnings, from_cache=True)

    async def _produce(
        self, inputs: dict, options: Options, entry: Path, prefix: str, script: str, other: Optional[dict] = None
    ) -> Converted:
        # The converter writes a hidden temporary file; renaming it is the commit, so a
        # reader never sees half a result and a failed run leaves nothing behind.
        tmp = entry.with_name(f".{entry.name}.{secrets.token_hex(4)}.tmp")
        async with self._semaphore():
            self.started += 1
            try:
                arguments = dict(
                    perf_maps=inputs["perf_maps"], jit_symbols=inputs["jit_symbols"], maps=inputs["maps"],
                    strip=options.strip, collapse_dispatcher=options.collapse_dispatcher, thread=options.thread,
                    cell_threads=inputs.get("cell_threads", ()), kernel_threads=options.kernel_threads,
                    lines=options.lines, output=tmp, diff=conv.DiffInput(**other) if other is not None else None,
                    parts=inputs.get("parts", False),
                )
                result = await self._run_converter(inputs["profile_path"], options.fmt, script, arguments)
            except conv.ConversionError as err:
                tmp.unlink(missing_ok=True)
                if err.code in SETTING_HINTS:
                    err.message = f"{err.message} (setting VmprofExtension.{SETTING_HINTS[err.code]})"
                if err.code in DETERMINISTIC_CODES:
                    # Same bytes, same failure: remember it rather than re-parse on every click.
                    await asyncio.to_thread(self._commit_error, entry, prefix, err)
                raise
            except BaseException:
                tmp.unlink(missing_ok=True)
                raise
        if not tmp.is_file():
            raise conv.ConversionError("failed", "the converter exited successfully but wrote no output")
        await asyncio.to_thread(self._commit, tmp, entry, prefix, result.warnings)
        return Converted(entry, result.warnings, from_cache=False)

    async def _run_converter(self, profile_path: Any, fmt: str, script: str, arguments: dict) -> conv.ConversionResult:
        """On a warm worker of the pool, or (converter_workers = 0) in a Node process of its own."""
        limits = dict(timeout=self.settings.conversion_timeout, max_memory_mb=self.settings.conversion_memory_mb)
        if self.pool.size() > 0:
            return await self.pool.convert(conv.converter_arguments(profile_path, fmt, **arguments), **limits)
        self.pool.trim()  # no idle worker stays for nothing
        return await conv.convert_async(
            profile_path, fmt, node_path=self.settings.node_path or None, script_path=script, **arguments, **limits)

    def _commit(self, tmp: Path, entry: Path, prefix: str, warnings: list[str]) -> None:
        if warnings:
            _write_atomic(entry.with_name(entry.name + ".warnings.json"), json.dumps(warnings).encode())
        os.replace(tmp, entry)
        self._prune(entry, prefix)

    def _commit_error(self, entry: Path, prefix: str, err: conv.ConversionError) -> None:
        _write_atomic(entry.with_name(entry.name + ".error.json"), json.dumps(err.to_json()).encode())
        self._prune(entry, prefix)

    @staticmethod
    def _prune(entry: Path, prefix: str) -> None:
        """Drop entries of the same options made from an older profile or converter."""
        for other in entry.parent.glob(prefix + "*"):
            if not other.name.startswith(entry.name):
                other.unlink(missing_ok=True)

    async def stop(self) -> None:
        """Server shutdown: stop the converter workers, remove the private cache."""
        await self.pool.close()
        self.close()

    def close(self) -> None:
        if self._fallback_root is not None:
            shutil.rmtree(self._fallback_root, ignore_errors=True)


def _write_atomic(path: Path, data: bytes) -> None:
    tmp = path.with_name(f".{path.name}.{secrets.token_hex(4)}.tmp")
    try:
        with open(tmp, "wb") as handle:
            handle.write(data)
        os.replace(tmp, path)
    finally:
        tmp.unlink(missing_ok=True)

