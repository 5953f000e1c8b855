"""The store owns the profile folder: serialized metadata updates, damaged entries, the list index,
private permissions, a full disk."""
from __future__ import annotations

import json
import multiprocessing
import os
import shutil
import stat
import subprocess
import sys

import pytest

from jupyterlab_vmprof.store import ProfileStore, StoreError

ROUNDS = 150


def _renamer(root: str, profile_id: str) -> None:
    store = ProfileStore(root)
    for i in range(ROUNDS):
        store.rename(profile_id, f"name {i}")


def _kernel_writer(root: str, profile_id: str) -> None:
    store = ProfileStore(root)
    for i in range(ROUNDS):
        store.update_meta(profile_id, **{f"k{i}": i, "samples": i})


def test_a_rename_racing_the_kernels_metadata_writes_loses_nothing(store):
    profile_id = store.create(name="start")["id"]
    context = multiprocessing.get_context("fork")
    workers = [context.Process(target=_renamer, args=(str(store.root), profile_id)),
               context.Process(target=_kernel_writer, args=(str(store.root), profile_id))]
    for worker in workers:
        worker.start()
    for worker in workers:
        worker.join(120)
        assert worker.exitcode == 0
    meta = store.read_meta(profile_id)
    lost = [i for i in range(ROUNDS) if meta.get(f"k{i}") != i]
    assert lost == [], f"{len(lost)} of {ROUNDS} kernel writes lost"
    assert meta["name"] == f"name {ROUNDS - 1}" and meta["samples"] == ROUNDS - 1


def test_update_applies_a_function_under_the_lock(store):
    profile_id = store.create()["id"]
    store.update(profile_id, lambda meta: meta.update(warnings=meta["warnings"] + ["one"]))
    store.update(profile_id, lambda meta: meta.update(warnings=meta["warnings"] + ["two"]))
    assert store.read_meta(profile_id)["warnings"] == ["one", "two"]


def test_the_profile_folder_lists_its_side_files_in_one_place(store):
    from jupyterlab_vmprof.store import SideFiles

    profile_id = store.create()["id"]
    folder = store.folder(profile_id)
    (folder / "profile.prof").write_bytes(b"x" * 32)
    (folder / "maps.txt").write_text("")
    (folder / "jit-symbols.json").write_text("[]")
    (folder / "perf-12.map").write_text("")
    os.symlink("/etc/passwd", folder / "perf-13.map")  # never followed
    side = store.side_files(profile_id)
    assert isinstance(side, SideFiles)
    assert side.profile == folder / "profile.prof"
    assert side.maps == folder / "maps.txt" and side.jit_symbols == folder / "jit-symbols.json"
    assert side.perf_maps == [folder / "perf-12.map"]
    assert side.output is None


# 2. damaged metadata ---------------------------------------------------------------------------


@pytest.mark.parametrize("content", ["[]", "null", "42", '"x"', "{", '{"status": "running", "pid": 1e400}',
                                     '{"status": "running", "pid": 100000000000000000000}'])
def test_damaged_metadata_is_listed_as_damaged(store, content):
    good = store.create(name="good")["id"]
    bad = store.create(name="bad")["id"]
    (store.folder(bad) / "meta.json").write_text(content)
    listing = store.list()
    by_id = {p["id"]: p for p in listing["profiles"]}
    assert listing["total"] == 2
    assert by_id[good]["name"] == "good"
    assert by_id[bad]["status"] == "damaged" and "metadata" in by_id[bad]["error"]


# 10. the list index ------------------------------------------------------------------------------


def test_the_list_follows_every_change_and_survives_a_restart(store, profile_data):
    data = (profile_data / "generated" / "mixed.prof").read_bytes()
    first = store.import_profile(data, name="first")["id"]
    assert [p["name"] for p in store.list()["profiles"]] == ["first"]
    store.rename(first, "renamed")
    assert [p["name"] for p in store.list()["profiles"]] == ["renamed"]

    # Another process (the kernel) creates and updates profiles through its own store object.
    kernel_side = ProfileStore(store.root)
    second = kernel_side.create(name="from the kernel")["id"]
    assert {p["id"] for p in store.list()["profiles"]} == {first, second}
    kernel_side.update_meta(second, status="complete", samples=7)
    listed = {p["id"]: p for p in store.list()["profiles"]}
    assert listed[second]["status"] == "complete" and listed[second]["samples"] == 7

    # A profile folder put there directly (copied from elsewhere) is listed too.
    copied = "20200101T000000-0000beef"
    shutil.copytree(store.folder(first), store.root / copied)
    meta = json.loads((store.root / copied / "meta.json").read_text())
    (store.root / copied / "meta.json").write_text(json.dumps(dict(meta, id=copied, name="copied")))
    assert {p["id"]: p["name"] for p in store.list()["profiles"]}[copied] == "copied"

    store.delete(first)
    assert {p["id"] for p in store.list()["profiles"]} == {second, copied}
    assert {p["id"] for p in kernel_side.list()["profiles"]} == {second, copied}

    restarted = ProfileStore(store.root)
    assert [p["id"] for p in restarted.list()["profiles"]] == [p["id"] for p in store.list()["profiles"]]
    assert restarted.list(notebook="nothing")["total"] == 0


def test_running_status_is_resolved_at_each_listing(store):
    dead = subprocess.Popen(["true"])
    dead.wait()
    profile_id = store.create()["id"]
    assert store.list()["profiles"][0]["status"] == "running"
    store.update_meta(profile_id, pid=dead.pid, pid_start=None)
    assert store.list()["profiles"][0]["status"] == "interrupted"


# 17. private permissions ---------------------------------------------------------------------------


def test_the_store_is_private(tmp_path):
    old = os.umask(0o022)
    try:
        store = ProfileStore(tmp_path / "deep" / "store")
        profile_id = store.create()["id"]
    finally:
        os.umask(old)
    assert stat.S_IMODE(store.root.stat().st_mode) == 0o700
    assert stat.S_IMODE(store.folder(profile_id).stat().st_mode) == 0o700


def test_an_existing_world_readable_store_is_made_private(tmp_path):
    root = tmp_path / "store"
    root.mkdir(mode=0o755)
    os.chmod(root, 0o755)
    ProfileStore(root).create()
    assert stat.S_IMODE(root.stat().st_mode) == 0o700


# 13. a full disk ----------------------------------------------------------------------------------


def test_an_import_that_fills_the_disk_says_so_and_leaves_nothing(small_disk):
    disk = small_disk(2)
    store = ProfileStore(disk / "store")
    with pytest.raises(StoreError) as raised:
        store.import_profile(b"\0" * (3 * 1024 * 1024))
    assert raised.value.code == "disk-full"
    assert "disk" in raised.value.message and "full" in raised.value.message
    assert store.ids() == []
    assert not [p.name for p in store.root.iterdir() if p.is_dir()]  # no partial profile left
    assert shutil.disk_usage(disk).used < 512 * 1024


FSYNC_SCRIPT = """
import sys
from jupyterlab_vmprof.store import ProfileStore
store = ProfileStore(sys.argv[1], sync_writes=sys.argv[2] == "1")
meta = store.create(name="cell")
store.update_meta(meta["id"], status="complete")
print("SYNC", flush=True)
store.sync(meta["id"], ("jit-symbols.json",))
"""


@pytest.mark.skipif(shutil.which("strace") is None, reason="needs strace to count the fsync calls")
def test_a_cells_writes_leave_their_fsyncs_for_later(tmp_path):
    """A profiled cell's kernel writes meta.json without fsync (2-15 ms each on a busy disk,
    docs/benchmarks.md) and makes it durable with sync() after the cell."""

    def fsyncs(sync_writes: str) -> tuple[int, int]:
        trace = tmp_path / f"trace-{sync_writes}"
        out = subprocess.run(["strace", "-f", "-e", "trace=fsync,write", "-o", str(trace), sys.executable,
                              "-c", FSYNC_SCRIPT, str(tmp_path / f"store-{sync_writes}"), sync_writes],
                             capture_output=True, text=True, check=True).stdout
        assert "SYNC" in out
        lines = trace.read_text().splitlines()
        mark = next(i for i, line in enumerate(lines) if "SYNC" in line)
        count = lambda part: sum(" fsync(" in f" {line.split(' ', 1)[-1]}" for line in part)  # noqa: E731
        return count(lines[:mark]), count(lines[mark:])

    before_sync, in_sync = fsyncs("0")
    assert before_sync == 0, "the deferred store fsync'd while the cell was being written"
    assert in_sync == 2  # meta.json and the folder (no jit-symbols.json here)
    assert fsyncs("1")[0] == 2  # the default store: create and update each fsync meta.json
    meta = ProfileStore(tmp_path / "store-0").list()["profiles"][0]
    assert meta["status"] == "complete" and meta["name"] == "cell"
