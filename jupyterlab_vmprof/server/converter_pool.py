"""Long-lived converter workers (`node vmprof-convert.js --serve`) for the Jupyter server.

Starting Node costs 30-70 ms, more than converting a notebook cell's profile; a warm worker
answers in a few milliseconds (docs/architecture.md, "Converter workers"). Each worker is its
own process, so a crash, a timeout or a memory blow-up still ends only that process: the
request it was converting fails as a one-shot run would, the pool starts another worker, and
the server carries on. Requests and answers are one JSON line each (src/node/serve.ts); the
results go to the cache files named in the request, never through the pipe.

Bounds: at most `converter_workers` workers; requests beyond wait in arrival order. A worker
is replaced after `converter_worker_max_conversions` conversions or when its resident memory
passes `converter_worker_max_rss_mb` after one, and stopped when the server stops (its stdin
closes with the server in any case, which ends it).
"""

from __future__ import annotations

import asyncio
import atexit
import collections
import os
import signal
from typing import Any, Optional

from .. import node_converter as conv
from .converter_worker import ANSWER_LIMIT, Worker

# Every worker pid alive in this process: killed at interpreter exit if the server did not stop them.
_live_pids: set[int] = set()


@atexit.register
def _kill_leftovers() -> None:
    for pid in list(_live_pids):
        try:
            os.kill(pid, signal.SIGKILL)
        except OSError:
            pass


class ConverterPool:
    """At most `settings.converter_workers` workers, shared by the server's conversions.

    Settings are read at each request, so a changed size, limit or Node applies to the next one
    (a worker started with another node, converter or heap limit is replaced).
    """

    def __init__(self, settings: Any, log: Any = None):
        self.settings = settings
        self.log = log
        self._idle: list[Worker] = []
        self._waiting: collections.deque[asyncio.Future] = collections.deque()
        self._live = 0  # slots taken: workers starting, idle, converting or ending; never above the size
        self._workers: set[Worker] = set()
        self._warming: set[asyncio.Future] = set()
        self._busy: set[Worker] = set()
        self.workers_started = 0
        self.most_live = 0
        self._closed = False

    # the bound -------------------------------------------------------------------------

    def size(self) -> int:
        return max(0, int(self.settings.converter_workers))

    async def _acquire(self) -> Worker:
        """A worker for one request: an idle one, a new one while under the bound, else wait in turn."""
        if self._closed:
            raise conv.ConversionError("failed", "the server is stopping")
        if not self._waiting:
            while self._idle:
                worker = self._idle.pop()
                why = self._why_stale(worker)
                if why is None:
                    return worker
                self._retire(worker, why)  # its slot comes back (to the line) once it has ended
            if self._live < self.size():
                self._live += 1
                return await self._start()
        turn = asyncio.get_running_loop().create_future()
        self._waiting.append(turn)
        try:
            worker = await turn
        except asyncio.CancelledError:
            if turn.done() and not turn.cancelled():
                self._hand_back(turn.result())  # handed over as the request left: pass it on
            else:
                self._waiting.remove(turn)
            raise
        return worker if worker is not None else await self._start()  # None: a free slot to start one in

    def _hand_back(self, worker: Optional[Worker]) -> None:
        """A worker is free (or a slot, for None): to the first in line, else idle (or nothing)."""
        while self._waiting:
            turn = self._waiting.popleft()
            if not turn.done():
                turn.set_result(worker)
                return
        if worker is None:
            self._live -= 1
        else:
            self._idle.append(worker)

    def _lost(self) -> None:
        """A worker ended (or never started): its slot goes to the next in line."""
        self._live -= 1
        if self._waiting and self._live < self.size():
            self._live += 1
            self._hand_back(None)

    async def _start(self) -> Worker:
        """Start a worker in a slot already counted in `_live`."""
        try:
            command = conv.node_command(
                self.settings.node_path or None,
                self.settings.converter_script or None,
                self.settings.conversion_memory_mb,
            )
            process = await asyncio.create_subprocess_exec(
                *command,
                "--serve",
                stdin=asyncio.subprocess.PIPE,
                stdout=asyncio.subprocess.PIPE,
                stderr=asyncio.subprocess.PIPE,
                limit=ANSWER_LIMIT,
                # Its own session: a Ctrl-C in the server's terminal is for the server, not the workers.
                start_new_session=True,
            )
        except OSError as err:
            self._lost()
            raise conv.ConversionError("node-missing", f"cannot start Node.js: {err.strerror or err}") from err
        except BaseException:
            self._lost()
            raise
        conv.lower_priority(process.pid)
        _live_pids.add(process.pid)
        self.workers_started += 1
        self.most_live = max(self.most_live, self._live)
        worker = Worker(process, tuple(command))
        self._workers.add(worker)
        worker.watch = asyncio.ensure_future(self._watch(worker))
        if self._closed:  # the server stopped while this one started
            worker.kill()
            raise conv.ConversionError("failed", "the server is stopping")
        return worker

    async def _watch(self, worker: Worker) -> None:
        """Free the worker's slot once its process has ended (so the bound counts processes)."""
        await worker.process.wait()
        await worker.stderr_read
        self._workers.discard(worker)
        _live_pids.discard(worker.pid)
        if worker in self._idle:
            self._idle.remove(worker)
        self._lost()
        if worker.conversions > 0 or worker.killed_by_pool:
            self.keep_one_ready()  # not after a worker that ended before its first answer: the next would too

    async def warm(self) -> None:
        """Start one worker ahead of the first request (at server start), if there is room."""
        if self._closed or self._idle or self._live >= self.size():
            return
        self._live += 1
        try:
            worker = await self._start()
        except conv.ConversionError as err:  # each conversion will say it again, as its error
            if self.log:
                self.log.warning("jupyterlab_vmprof: no converter worker started: %s", err.message)
            return
        self._hand_back(worker)

    def keep_one_ready(self) -> None:
        """Start a worker in the background unless one is idle: the next request should find a warm
        worker, not pay Node's start-up (at server start, and after a worker ended)."""
        if not self._closed and not self._idle:
            task = asyncio.ensure_future(self.warm())
            self._warming.add(task)
            task.add_done_callback(self._warming.discard)

    def trim(self) -> None:
        """Retire idle workers beyond the size (it was made smaller, down to 0 perhaps)."""
        for _ in range(len(self._staying()) - self.size()):
            if not self._idle:
                break
            self._retire(self._idle.pop(), "the pool is smaller now")

    def _staying(self) -> list[Worker]:
        """The workers neither ended nor retired."""
        return [w for w in self._workers if w.alive and not w.process.stdin.is_closing()]

    # converting ------------------------------------------------------------------------

    async def convert(self, argv: list[str], *, timeout: float, max_memory_mb: int) -> conv.ConversionResult:
        """One conversion (argv as converter_arguments gives, with --output) on a worker."""
        worker = await self._acquire()
        self._busy.add(worker)
        healthy = False
        try:
            answer = await self._run(worker, argv, timeout, max_memory_mb)
            error = None if answer.get("ok") else (answer.get("error") or {})
            # An allocation that failed (caught, so reported) leaves a worker best not trusted again.
            out_of_memory = error is not None and any(sign in str(error.get("message")) for sign in conv.OUT_OF_MEMORY)
            healthy = not out_of_memory
        finally:
            self._busy.discard(worker)
            self._release(worker, healthy)
        if out_of_memory:  # as a one-shot run's is read (node_converter.interpret)
            raise conv.ConversionError(
                "memory", f"the conversion ran out of memory (JavaScript heap limit {max_memory_mb} MB) and was stopped"
            )
        if error is not None:
            conv.raise_reported(error)
        return conv.ConversionResult(b"", conv.bounded_warnings([str(w) for w in answer.get("warnings") or []]))

    async def _run(self, worker: Worker, argv: list[str], timeout: float, max_memory_mb: int) -> dict:
        """The worker's answer, with the limits of a one-shot run: time, and resident memory polled."""
        answer = asyncio.ensure_future(worker.ask(argv))
        loop = asyncio.get_running_loop()
        deadline = loop.time() + timeout
        limit = max_memory_mb * 1024 * 1024 if max_memory_mb else None
        try:
            while not answer.done():
                left = deadline - loop.time()
                if left <= 0:
                    worker.killed_by_pool = True
                    worker.kill()
                    conv.interpret(None, b"", b"", timed_out=True, timeout=timeout)
                await asyncio.wait({answer}, timeout=min(conv.MEMORY_POLL_S, left))
                used = conv.resident_bytes(worker.pid) if limit and not answer.done() else None
                if used is not None and used > limit:
                    worker.killed_by_pool = True
                    worker.kill()
                    raise conv.ConversionError(
                        "memory", f"the conversion used more than {max_memory_mb} MB of memory and was stopped"
                    )
            return answer.result()
        except asyncio.CancelledError:
            # Nobody waits for this conversion any more: a busy worker cannot be interrupted, so it goes.
            worker.killed_by_pool = True
            worker.kill()
            raise
        finally:
            if not answer.done():
                answer.cancel()

    def _release(self, worker: Worker, healthy: bool) -> None:
        if not healthy:
            worker.kill()  # _watch frees its slot once it has ended
            return
        why = self._why_stale(worker) or self._why_worn(worker)
        if why is None:
            self._hand_back(worker)
        else:
            self._retire(worker, why)

    def _retire(self, worker: Worker, why: str) -> None:
        if self.log:
            self.log.info("jupyterlab_vmprof: converter worker %d replaced: %s", worker.pid, why)
        worker.retire()  # _watch frees its slot once it has ended

    def _why_worn(self, worker: Worker) -> Optional[str]:
        """Why a worker should go after its conversions so far, or None."""
        settings = self.settings
        most = settings.converter_worker_max_conversions
        if most and worker.conversions >= most:
            return f"{worker.conversions} conversions (VmprofExtension.converter_worker_max_conversions)"
        rss_mb = settings.converter_worker_max_rss_mb
        used = conv.resident_bytes(worker.pid) if rss_mb else None
        if used is not None and used > rss_mb * 1024 * 1024:
            return f"{used // (1024 * 1024)} MB resident (VmprofExtension.converter_worker_max_rss_mb)"
        return None

    def _why_stale(self, worker: Worker) -> Optional[str]:
        """Why a worker may not take the next request (ended, too many, other settings), or None."""
        settings = self.settings
        if not worker.alive:
            return "it ended"
        if self._closed or len(self._staying()) > self.size():
            return "the pool is smaller now"
        try:
            current = conv.node_command(
                settings.node_path or None, settings.converter_script or None, settings.conversion_memory_mb
            )
        except conv.ConversionError:
            return "the configured Node.js or converter is not usable"
        return None if tuple(current) == worker.started_with else "Node.js, converter or memory settings changed"

    # stopping --------------------------------------------------------------------------

    def idle_pids(self) -> list[int]:
        """The process ids of the workers waiting for a request."""
        return sorted(worker.pid for worker in self._idle)

    def busy_pids(self) -> list[int]:
        """The process ids of the workers converting."""
        return sorted(worker.pid for worker in self._busy)

    def queued(self) -> int:
        """Requests waiting for a worker."""
        return sum(1 for turn in self._waiting if not turn.done())

    def pids(self) -> list[int]:
        """The process ids of the workers not yet ended (idle, converting or being replaced)."""
        return sorted(worker.pid for worker in self._workers)

    async def close(self) -> None:
        """Stop every worker (server shutdown); requests still waiting get an error."""
        self._closed = True
        for turn in self._waiting:
            if not turn.done():
                turn.set_exception(conv.ConversionError("failed", "the server is stopping"))
        self._waiting.clear()
        if self._warming:
            await asyncio.wait(list(self._warming), timeout=5)
        for worker in self._workers:
            worker.kill()
        watches = [worker.watch for worker in self._workers if worker.watch is not None]
        if watches:
            await asyncio.wait(watches, timeout=5)


def run_with_server(server_app: Any, start: Any, stop: Any) -> None:
    """Run `start()` once the server's event loop turns, and await `stop()` when the server stops.

    jupyter_server gives stop hooks to ExtensionApp extensions only; this is a module extension.
    Every way a server stops (a signal, /api/shutdown, a test's teardown) awaits
    ServerApp.cleanup_extensions, so `stop` is chained after that method on this server instance.
    """
    cleanup = server_app.cleanup_extensions

    async def cleanup_then_stop() -> None:
        try:
            await cleanup()
        finally:
            await stop()

    server_app.cleanup_extensions = cleanup_then_stop
    server_app.io_loop.add_callback(start)
