"""The switch back to vmprof's own enable/disable (kernel/lean/session.py): the same profile, plus
vmprof's native symbol records, which the lean stop leaves to the converter."""

from __future__ import annotations

import json

import pytest

from jupyterlab_vmprof import node_converter
from jupyterlab_vmprof.kernel.lean.rawscan import MARKER_NATIVE_SYMBOLS, records
from jupyterlab_vmprof.store import ProfileStore

pytestmark = pytest.mark.timeout(240)

# One second of CPU time: enough samples at any timer rate.
CELL = """%%vmprof --name switch
import time
def busy(n):
    return sum(i * i for i in range(n))
end = time.process_time() + 1.0
while time.process_time() < end:
    busy(30_000)
"""


@pytest.mark.parametrize("lean", ["1", "0"])
def test_both_ways_name_the_cells_functions(kernel_factory, store_dir, lean):
    kernel = kernel_factory({"JUPYTERLAB_VMPROF_LEAN": lean})
    ran = kernel.run(CELL)
    assert ran.status == "ok", ran.describe()
    assert ran.profiles[-1]["status"] == "complete"
    store = ProfileStore(store_dir)
    path = store.profile_path(store.ids()[-1])
    graph = json.loads(node_converter.convert_sync(path, "json").output)
    names = {f["name"] for f in graph["frames"]}
    assert "busy" in names, sorted(names)[:40]
    # vmprof's own disable re-reads the file and appends a native name record per address;
    # the lean stop leaves native names to the converter (maps.txt).
    native_records = sum(1 for marker, _, _ in records(path.read_bytes()) if marker == MARKER_NATIVE_SYMBOLS)
    assert (native_records > 0) == (lean == "0"), native_records
