"""One folder per process: the kernel's code never imports the server's, and the server's never
the kernel's (docs/architecture.md). Both may use the modules at the package root."""
from __future__ import annotations

import ast
from pathlib import Path

import pytest

PACKAGE = Path(__file__).resolve().parent.parent / "jupyterlab_vmprof"


def imported_packages(path: Path) -> set:
    """The first folder of jupyterlab_vmprof each import of `path` reaches (or root module)."""
    return imports_of(path.read_text(encoding="utf-8"), path.relative_to(PACKAGE).parts[:-1])


def imports_of(source: str, here: tuple) -> set:
    found = set()
    for node in ast.walk(ast.parse(source)):
        if isinstance(node, ast.ImportFrom):
            if node.level:
                base = list(here[: len(here) - (node.level - 1)])
                target = base + (node.module.split(".") if node.module else [])
                names = [target + [alias.name] for alias in node.names] if not node.module else [target]
            elif node.module and node.module.startswith("jupyterlab_vmprof"):
                names = [node.module.split(".")[1:]]
            else:
                continue
            found.update(parts[0] if parts else "" for parts in names)
        elif isinstance(node, ast.Import):
            found.update(a.name.split(".")[1] for a in node.names
                         if a.name.startswith("jupyterlab_vmprof.") and a.name.count(".") >= 1)
    return found


@pytest.mark.parametrize("folder, forbidden", [("kernel", "server"), ("server", "kernel")])
def test_a_process_never_imports_the_other(folder, forbidden):
    offenders = sorted(str(p.relative_to(PACKAGE)) for p in (PACKAGE / folder).rglob("*.py")
                       if forbidden in imported_packages(p))
    assert offenders == []


def test_the_check_sees_imports_across():
    # A relative import two levels up into the server, as kernel/summary.py once had.
    assert imports_of("from ..server import conversions\nfrom .. import store\n", ("kernel",)) == {"server", "store"}
    assert imports_of("from ...server.conversions import x\n", ("kernel", "lean")) == {"server"}
    assert imports_of("import jupyterlab_vmprof.kernel.magic\n", ("server",)) == {"kernel"}
