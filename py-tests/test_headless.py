"""`jupyter vmprof run` as CI runs it: a subprocess, a real kernel (nbclient over ZeroMQ), real vmprof.

The kernels import jupyterlab_vmprof from this working tree (PYTHONPATH), and write to the
test's own store (JUPYTERLAB_VMPROF_STORE, from the store_dir fixture).
"""
from __future__ import annotations

import html
import json
import os
import subprocess
import sys
from pathlib import Path

import nbformat
import pytest

from jupyterlab_vmprof.node_converter import SCRIPT_PATH

pytestmark = [
    pytest.mark.timeout(400),
    pytest.mark.skipif(not SCRIPT_PATH.is_file(), reason="converter bundle missing: run `jlpm build:converter`"),
]

REPO = Path(__file__).resolve().parent.parent
DEMO = REPO / "examples" / "demo.ipynb"
EVIL = "<img src=x onerror=alert(1)>"


def vmprof_run(*args, cwd: Path) -> subprocess.CompletedProcess:
    env = dict(os.environ, PYTHONPATH=str(REPO))
    command = [sys.executable, "-m", "jupyterlab_vmprof.cli.notebook", "run", *map(str, args)]
    done = subprocess.run(command, cwd=cwd, env=env, capture_output=True, text=True, timeout=380)
    print(done.stderr)
    return done


def notebook(path: Path, *sources: str, ids=None) -> Path:
    nb = nbformat.v4.new_notebook()
    nb.metadata["kernelspec"] = {"name": "python3", "display_name": "Python 3", "language": "python"}
    nb.cells = [nbformat.v4.new_code_cell(source) for source in sources]
    for cell, ident in zip(nb.cells, ids or []):
        cell.id = ident
    nbformat.write(nb, str(path))
    return path


def test_demo_notebook_every_cell_profiled(store_dir, store, tmp_path):
    done = vmprof_run(DEMO, "-o", tmp_path / "report.html", "--json", tmp_path / "summary.json",
                      "--callgrind-dir", tmp_path / "callgrind", cwd=tmp_path)
    assert done.returncode == 0, done.stderr

    summary = json.loads((tmp_path / "summary.json").read_text())
    demo = nbformat.read(str(DEMO), as_version=4)
    code_ids = [cell.id for cell in demo.cells if cell.cell_type == "code"]
    assert [cell["id"] for cell in summary["cells"]] == code_ids
    by_id = {cell["id"]: cell for cell in summary["cells"]}
    for cell in summary["cells"]:
        assert cell["status"] == "ok", cell
        assert cell["wall_s"] > 0 and cell["samples"] > 0
    # The functions the demo is about lead their cells.
    assert by_id["6111c564"]["top"][0]["name"] in {"fib", "count_words"}
    assert any(row["name"] == "kernel_sum_sq" for row in by_id["40840bc0"]["top"][:3])

    # One run in the store: every profile carries the same run id, and the notebook's path.
    metas = [store.read_meta(cell["profile_id"]) for cell in summary["cells"]]
    assert {meta["run"]["id"] for meta in metas} == {summary["run"]["id"]}
    assert {meta["notebook"] for meta in metas} == {str(DEMO)}

    page = (tmp_path / "report.html").read_text()
    assert page.count('<section class="cell"') == len(code_ids)
    assert page.count('<div class="flame"') == len(code_ids)
    assert "http://" not in page and "https://" not in page and "src=" not in page
    assert sorted(p.name for p in (tmp_path / "callgrind").iterdir()) == sorted(
        f"cell-{demo.cells.index(c)}-{c.id}.out" for c in demo.cells if c.cell_type == "code")


def sleepy(seconds: float) -> tuple:
    busy = (
        # A plain loop: C calling back into Python (sum over a generator) is what vmprof 0.6.0
        # can crash on (docs/kernel.md), and this test is about timing, not about that crash.
        "def busy(n):\n    total = 0\n    for i in range(n):\n        total += i * i\n    return total\n"
        f"busy.__code__ = busy.__code__.replace(co_name={EVIL!r})\n"
        "busy(1_500_000)"
    )
    return ("import time", busy, f"time.sleep({seconds})")


def test_a_slower_cell_fails_the_run_and_an_unchanged_rerun_passes(store_dir, tmp_path):
    ids = ["setup", "busy", "sleepy"]
    fast = notebook(tmp_path / "fast.ipynb", *sleepy(0.3), ids=ids)
    baseline = tmp_path / "baseline.json"
    first = vmprof_run(fast, "--json", baseline, "--repeat", "2", cwd=tmp_path)
    assert first.returncode == 0, first.stderr
    for cell in json.loads(baseline.read_text())["cells"]:
        assert len(cell["wall_s_runs"]) == 2 and cell["wall_s"] == min(cell["wall_s_runs"]), cell

    again = vmprof_run(fast, "--baseline", baseline, "--fail-above", "200", "-o", tmp_path / "same.html",
                       cwd=tmp_path)
    assert again.returncode == 0, again.stderr
    assert "SLOWER" not in again.stderr

    slow = notebook(tmp_path / "slow.ipynb", *sleepy(2.5), ids=ids)
    worse = vmprof_run(slow, "--baseline", baseline, "--fail-above", "200", "-o", tmp_path / "slow.html",
                       cwd=tmp_path)
    assert worse.returncode == 3, worse.stderr
    slower = [line for line in worse.stderr.splitlines() if line.startswith("SLOWER")]
    assert len(slower) == 1 and "id sleepy" in slower[0] and "time.sleep(2.5)" in slower[0], worse.stderr
    assert "slower than the baseline by more than 200 %" in worse.stderr
    page = (tmp_path / "slow.html").read_text()
    assert 'class="slower"' in page
    # A hostile function name is text in the report, never markup.
    assert html.escape(EVIL) in page and EVIL not in page


def test_tagged_cells_only_are_profiled_and_the_others_still_run(store_dir, tmp_path):
    path = notebook(tmp_path / "tagged.ipynb", "n = 200_000", "total = sum(range(n))", "print(total)",
                    ids=["setup", "work", "show"])
    nb = nbformat.read(str(path), as_version=4)
    nb.cells[1].metadata["tags"] = ["vmprof"]
    nbformat.write(nb, str(path))
    done = vmprof_run(path, "--cells", "tagged", "--json", tmp_path / "s.json", cwd=tmp_path)
    assert done.returncode == 0, done.stderr
    cells = json.loads((tmp_path / "s.json").read_text())["cells"]
    assert [(cell["id"], cell["status"]) for cell in cells] == [("work", "ok")]
    assert "cell 2 (id show) 'print(total)': unprofiled" in done.stderr

    nb.cells[1].metadata["tags"] = []
    nbformat.write(nb, str(path))
    none = vmprof_run(path, "--cells", "tagged", cwd=tmp_path)
    assert none.returncode == 2 and "no code cell is tagged 'vmprof'" in none.stderr


def test_a_raising_cell_is_reported_and_stops_the_run(store_dir, tmp_path):
    path = notebook(tmp_path / "raises.ipynb", "x = 1", "raise ValueError('boom <b>')", "y = 2",
                    ids=["ok", "bad", "after"])
    done = vmprof_run(path, "--json", tmp_path / "s.json", "-o", tmp_path / "r.html", cwd=tmp_path)
    assert done.returncode == 1, done.stderr
    assert "FAILED cell 1 (id bad)" in done.stderr and "ValueError: boom <b>" in done.stderr
    cells = {cell["id"]: cell for cell in json.loads((tmp_path / "s.json").read_text())["cells"]}
    assert [cells[k]["status"] for k in ("ok", "bad", "after")] == ["ok", "error", "not-run"]
    assert cells["bad"]["profile_id"], "the failing cell's profile is kept"
    page = (tmp_path / "r.html").read_text()
    assert html.escape("ValueError: boom <b>") in page and "boom <b>" not in page

    going = vmprof_run(path, "--keep-going", "--json", tmp_path / "k.json", cwd=tmp_path)
    assert going.returncode == 1
    statuses = [cell["status"] for cell in json.loads((tmp_path / "k.json").read_text())["cells"]]
    assert statuses == ["ok", "error", "ok"]


def test_a_dead_kernel_is_reported_and_keep_going_starts_a_new_one(store_dir, store, tmp_path):
    path = notebook(tmp_path / "dies.ipynb", "x = 1", "import os\nos.kill(os.getpid(), 9)", "y = 2",
                    ids=["before", "killer", "after"])
    stopped = vmprof_run(path, "--json", tmp_path / "s.json", cwd=tmp_path)
    assert stopped.returncode == 1, stopped.stderr
    assert "FAILED cell 1 (id killer)" in stopped.stderr and "the kernel died" in stopped.stderr
    cells = json.loads((tmp_path / "s.json").read_text())["cells"]
    assert [cell["status"] for cell in cells] == ["ok", "died", "not-run"]
    assert store.read_meta(cells[1]["profile_id"])["status"] == "interrupted"

    going = vmprof_run(path, "--keep-going", "--json", tmp_path / "k.json", "-o", tmp_path / "k.html", cwd=tmp_path)
    assert going.returncode == 1, going.stderr
    statuses = [cell["status"] for cell in json.loads((tmp_path / "k.json").read_text())["cells"]]
    assert statuses == ["ok", "died", "ok"]
    assert "the kernel died while running this cell" in (tmp_path / "k.html").read_text()


@pytest.mark.parametrize(
    "args, message",
    [
        (["missing.ipynb"], "no such notebook: "),
        ([DEMO, "--fail-above", "10"], "--fail-above needs --baseline"),
        ([DEMO, "--baseline", "nope.json"], "no such baseline file: nope.json"),
        ([DEMO, "--", "--bogus"], "unrecognized arguments: --bogus"),
        ([DEMO, "--repeat", "0"], "must be above 0"),
    ],
)
def test_usage_errors_say_what_is_wrong(tmp_path, args, message):
    done = vmprof_run(*args, cwd=tmp_path)
    assert done.returncode == 2
    assert message in done.stderr
    assert len(done.stderr.strip().splitlines()) == 1


def test_a_baseline_that_is_not_a_summary_is_refused(tmp_path):
    (tmp_path / "other.json").write_text('{"cells": 3}')
    done = vmprof_run(DEMO, "--baseline", tmp_path / "other.json", "--fail-above", "5", cwd=tmp_path)
    assert done.returncode == 2
    assert "is not a summary written by `jupyter vmprof run --json`" in done.stderr


def test_vmprofrun_html_writes_the_report_for_a_script(tmp_path):
    script = tmp_path / "work.py"
    script.write_text(
        "def crunch(n):\n    total = 0\n    for i in range(n):\n        total += i * i\n    return total\n"
        f"crunch.__code__ = crunch.__code__.replace(co_name={EVIL!r})\n"
        "crunch(3_000_000)\n"
    )
    done = subprocess.run([sys.executable, "-c", "import sys; from jupyterlab_vmprof.cli.main import vmprofrun_main; "
                           "sys.exit(vmprofrun_main(sys.argv[1:]))", "--html", "report.html", "work.py"],
                          cwd=tmp_path, env=dict(os.environ, PYTHONPATH=str(REPO)), capture_output=True, text=True,
                          timeout=200)
    assert done.returncode == 0, done.stderr
    page = (tmp_path / "report.html").read_text()
    assert page.count('<div class="flame"') == 1
    assert html.escape(EVIL) in page and EVIL not in page
