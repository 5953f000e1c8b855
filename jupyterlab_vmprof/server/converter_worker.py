"""One converter worker of the server's pool: a `node vmprof-convert.js --serve` process, asked one
request at a time (the protocol is in src/node/serve.ts), and why it ended if it did."""

from __future__ import annotations

import asyncio
import json
from typing import Optional

from .. import node_converter as conv

# What a worker printed on stderr, kept to explain its death (node's out-of-memory report).
STDERR_KEPT = 64 * 1024
# An answer line is small (ok or an error, and at most 50 warnings), but a path can be long.
ANSWER_LIMIT = 1024 * 1024
# How long a worker whose stdout closed may take to exit before it is killed.
ENDING_S = 2.0


class Worker:
    """One `--serve` process and what it did."""

    def __init__(self, process: asyncio.subprocess.Process, started_with: tuple):
        self.process = process
        self.started_with = started_with  # the node command: a worker of older settings is retired
        self.conversions = 0
        self.killed_by_pool = False
        self.watch: Optional[asyncio.Future] = None  # the pool's task that waits for its end
        self._next_id = 0
        self._stderr = bytearray()
        self.stderr_read = asyncio.ensure_future(self._read_stderr())

    @property
    def pid(self) -> int:
        return self.process.pid

    @property
    def alive(self) -> bool:
        return self.process.returncode is None

    async def _read_stderr(self) -> None:
        while chunk := await self.process.stderr.read(65536):
            self._stderr += chunk
            del self._stderr[:-STDERR_KEPT]

    async def ask(self, argv: list[str]) -> dict:
        """Send one request and return its answer; ConversionError if the worker ends first."""
        self._next_id += 1
        self._stderr.clear()  # what explains this request's failure, not an earlier one's
        request = json.dumps({"id": self._next_id, "argv": argv}) + "\n"
        try:
            self.process.stdin.write(request.encode())
            await self.process.stdin.drain()
            line = await self.process.stdout.readline()
        except (ConnectionError, ValueError):  # a closed pipe, or an answer over ANSWER_LIMIT
            line = b""
        if not line.endswith(b"\n"):
            raise await self._death()
        try:
            answer = json.loads(line)
        except ValueError:
            answer = None
        if not isinstance(answer, dict) or answer.get("id") != self._next_id:
            self.kill()
            raise conv.ConversionError("failed", f"the converter worker answered out of protocol: {line[:200]!r}")
        self.conversions += 1
        return answer

    async def _death(self) -> conv.ConversionError:
        """Why the worker ended during a request, worded as for a one-shot converter."""
        # Its answers' pipe closed: it is ending. Not kill() first: Popen.kill() polls, and reaping
        # it there would hide its exit status (signal) from asyncio, which then reports 255.
        try:
            returncode = await asyncio.wait_for(asyncio.shield(self.process.wait()), ENDING_S)
        except asyncio.TimeoutError:
            self.kill()
            returncode = await self.process.wait()
        await self.stderr_read
        if returncode == 0:
            return conv.ConversionError("failed", "the converter worker ended without answering")
        try:
            conv.interpret(returncode, b"", bytes(self._stderr))
        except conv.ConversionError as err:
            return err
        return conv.ConversionError("failed", f"the converter worker ended with status {returncode}")

    def kill(self) -> None:
        if self.alive:
            try:
                self.process.kill()
            except ProcessLookupError:
                pass

    def retire(self) -> None:
        """Let the worker end on its own: closing its stdin ends its serve loop."""
        if self.alive and not self.process.stdin.is_closing():
            self.process.stdin.close()
