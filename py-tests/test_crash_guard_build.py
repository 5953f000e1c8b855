"""The build of the crash guard (hatch_build.py): compiled where it can be, skipped where it cannot."""
from __future__ import annotations

import importlib.util
import shutil
import sys
from pathlib import Path

import pytest

pytest.importorskip("hatchling")
sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
import hatch_build  # noqa: E402

pytestmark = pytest.mark.skipif(not hatch_build.guard_needed(), reason="only CPython 3.11 and 3.12 get the guard")


@pytest.fixture
def tree(tmp_path) -> Path:
    """A source tree holding only the guard's C file."""
    source = tmp_path / hatch_build.GUARD_SOURCE
    source.parent.mkdir(parents=True)
    shutil.copy(Path(hatch_build.__file__).parent / hatch_build.GUARD_SOURCE, source)
    return tmp_path


def test_the_guard_is_compiled_next_to_its_source_and_loads(tree):
    built = hatch_build.build_guard(tree, log=pytest.fail)
    assert built == hatch_build.built_guard_path(tree) and built.is_file()
    spec = importlib.util.spec_from_file_location("_framecheck", built)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    assert module.check_current_thread() is True
    assert module.active() is False and module.counts() == (0, 0)


def test_without_a_compiler_the_build_goes_on_and_says_why(tree, monkeypatch):
    said = []
    monkeypatch.setattr(hatch_build, "compile_command", lambda source, target: ["/nonexistent/cc", str(source)])
    assert hatch_build.build_guard(tree, log=said.append) is None
    assert len(said) == 1 and said[0].startswith("jupyterlab_vmprof: the crash guard was not built (no C compiler?")
    assert not hatch_build.built_guard_path(tree).exists()


def test_without_the_headers_the_build_goes_on_and_says_why(tree):
    # What a compiler says when CPython's internal headers are missing: the file does not compile.
    (tree / hatch_build.GUARD_SOURCE).write_text('#include "internal/no_such_header.h"\n')
    said = []
    assert hatch_build.build_guard(tree, log=said.append) is None
    assert len(said) == 1 and "no_such_header.h" in said[0], said
    assert not hatch_build.built_guard_path(tree).exists()
