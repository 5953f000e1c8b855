"""Run a cell's source the way IPython would, from inside a magic.

In the kernel the cell goes through `shell.run_cell` (as IPython's own %%capture
does): same namespace, input transformations, the last expression displayed,
tracebacks shown by IPython. In a forked child, where the kernel's sockets must
not be touched, `run_plain` runs it with exec/eval and prints the last value.
"""
from __future__ import annotations

import ast
import asyncio
import inspect
from contextlib import contextmanager
from dataclasses import dataclass, field
from typing import Callable, Iterator, Optional


@contextmanager
def _no_running_loop() -> Iterator[None]:
    """Hide the kernel's (busy) event loop so IPython can run a top-level await.

    The kernel's loop is blocked for as long as the magic runs, so a cell with
    `await` cannot run on it; IPython's runner uses its own loop instead, which it
    refuses to do while another loop is marked running in this thread.
    """
    running = asyncio._get_running_loop()
    asyncio._set_running_loop(None)
    try:
        yield
    finally:
        asyncio._set_running_loop(running)


def needs_event_loop(shell, source: str) -> bool:
    """Whether IPython would run `source` as a coroutine (top-level await).

    Call it before profiling starts: IPython answers by compiling the cell under the
    file name "<>", and vmprof 0.6.0 then gives that name to the cell's real code
    objects for the whole profile (measured).
    """
    try:
        transformed = shell.transform_cell(source)
        return bool(shell.should_run_async(source, transformed_cell=transformed, preprocessing_exc_tuple=None))
    except Exception:  # noqa: BLE001 - run_cell reports transformation errors itself
        return False


@contextmanager
def _override(obj, name: str, value) -> Iterator[None]:
    """Set an instance attribute for a while, then put back exactly what was there."""
    missing = object()
    previous = obj.__dict__.get(name, missing)
    setattr(obj, name, value)
    try:
        yield
    finally:
        if previous is missing:
            delattr(obj, name)
        else:
            setattr(obj, name, previous)


def _known_async(shell, answer: bool):
    """Make run_cell reuse the answer of needs_event_loop instead of compiling again."""
    return _override(shell, "should_run_async", lambda *args, **kwargs: answer)


def _paused_tracebacks(shell, paused: Callable):
    """Sampling pauses while IPython renders a traceback (pygments is slow and not the cell)."""
    show = shell.showtraceback

    def showtraceback(*args, **kwargs):
        with paused():
            return show(*args, **kwargs)

    return _override(shell, "showtraceback", showtraceback)


@dataclass
class CellOutcome:
    """How a cell run in the shell ended, and the tracebacks IPython rendered meanwhile."""

    error: Optional[BaseException] = None
    tracebacks: list = field(default_factory=list)  # (etype, value, structured traceback)


def _held_tracebacks(shell, held: list):
    """Keep rendered tracebacks instead of publishing them, to publish after the profile."""
    return _override(shell, "_showtraceback", lambda etype, value, stb: held.append((etype, value, stb)))


def run_in_shell(shell, source: str, needs_loop: bool, paused: Callable) -> CellOutcome:
    """Run `source` as a cell of `shell`.

    `paused` is a context manager factory that suspends sampling. Tracebacks are
    rendered by IPython as usual but held back: `finish_cell` shows them.
    """
    outcome = CellOutcome()
    with _known_async(shell, needs_loop), _paused_tracebacks(shell, paused), _held_tracebacks(shell, outcome.tracebacks):
        if needs_loop:
            with _no_running_loop():
                result = shell.run_cell(source, store_history=False)
        else:
            result = shell.run_cell(source, store_history=False)
    if result is not None:
        outcome.error = result.error_before_exec or result.error_in_exec
    return outcome


def finish_cell(shell, outcome: CellOutcome) -> None:
    """Show the held tracebacks; re-raise the cell's exception so the cell counts as failed.

    Re-raised, the exception carries the traceback IPython rendered for the cell itself
    (`_render_traceback_`), so the user sees the same traceback as without the magic, and
    the execute reply says error (Run All, nbconvert and papermill stop there).
    """
    final = None
    for held in outcome.tracebacks:
        if outcome.error is not None and held[1] is outcome.error:
            final = held
        else:
            shell._showtraceback(*held)
    if outcome.error is None:
        return
    if final is None:
        return  # IPython showed nothing for it (e.g. an exit request): nothing to repeat
    stb = final[2]
    try:
        outcome.error._render_traceback_ = lambda: stb
    except (AttributeError, TypeError):  # an exception type without instance attributes
        shell._showtraceback(*final)
        return
    raise outcome.error


def _compile_flags() -> int:
    # The child may run a cell with top-level await: such code compiles to a coroutine.
    return ast.PyCF_ALLOW_TOP_LEVEL_AWAIT


def run_plain(shell, source: str, write_value: Callable[[str], None]) -> None:
    """exec the cell in the user namespace, then print the last expression's repr.

    Used in a forked child: no display hook, no history, no events, no sockets.
    Raises whatever the cell raises.
    """
    tree = shell.compile.ast_parse(shell.transform_cell(source))
    tree = shell.transform_ast(tree)
    last = tree.body.pop() if tree.body and isinstance(tree.body[-1], ast.Expr) else None
    namespace = shell.user_ns
    filename = shell.compile.cache(source)  # makes tracebacks show the cell's lines
    body = compile(ast.Module(body=tree.body, type_ignores=[]), filename, "exec", flags=_compile_flags())
    _await_if_needed(eval(body, namespace))
    if last is not None:
        expression = compile(ast.Expression(last.value), filename, "eval", flags=_compile_flags())
        value = _await_if_needed(eval(expression, namespace))
        if value is not None:
            write_value(repr(value))


def _await_if_needed(value):
    """Code compiled with top-level await returns a coroutine when it awaits: run it."""
    if inspect.iscoroutine(value):
        with _no_running_loop():
            return asyncio.run(value)
    return value
