"""While a %%vmprof cell runs in JupyterLab or Notebook 7, its output says how far it got, once a
second; the profile then replaces it; a kernel that dies mid-cell leaves that output, and the
server reports the profile interrupted with what was sampled."""
from __future__ import annotations

import json
import os
import signal
import time

import pytest

from jupyterlab_vmprof.store import ProfileStore

pytestmark = pytest.mark.timeout(240)

MIME = "application/vnd.jupyterlab-vmprof.profile+json"
LONG_CELL = """%%vmprof --name progress
import time
end = time.process_time() + 3.5
while time.process_time() < end:
    sum(i * i for i in range(1000))
"""


def test_a_running_cell_shows_progress_then_its_profile_in_the_same_output(kernel):
    done = kernel.collect(kernel.send_from_notebook(LONG_CELL), timeout=180)
    assert done.status == "ok", done.describe()
    running = [d for d in done.displays if MIME in d]
    assert len(running) == 1 and running[0][MIME]["status"] == "running", done.displays
    display_id = done.display_ids[0]
    assert display_id
    ours = [data[MIME] for shown_id, data in done.updates if shown_id == display_id and MIME in data]
    progress = [p["progress"] for p in ours if p["status"] == "running"]
    # At least 2 updates in 3.5 s of CPU (wall time is longer on a busy machine), elapsed growing.
    assert len(progress) >= 2, ours
    elapsed = [p["elapsed_s"] for p in progress]
    assert elapsed == sorted(elapsed) and elapsed[-1] >= 2.0, elapsed
    if progress[-1]["samples"] is not None:  # counted where the crash guard runs (3.11, 3.12)
        assert progress[-1]["samples"] > 0
    # The profile replaces the progress under the same display id, and nothing comes after it.
    final = [p for p in ours if p["status"] != "running"]
    assert final and final[0]["status"] == "complete"
    assert ours.index(final[0]) > ours.index(next(p for p in ours if p["status"] == "running"))
    assert all(p["status"] != "running" for p in ours[ours.index(final[0]):])
    assert "running" in running[0]["text/plain"]


def test_headless_runners_get_no_progress_output(kernel):
    done = kernel.run(LONG_CELL.replace("3.5", "1.0"), timeout=120)
    assert done.status == "ok", done.describe()
    assert [d[MIME]["status"] for d in done.displays if MIME in d] == ["complete"]


def test_a_kernel_killed_mid_cell_leaves_progress_and_an_interrupted_profile(kernel, store_dir):
    cell = LONG_CELL.replace("3.5", "60")
    msg_id = kernel.send_from_notebook(cell)
    deadline = time.monotonic() + 60
    shown = None
    while shown is None and time.monotonic() < deadline:
        msg = kernel.client.get_iopub_msg(timeout=30)
        if msg["parent_header"].get("msg_id") == msg_id and msg["msg_type"] == "display_data":
            shown = msg["content"]["data"][MIME]
    assert shown and shown["status"] == "running"
    time.sleep(1.5)
    os.kill(kernel.pid, signal.SIGKILL)
    kernel.manager.provisioner.process.wait(timeout=30)
    store = ProfileStore(store_dir)
    meta = store.read_meta(shown["id"])
    assert meta["status"] == "interrupted", json.dumps(meta)[:500]
    assert store.profile_path(shown["id"]).stat().st_size > 0
