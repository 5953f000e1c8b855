"""`%%vmprof --help` prints the help like `%vmprof --help` and runs nothing (kernel/cellhelp.py)."""
from jupyterlab_vmprof.kernel.cellhelp import help_cell_to_line_magic
from jupyterlab_vmprof.store import ProfileStore


def test_help_cells_become_the_line_magic():
    assert help_cell_to_line_magic(["%%vmprof --help"]) == ["%vmprof --help\n"]
    assert help_cell_to_line_magic(["%%vmprof --lines -h\n", "x = 1\n"]) == ["%vmprof --lines -h\n"]
    for cell in (["%%vmprof --lines\n", "x = 1\n"], ["%%vmprof --name helpful\n", "x = 1"], ["print('--help')"]):
        assert help_cell_to_line_magic(cell) == cell


def test_cell_magic_help_with_an_empty_body(kernel, store_dir):
    done = kernel.run("%%vmprof --help")
    assert done.status == "ok", done.describe()
    for option in ("--period SECONDS", "--fork", "--real-time"):
        assert option in done.stdout, done.describe()
    assert "cell body is empty" not in done.stderr
    done = kernel.run("%%vmprof --help\nhelped = 1")
    assert "--period SECONDS" in done.stdout
    assert kernel.run("print('helped' in globals())").stdout == "False\n"
    assert ProfileStore(store_dir).ids() == []
