"""The kernel writes its cells' code files (ipykernel keeps them in linecache only) for the Lines view."""

import linecache
import os

from jupyterlab_vmprof.kernel import cellfiles


def test_writes_missing_cell_files_of_this_kernel_only(tmp_path, monkeypatch):
    monkeypatch.setattr(cellfiles.tempfile, "gettempdir", lambda: str(tmp_path))
    folder = cellfiles.cell_directory()
    mine = os.path.join(folder, "1234.py")
    other = str(tmp_path / "ipykernel_1" / "999.py")
    code = ["def f(n):\n", "    return n * 2\n"]
    monkeypatch.setitem(linecache.cache, mine, (len("".join(code)), None, code, mine))
    monkeypatch.setitem(linecache.cache, other, (1, None, ["x = 1\n"], other))
    assert cellfiles.write_cell_files() == 1
    with open(mine, encoding="utf-8") as f:
        assert f.read() == "def f(n):\n    return n * 2\n"
    assert not os.path.exists(other)
    assert cellfiles.write_cell_files() == 0  # already on disk
