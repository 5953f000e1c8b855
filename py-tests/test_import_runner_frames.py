"""An imported script profile shows the script at its root, as a cell's profile shows the cell.

`python -m vmprof -o x.prof script.py` and our `vmprofrun script.py` run the script under
runpy, so every raw stack starts with the runner: `<frozen runpy>` (or runpy.py),
vmprof's own __main__ or our cli.runscript. The engine cuts stacks to the code runpy ran
(src/symbols/clean.ts), whatever brought the file into the store: here the files are made
during the test and imported through the real server, and the Graph JSON's roots are read.
"""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

pytestmark = pytest.mark.timeout(180)

API = "jupyterlab-vmprof"
SCRIPT = """\
import time


def script_work():
    end = time.process_time() + 0.6
    while time.process_time() < end:
        sum(i * i for i in range(2_000))


script_work()
"""
RUNNER_FILES = ("runpy", "vmprof/__main__.py", "jupyterlab_vmprof/cli/")


def made_by_python_m_vmprof(folder: Path) -> Path:
    out = folder / "x.prof"
    subprocess.run(
        [sys.executable, "-m", "vmprof", "-o", str(out), "work_script.py"],
        cwd=folder,
        check=True,
        capture_output=True,
        timeout=120,
    )
    return out


def made_by_vmprofrun(folder: Path) -> Path:
    vmprofrun = Path(sys.executable).with_name("vmprofrun")
    subprocess.run([str(vmprofrun), "work_script.py"], cwd=folder, check=True, capture_output=True, timeout=120)
    (made,) = folder.glob("vmprof-*.prof")
    return made


def roots(graph: dict) -> dict:
    """{(name, file): samples} of the call tree's top level."""
    tree, frames = graph["tree"], graph["frames"]
    out: dict = {}
    for node, parent in enumerate(tree["parent"]):
        if parent == 0:
            frame = frames[tree["frame"][node]]
            key = (frame["name"], frame["file"])
            out[key] = out.get(key, 0) + tree["total"][node]
    return out


@pytest.mark.parametrize("make", [made_by_python_m_vmprof, made_by_vmprofrun])
async def test_an_imported_script_profile_has_the_script_at_its_root(jp_fetch, tmp_path, make):
    (tmp_path / "work_script.py").write_text(SCRIPT)
    raw = make(tmp_path).read_bytes()
    imported = await jp_fetch(API, "profiles", method="POST", body=raw, params={"name": make.__name__})
    profile_id = json.loads(imported.body)["id"]
    graph = json.loads((await jp_fetch(API, "profiles", profile_id, "graph")).body)

    top = roots(graph)
    script_root = top.get(("<module>", "work_script.py"), 0)
    # The script's module is the root of (nearly) every sample; a sample or two may fall in the
    # runner's own start (reading and compiling the script) and keep its frames.
    assert script_root >= 0.9 * graph["profile"]["samples"], top
    inside = {name for name, file in ((f["name"], f["file"]) for f in graph["frames"]) if file == "work_script.py"}
    assert "script_work" in inside
    # No runner frame is above the script: none is a caller of the script's module.
    module = [i for i, f in enumerate(graph["frames"]) if f["name"] == "<module>" and f["file"] == "work_script.py"]
    callers = {
        graph["frames"][e["caller"]]["file"] for e in graph["edges"] if e["callee"] in module and e["caller"] >= 0
    }
    assert callers == set(), callers
    # The same file without stripping still holds the runner: the engine removed it, not the runner.
    kept = json.loads((await jp_fetch(API, "profiles", profile_id, "graph", params={"strip": "false"})).body)
    assert any(any(r in file for r in RUNNER_FILES) for _, file in roots(kept)), roots(kept)
