"""The switch back to vmprof's own enable/disable (kernel/lean/session.py): same profile, plus
vmprof's native symbol records, which the lean stop leaves to the converter."""
from __future__ import annotations

import pytest

from jupyterlab_vmprof.kernel.lean.rawscan import MARKER_NATIVE_SYMBOLS, records
from jupyterlab_vmprof.store import ProfileStore

pytestmark = pytest.mark.timeout(240)

CELL = "%%vmprof --name switch\ndef busy(n):\n    return sum(i * i for i in range(n))\ntotal = 0\nwhile total < 3:\n    busy(300_000); total += 1\n"


def native_name_records(store_dir) -> int:
    store = ProfileStore(store_dir)
    data = store.profile_path(store.ids()[-1]).read_bytes()
    return sum(1 for marker, _, _ in records(data) if marker == MARKER_NATIVE_SYMBOLS)


@pytest.mark.parametrize("lean", ["1", "0"])
def test_both_ways_name_the_cells_functions(kernel_factory, store_dir, lean):
    kernel = kernel_factory({"JUPYTERLAB_VMPROF_LEAN": lean})
    ran = kernel.run(CELL)
    assert ran.status == "ok", ran.describe()
    meta = ran.profiles[-1]
    assert meta["status"] == "complete"
    text = "\n".join(d.get("text/plain", "") for d in ran.displays + ran.results)
    assert "busy" in text, text
    # vmprof's own disable re-reads the file and appends a native name record per address;
    # the lean stop leaves native names to the converter (maps.txt).
    if lean == "0":
        assert native_name_records(store_dir) > 0
    else:
        assert native_name_records(store_dir) == 0
