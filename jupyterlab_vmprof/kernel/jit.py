"""Name Numba functions in vmprof profiles with a Python trampoline frame.

vmprof cannot unwind out of LLVM-JIT code, so a sample taken inside a jitted
function keeps only the Python frames above it. While profiling, every call of a
Numba CPU dispatcher is routed through a tiny Python function whose code object
carries the jitted function's own name, file and first line: that frame is then
the innermost Python frame of every sample taken in the JIT code, and the
profile names the Numba function (measured: docs/kernel.md, "Numba trampolines").

The hook is a descriptor set as ``CPUDispatcher.__call__``: CPython's generic
call slot asks the descriptor for a callable, and the descriptor hands back the
trampoline bound to the dispatcher, so no extra generic Python frame sits
between the caller and the trampoline. Removing the attribute restores Numba's
own C call slot.
"""
from __future__ import annotations

import sys
import threading
import types
from pathlib import Path
from typing import Any, Optional

from .lean.codesearch import remember_code

# Kind recorded in jit-symbols.json for trampoline frames; the engine marks the
# frames with this (name, file, line) as JIT code.
TRAMPOLINE_KIND = "trampoline"
PERF_MAP_KIND = "perfmap"
QUALNAME_SUFFIX = ".<numba>"


def _template(self, *args, **kwargs):
    __tracebackhide__ = True  # IPython hides this frame in tracebacks
    return _numba_call(self, *args, **kwargs)  # noqa: F821 - a global of each trampoline


class _TrampolineDescriptor:
    """Returns, for each dispatcher, its own trampoline bound to it.

    This runs on every call of every jitted function while profiling, so the bound
    method is made once per dispatcher and looked up by id: building a MethodType per
    call was most of the trampoline's cost (docs/benchmarks.md).
    """

    def __init__(self, installer: "NumbaTrampolines"):
        self._installer = installer
        self._bound = installer.bound

    def __get__(self, dispatcher, owner=None):
        bound = self._bound.get(id(dispatcher))
        # The cached method holds its dispatcher, so an id cannot be reused while cached;
        # the identity check is for safety, not expected to fail.
        if bound is not None and bound.__self__ is dispatcher:
            return bound
        if dispatcher is None:
            return self
        return self._installer.bind(dispatcher)


class NumbaTrampolines:
    """Install/remove the trampolines; remember which dispatchers were named."""

    def __init__(self) -> None:
        self._cls: Optional[type] = None
        self._call: Any = None
        self._cache: dict[int, tuple[Any, types.FunctionType]] = {}
        self.bound: dict[int, types.MethodType] = {}  # id(dispatcher) -> trampoline bound to it
        self._lock = threading.Lock()
        self.entries: list[dict] = []

    @property
    def installed(self) -> bool:
        return self._cls is not None

    def install(self) -> bool:
        """Hook Numba's CPU dispatcher, only if the user's code already imported Numba."""
        registry = sys.modules.get("numba.core.registry")
        cls = getattr(registry, "CPUDispatcher", None) if registry else None
        if cls is None or "__call__" in cls.__dict__:
            return False  # no Numba, or someone else already hooks the class: leave it alone
        self._call = cls.__call__  # the C slot wrapper of _dispatcher.Dispatcher
        cls.__call__ = _TrampolineDescriptor(self)
        self._cls = cls
        return True

    def remove(self) -> None:
        if self._cls is not None:
            if isinstance(self._cls.__dict__.get("__call__"), _TrampolineDescriptor):
                del self._cls.__call__
            self._cls = None
        # Cached trampolines keep their dispatchers alive: drop them with the hook.
        self._cache.clear()
        self.bound.clear()

    def bind(self, dispatcher) -> types.MethodType:
        bound = types.MethodType(self.trampoline_for(dispatcher), dispatcher)
        self.bound[id(dispatcher)] = bound
        return bound

    def trampoline_for(self, dispatcher) -> types.FunctionType:
        cached = self._cache.get(id(dispatcher))
        if cached is not None and cached[0] is dispatcher:
            return cached[1]
        with self._lock:
            function = _make_trampoline(dispatcher, self._call)
            self._cache[id(dispatcher)] = (dispatcher, function)
            code = function.__code__
            remember_code(code)  # often at an address freed by Numba's compiler: name it for sure
            self.entries.append(
                {
                    "kind": TRAMPOLINE_KIND,
                    "name": code.co_name,
                    "file": code.co_filename,
                    "line": code.co_firstlineno,
                    "qualname": getattr(code, "co_qualname", code.co_name),
                }
            )
        return function

    def __enter__(self) -> "NumbaTrampolines":
        self.install()
        return self

    def __exit__(self, *exc) -> None:
        self.remove()


def _make_trampoline(dispatcher, numba_call) -> types.FunctionType:
    py_func = getattr(dispatcher, "py_func", None)
    source = getattr(py_func, "__code__", None)
    name = getattr(py_func, "__name__", None) or "numba_function"
    qualname = getattr(py_func, "__qualname__", name)
    changes = {"co_name": name}
    if source is not None:
        changes.update(co_filename=source.co_filename, co_firstlineno=source.co_firstlineno)
    if hasattr(_template.__code__, "co_qualname"):  # Python >= 3.11
        changes["co_qualname"] = qualname + QUALNAME_SUFFIX
    code = _template.__code__.replace(**changes)
    function = types.FunctionType(code, {"_numba_call": numba_call, "__builtins__": __builtins__}, name)
    function.__qualname__ = qualname + QUALNAME_SUFFIX
    return function


def read_perf_map(path: Path) -> list[dict]:
    """Entries of the perf map file at `path` (none if it cannot be read)."""
    try:
        return parse_perf_map(path.read_text(encoding="utf-8", errors="replace"))
    except OSError:
        return []


def parse_perf_map(text: str) -> list[dict]:
    """Entries of a perf map ("START SIZE name", hex without 0x) as jit-symbols records."""
    entries = []
    for line in text.splitlines():
        parts = line.split(" ", 2)
        if len(parts) != 3:
            continue
        try:
            start, size = int(parts[0], 16), int(parts[1], 16)
        except ValueError:
            continue
        entries.append({"kind": PERF_MAP_KIND, "start": start, "size": size, "name": parts[2], "file": "", "line": 0})
    return entries


class InstallOnImport:
    """Install trampolines now if Numba is loaded, else as soon as the profiled code imports it.

    A finder at the front of sys.meta_path lets the normal finders locate
    `numba.core.registry`, then runs the installation right after that module ran.
    """

    MODULE = "numba.core.registry"

    def __init__(self, trampolines: NumbaTrampolines):
        self._trampolines = trampolines

    def start(self) -> None:
        if self.MODULE in sys.modules:
            self._trampolines.install()
        else:
            sys.meta_path.insert(0, self)

    def stop(self) -> None:
        self._unregister()
        self._trampolines.remove()

    def __enter__(self) -> "InstallOnImport":
        self.start()
        return self

    def __exit__(self, *exc) -> None:
        self.stop()

    def _unregister(self) -> None:
        if self in sys.meta_path:
            sys.meta_path.remove(self)

    def find_spec(self, fullname, path, target=None):
        if fullname != self.MODULE:
            return None
        for finder in sys.meta_path:
            if finder is self or not hasattr(finder, "find_spec"):
                continue
            spec = finder.find_spec(fullname, path, target)
            if spec is not None and spec.loader is not None and hasattr(spec.loader, "exec_module"):
                self._wrap(spec.loader)
                return spec
        return None

    def _wrap(self, loader) -> None:
        run_module = loader.exec_module

        def exec_module(module):
            run_module(module)
            self._unregister()
            self._trampolines.install()

        loader.exec_module = exec_module
