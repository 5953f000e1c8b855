"""Run a notebook's cells in a fresh kernel, each selected cell under `%%vmprof`.

The kernel is driven with nbclient (jupyter_client underneath: kernel specs,
connection files, HMAC-signed ZeroMQ messages); docs/architecture.md says why not
our own TypeScript client. A kernel that dies, or a cell that runs past the time
limit, ends that kernel: the cell is reported, and with keep_going the next cell
runs in a new kernel (whatever the lost kernel held is gone, so later cells may fail).
"""
from __future__ import annotations

import os
from dataclasses import dataclass, field
from pathlib import Path
from typing import Callable, Optional

from ..store import ProfileStore, StoreError
from .cells import Cell, profile_name, wrapped

SETUP = "%load_ext jupyterlab_vmprof"
STARTUP_TIMEOUT_S = 120


class RunError(Exception):
    """The run cannot go on at all (no kernel, the extension does not load); for the user as is."""


@dataclass
class CellOutcome:
    cell: Cell
    status: str  # ok | error | died | timeout | not-run | unprofiled
    error: Optional[str] = None
    profile_ids: list = field(default_factory=list)


@dataclass
class RunSettings:
    kernel_name: str = ""
    timeout: Optional[float] = 600.0
    options: list = field(default_factory=list)  # %%vmprof options for every cell
    keep_going: bool = False


def _error_of(outputs: list) -> Optional[str]:
    for output in outputs:
        if output.get("output_type") == "error":
            return f"{output.get('ename', 'Error')}: {output.get('evalue', '')}".rstrip(": ")
    return None


class NotebookRun:
    """One pass over the notebook's cells; `run()` may start several kernels."""

    def __init__(self, path: Path, notebook, cells: list[Cell], settings: RunSettings,
                 store: Optional[ProfileStore] = None, on_cell: Optional[Callable[[CellOutcome], None]] = None):
        self.path = path
        self.notebook = notebook
        self.cells = cells
        self.settings = settings
        self.store = store or ProfileStore()
        self.on_cell = on_cell or (lambda outcome: None)
        self._kernel_pid: Optional[int] = None

    def _env(self) -> dict:
        # The summary before each cell's reply (nbclient stops listening at the reply),
        # and the notebook's path in each profile's meta.json, as a server-started kernel has.
        return dict(os.environ, JUPYTERLAB_VMPROF_WAIT_SUMMARY="1", JPY_SESSION_NAME=str(self.path))

    def _client(self):
        from nbclient import NotebookClient

        return NotebookClient(
            self.notebook, kernel_name=self.settings.kernel_name or "", timeout=self.settings.timeout,
            startup_timeout=STARTUP_TIMEOUT_S, allow_errors=True, interrupt_on_timeout=False,
            resources={"metadata": {"path": str(self.path.parent)}},
        )

    def run(self) -> list[CellOutcome]:
        pending = list(self.cells)
        outcomes: list[CellOutcome] = []
        stop = False
        while pending and not stop:
            client = self._client()
            try:
                with client.setup_kernel(env=self._env()):
                    self._kernel_pid = getattr(getattr(client.km, "provisioner", None), "pid", None)
                    self._setup(client)
                    while pending:
                        outcome = self._execute(client, pending.pop(0))
                        outcomes.append(outcome)
                        self.on_cell(outcome)
                        if outcome.status in ("died", "timeout"):
                            stop = not self.settings.keep_going
                            break  # this kernel is gone or stuck: a new one for the rest
                        if outcome.status == "error" and not self.settings.keep_going:
                            stop = True
                            break
            except RunError:
                raise
            except Exception as err:  # noqa: BLE001 - nbclient's many ways of not starting a kernel
                # Mostly a kernel that cannot start (no such kernel spec, a broken environment).
                name = self.settings.kernel_name or "the notebook's kernel"
                raise RunError(f"kernel {name}: {type(err).__name__}: {err}") from err
        outcomes.extend(CellOutcome(cell, "not-run") for cell in pending)
        return outcomes

    def _setup(self, client) -> None:
        import nbformat

        cell = nbformat.v4.new_code_cell(SETUP)
        client.execute_cell(cell, -1, store_history=False)
        error = _error_of(cell.outputs)
        if error:
            raise RunError(f"the kernel cannot load jupyterlab_vmprof ({error}); install the package in the "
                           "kernel's environment")

    def _execute(self, client, cell: Cell) -> CellOutcome:
        import nbformat
        from nbclient.exceptions import CellTimeoutError, DeadKernelError

        source = wrapped(cell, profile_name(self.path.stem, cell), self.settings.options)
        node = nbformat.v4.new_code_cell(source)
        before = set(self._ids())
        status, error = "ok", None
        try:
            client.execute_cell(node, cell.index)
            error = _error_of(node.outputs)
            status = "error" if error else "ok"
        except DeadKernelError:
            status, error = "died", "the kernel died while running this cell"
        except CellTimeoutError:
            status, error = "timeout", f"the cell ran longer than --timeout {self.settings.timeout:g} s"
        if not cell.profiled:
            status = status if status != "ok" else "unprofiled"
            return CellOutcome(cell, status, error)
        return CellOutcome(cell, status, error, self._new_profiles(before))

    def _ids(self) -> list[str]:
        try:
            return self.store.ids()
        except (StoreError, OSError):
            return []

    def _new_profiles(self, before: set) -> list[str]:
        """Profiles this kernel made during the cell (the store may be shared with other kernels)."""
        found = []
        for profile_id in sorted(set(self._ids()) - before):
            try:
                meta = self.store.read_meta(profile_id)
            except (StoreError, OSError, ValueError):
                continue
            if self._kernel_pid is None or meta.get("pid") == self._kernel_pid:
                found.append(profile_id)
        return found


def run_passes(path: Path, notebook, cells: list[Cell], settings: RunSettings, repeat: int,
               store: Optional[ProfileStore] = None, on_cell=None) -> list[list[CellOutcome]]:
    """`repeat` passes over the notebook, each in fresh kernels (cells may depend on earlier ones)."""
    passes = []
    for _ in range(max(1, repeat)):
        passes.append(NotebookRun(path, notebook, cells, settings, store, on_cell).run())
    return passes
