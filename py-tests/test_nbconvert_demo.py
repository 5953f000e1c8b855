"""The demo notebook as it stands, executed headless in a fresh kernel: `jupyter nbconvert --execute`.

No %load_ext in it: the magic comes from the IPython config the package installs
(kernel/autoload.py), and nbconvert stops listening when a cell ends, so each profile output
must be complete by then.
"""
from __future__ import annotations

import json
import os
import re
import subprocess
import sys
from pathlib import Path

import pytest

from kernel_fixtures import MIME

pytestmark = pytest.mark.timeout(300)

REPO = Path(__file__).resolve().parent.parent
DEMO = REPO / "examples" / "demo.ipynb"


def run_nbconvert(store_dir: Path, out_dir: Path, to: str, source: Path = DEMO, execute: bool = True) -> Path:
    # The kernel runs in the notebook's folder: PYTHONPATH makes it import this tree's package.
    env = dict(os.environ, JUPYTERLAB_VMPROF_STORE=str(store_dir), PYTHONPATH=str(REPO),
               IPYTHONDIR=str(out_dir / "ipython"))
    done = subprocess.run(
        [sys.executable, "-m", "jupyter", "nbconvert", *(["--execute"] if execute else []), "--to", to,
         "--output-dir", str(out_dir), "--output", f"demo-{to}", "--ExecutePreprocessor.timeout=240", str(source)],
        env=env, capture_output=True, text=True, timeout=280,
    )
    assert done.returncode == 0, done.stderr[-3000:]
    [written] = [p for p in out_dir.iterdir() if p.name.startswith(f"demo-{to}.")]
    return written


def text(value) -> str:
    return "".join(value) if isinstance(value, list) else value  # saved notebooks split text into lines


def test_demo_notebook_executes_headless_with_complete_outputs(store_dir, tmp_path):
    executed = run_nbconvert(store_dir, tmp_path, "notebook")
    notebook = json.loads(executed.read_text())
    profiles = [o["data"] for c in notebook["cells"] if c["cell_type"] == "code"
                for o in c.get("outputs", []) if MIME in o.get("data", {})]
    assert [p[MIME]["name"] for p in profiles] == ["pure-python", "numpy", "numba"]
    for data in profiles:
        assert data[MIME]["status"] == "complete" and isinstance(data[MIME]["samples"], int)
        assert "being computed" not in text(data["text/plain"])
        assert "self %" in text(data["text/plain"])
    # The pure-Python cell's time is in fib, by name, in the text a reader of the file sees.
    assert "fib" in text(profiles[0]["text/plain"])
    # Every profile reached the store, complete.
    metas = [json.loads((d / "meta.json").read_text()) for d in store_dir.iterdir() if (d / "meta.json").is_file()]
    assert sorted(m["name"] for m in metas) == ["numba", "numpy", "pure-python"]
    assert {m["status"] for m in metas} == {"complete"}

    # Each output carries its copy of the profile, for views where the store lacks it.
    for data in profiles:
        assert data[MIME]["embedded"]["format"] == "jupyterlab-vmprof-embedded"

    # The executed notebook as HTML, as anyone would share it: a static flame graph per profile
    # (SVG, no script, no network) beside the table.
    page = run_nbconvert(store_dir, tmp_path, "html", source=executed, execute=False).read_text()
    # (nbconvert re-serialises the HTML: attribute order and case change, which HTML parsers undo for SVG.)
    flames = re.findall(r'<svg [^>]*class="jp-vmprof-static-flame".*?</svg>', page, flags=re.S)
    assert len(flames) == 3
    assert "<title>fib (" in flames[0] and "<script" not in "".join(flames)
    assert page.count("<th>self %</th>") >= 3
