"""The plain parts under the magic: Numba trampolines, ProfileRun's checks, the output bundle."""
from __future__ import annotations

import json
import os
import subprocess
import sys

import pytest
import vmprof

from jupyterlab_vmprof.kernel import output, summary
from jupyterlab_vmprof.kernel.jit import NumbaTrampolines, read_perf_map
from jupyterlab_vmprof.kernel.profiling import ProfileOptions, ProfileRun, ProfilerUnavailable
from jupyterlab_vmprof.store import ProfileStore

pytestmark = pytest.mark.timeout(240)


@pytest.fixture(scope="module")
def jitted():
    numba = pytest.importorskip("numba")
    import numpy as np

    @numba.njit
    def scale(a, factor=2.0):
        return a.sum() * factor

    @numba.njit
    def divide(a, b):
        return a // b

    return scale, divide, np.arange(10.0)


def test_trampolines_keep_results_and_exceptions(jitted):
    scale, divide, data = jitted
    with pytest.raises(ZeroDivisionError) as plain:
        divide(1, 0)
    with NumbaTrampolines() as trampolines:
        assert "__call__" in type(scale).__dict__
        assert scale(data) == 90.0 and scale(data, factor=3.0) == 135.0 and scale(a=data) == 90.0
        with pytest.raises(ZeroDivisionError) as hooked:
            divide(1, 0)
    assert str(hooked.value) == str(plain.value)
    assert "__call__" not in type(scale).__dict__  # Numba's own C call slot is back
    names = sorted(entry["name"] for entry in trampolines.entries)
    assert names == ["divide", "scale"]
    [entry] = [e for e in trampolines.entries if e["name"] == "scale"]
    assert entry["file"] == __file__ and entry["kind"] == "trampoline"


def test_trampolines_are_removed_when_the_code_raises(jitted):
    scale, _, data = jitted
    with pytest.raises(RuntimeError):
        with NumbaTrampolines():
            scale(data)
            raise RuntimeError("cell failed")
    assert "__call__" not in type(scale).__dict__


def test_no_trampolines_without_numba():
    code = (
        "import sys\nfrom jupyterlab_vmprof.kernel.jit import NumbaTrampolines\n"
        "print(NumbaTrampolines().install(), 'numba' in sys.modules)"
    )
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=60)
    assert done.stdout == "False False\n", done.stderr


def test_perf_map_entries(tmp_path):
    perf_map = tmp_path / "perf-1.map"
    perf_map.write_text("7f48d15ce090 2a NRT_decref\nbroken line\n7f48d15ce100 10 py::f:/x y.py\n")
    assert read_perf_map(perf_map) == [
        {"kind": "perfmap", "start": 0x7F48D15CE090, "size": 0x2A, "name": "NRT_decref", "file": "", "line": 0},
        {"kind": "perfmap", "start": 0x7F48D15CE100, "size": 0x10, "name": "py::f:/x y.py", "file": "", "line": 0},
    ]


def test_unwritable_store_enables_nothing(tmp_path):
    blocker = tmp_path / "file"
    blocker.write_text("")
    run = ProfileRun(ProfileOptions(), store=ProfileStore(blocker / "store"))
    with pytest.raises(ProfilerUnavailable, match="cannot create the profile store"):
        run.start()
    assert not vmprof.is_enabled()


def test_second_profile_while_one_runs_is_refused(store_dir):
    first = ProfileRun(ProfileOptions())
    first.start()
    try:
        with pytest.raises(ProfilerUnavailable, match="already enabled"):
            ProfileRun(ProfileOptions()).start()
    finally:
        meta = first.stop()
    assert meta["status"] == "complete"
    assert ProfileStore(store_dir).ids() == [meta["id"]]  # the refused one left nothing


def test_profile_run_records_symbols_and_meta(store_dir):
    run = ProfileRun(ProfileOptions(period=0.002, name="plain"), cell="x = 1")
    run.start()
    sum(i * i for i in range(2_000_000))
    meta = run.stop()
    folder = store_dir / meta["id"]
    assert meta["status"] == "complete" and meta["name"] == "plain" and meta["options"]["period"] == 0.002
    assert meta["profile_bytes"] == (folder / "profile.prof").stat().st_size > 0
    assert json.loads((folder / "jit-symbols.json").read_text()) == []
    assert meta["threads"]["main"]["name"] == "MainThread" and meta["pid"] == os.getpid()
    assert meta["threads"]["main"]["vmprof_id"] in meta["threads"]["cell_ids"]


def test_bundle_escapes_and_summarises(profile_data, tmp_path):
    graph = None
    from jupyterlab_vmprof.node_converter import SCRIPT_PATH

    if SCRIPT_PATH.is_file():
        folder = tmp_path / "p"
        folder.mkdir()
        (folder / "profile.prof").write_bytes((profile_data / "generated" / "numpy_work.prof").read_bytes())
        graph, why_not = summary.summarize(folder, {"strip": True})
        assert graph is not None, why_not
    meta = {"id": "20260101T000000-0000abcd", "name": "<script>alert(1)</script>", "status": "complete",
            "samples": 12, "duration_s": 0.5, "warnings": ["native frames unavailable: <none> & co"]}
    rows = summary.top_functions(graph) if graph else [
        {"name": "<lambda>", "where": "a<b>.py:1", "kind": "python", "self": 3, "self_pct": 25.0, "total_pct": 50.0}]
    data = summary.bundle(meta, rows)
    assert data[summary.MIME_TYPE] == {"id": meta["id"], "name": meta["name"], "status": "complete", "samples": 12,
                                      "duration_s": 0.5, "warnings": meta["warnings"], "version": 1}
    assert data["text/plain"].splitlines()[0] == f"vmprof profile {meta['id']}: complete, 0.500 s, 12 samples"
    html = data["text/html"]
    assert "<script>" not in html and "&lt;none&gt; &amp; co" in html
    assert "<lambda>" not in html
    if graph:
        assert 1 <= len(rows) <= 10
        assert sum(row["self_pct"] for row in rows) <= 100.0 + 1e-9
        assert all(row["self_pct"] <= row["total_pct"] + 1e-9 for row in rows)


class _FailingPublisher:
    """A display publisher whose updates fail, as when the kernel's socket is gone."""

    set_thread_parent = None  # looks like ipykernel's: output.can_update() says yes

    def __init__(self):
        self.sent = []

    def publish(self, data, metadata=None, transient=None, update=False):
        self.sent.append((data, transient, update))
        if update:
            raise RuntimeError("socket closed")


def test_summary_thread_failures_stay_in_the_thread(tmp_path, monkeypatch, capsys):
    import threading
    from types import SimpleNamespace


    escaped = []
    monkeypatch.setattr(threading, "excepthook", escaped.append)
    shell = SimpleNamespace(display_pub=_FailingPublisher())
    store = ProfileStore(tmp_path / "store")
    meta = store.create(name="no profile file")
    assert output.can_update(shell)
    output.show(shell, store, meta, [], output.Summary(store.folder(meta["id"]), {}))
    output.wait_pending()
    (first, first_transient, first_update), (second, second_transient, second_update) = shell.display_pub.sent
    assert not first_update and "summary being computed" in first["text/plain"]
    assert second_update and second_transient == first_transient and first_transient["display_id"]
    assert "no top-functions summary" in second["text/plain"]  # the converter had no file to read
    assert escaped == [] and capsys.readouterr() == ("", "")
    assert store.read_meta(meta["id"])["samples"] is None


def test_sample_rate_is_said_with_the_requested_period():
    from jupyterlab_vmprof.kernel.output import sample_rate

    cpu = sample_rate(250, {"period": 0.001}, duration_s=2.0, cpu_s=1.025)
    assert cpu == {"sample_interval_s": 0.0041, "sample_rate_hz": 243.9, "sample_interval_basis": "cpu"}
    wall = sample_rate(1000, {"real_time": True}, duration_s=1.0, cpu_s=0.1)
    assert wall["sample_interval_basis"] == "wall" and wall["sample_interval_s"] == 0.001
    assert sample_rate(0, {}, 1.0, 1.0) == {} and sample_rate(10, {}, 1.0, None) == {}
    meta = {"id": "x", "status": "complete", "duration_s": 1.0, "samples": 250, "options": {"period": 0.001}, **cpu}
    assert summary.headline(meta).endswith("250 samples; 1 sample per 4.1 ms of CPU time (requested 1 ms)")
