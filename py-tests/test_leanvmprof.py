"""The kernel's cheaper vmprof start and stop (leanvmprof.py) and its raw scanner (rawscan.py),
checked against vmprof's own reader on real profiles written by vmprof 0.6.0."""
from __future__ import annotations

import json
import os
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest
import vmprof

import gc

import shutil

from jupyterlab_vmprof.kernel.lean import codesearch
from jupyterlab_vmprof.kernel.lean.codesearch import find_code_objects, refresh_known_codes
from jupyterlab_vmprof.kernel.lean.leanvmprof import DeferredSearch, _OlderCollections, code_record
from jupyterlab_vmprof.kernel.profiling import ProfileOptions, ProfileRun
from jupyterlab_vmprof.kernel.lean.rawscan import ScanError, scan_profile

pytestmark = pytest.mark.timeout(240)

PROFILES = Path(__file__).parent.parent / "test-data" / "profiles" / "vmprof-0.6.0"


def reader_view(path: Path) -> tuple[int, set, set]:
    """(samples, Python code ids sampled, ids with a Python name) as vmprof's reader sees them."""
    stats = vmprof.read_profile(str(path))
    sampled = {addr for stack, *_ in stats.profiles for addr in stack if addr > 0xFFFF and not addr & 1}
    named = {addr for addr, name in stats.adr_dict.items() if name.startswith("py:")}
    return len(stats.profiles), sampled, named


@pytest.mark.parametrize("name", sorted(p.name for p in PROFILES.glob("*.prof")))
def test_scan_agrees_with_vmprofs_reader(name):
    data = (PROFILES / name).read_bytes()
    scan = scan_profile(data)
    samples, sampled, named = reader_view(PROFILES / name)
    assert scan.samples == samples
    assert scan.code_ids == sampled
    assert scan.named_ids == named
    assert data[scan.trailer_offset] == 0x03 and len(data) - scan.trailer_offset == 25


def test_scan_of_a_cut_file_keeps_the_samples_before_the_cut():
    data = (PROFILES / "lines_memory.prof").read_bytes()
    full = scan_profile(data).samples
    counts = [scan_profile(data[:cut]).samples for cut in range(60, len(data), 97)]
    assert counts == sorted(counts) and counts[-1] <= full and counts[0] == 0
    assert all(scan_profile(data[:cut]).trailer_offset is None for cut in range(60, len(data) - 25, 997))


def test_scan_rejects_what_is_not_a_profile():
    with pytest.raises(ScanError, match="not a 64-bit vmprof profile at byte 0"):
        scan_profile(b"\x00" * 64)
    data = bytearray((PROFILES / "mixed.prof").read_bytes())
    first_record = 45 + data[44]
    data[first_record] = 0x42
    with pytest.raises(ScanError, match=f"unknown record marker 0x42 at byte {first_record}"):
        scan_profile(bytes(data))


def test_code_record_is_what_vmprof_writes():
    def sample_function():
        return 1

    code = sample_function.__code__
    record = code_record(0x7F0012345670, code)
    name = f"py:sample_function:{code.co_firstlineno}:{code.co_filename}".encode()
    assert record == b"\x02" + (0x7F0012345670).to_bytes(8, "little") + len(name).to_bytes(8, "little") + name
    long = (lambda: None).__code__.replace(co_name="x" * 2000, co_filename="/f" * 2000)
    assert len(code_record(8, long)) == 17 + 511 + 511  # each half capped as vmprof's snprintf does


def test_a_live_code_object_is_named_even_if_its_id_already_has_a_name():
    # vmprof named the id when an earlier code object there died; the live one is searched too.
    def reused():
        return 2

    found, unchecked = find_code_objects({id(reused.__code__)}, unnamed=set())
    assert found == {id(reused.__code__): reused.__code__} and unchecked == set()


def test_older_collections_are_counted_while_profiling():
    watch = _OlderCollections()
    watch.start()
    gc.collect(0)
    assert watch.stop() is True  # only generation 0 ran: new objects are all still young
    watch.start()
    gc.collect(1)
    assert watch.stop() is False
    assert watch not in gc.callbacks


def test_code_made_while_profiling_is_found_among_young_objects():
    gc.collect()  # resets the counters: the few objects made below start no older collection
    watch = _OlderCollections()
    watch.start()
    namespace: dict = {}
    exec("def made_while_profiling():\n    return 3\n", namespace)
    code = namespace["made_while_profiling"].__code__
    young_only = watch.stop()
    assert young_only
    assert find_code_objects({id(code)}, unnamed=set(), young_only=young_only) == ({id(code): code}, set())


def old_function():
    return 4


def test_the_search_of_all_objects_can_be_left_for_later(tmp_path):
    gc.collect()  # old_function is in generation 2 now, where only the full search looks
    code = old_function.__code__
    found, unchecked = find_code_objects({id(code)}, unnamed=set(), young_only=False, defer_full_search=True)
    assert found == {} and unchecked == {id(code)}

    path = tmp_path / "profile.prof"
    shutil.copyfile(PROFILES / "mixed.prof", path)
    samples_before, sampled, _ = reader_view(path)
    assert DeferredSearch(path, unchecked).run() == 1
    stats = vmprof.read_profile(str(path))
    assert stats.adr_dict[id(code)] == f"py:old_function:{code.co_firstlineno}:{code.co_filename}"
    assert len(stats.profiles) == samples_before and stats.end_time is not None
    assert [p.name for p in tmp_path.iterdir()] == ["profile.prof"]  # no temporary file left


def test_after_a_refresh_old_code_is_found_without_searching_every_object(monkeypatch):
    monkeypatch.setattr(codesearch, "_cache_incomplete", True)
    assert refresh_known_codes() is True
    assert refresh_known_codes() is False  # nothing since called for a full search

    every_object = gc.get_objects

    def young_only(generation=None):
        assert generation is not None, "searched every object"
        return every_object(generation)

    monkeypatch.setattr(gc, "get_objects", young_only)
    code = old_function.__code__
    found, unchecked = find_code_objects({id(code)}, unnamed={id(code)}, young_only=True)
    assert found == {id(code): code} and unchecked == set()


def test_the_summary_runs_the_deferred_search_first(tmp_path):
    from jupyterlab_vmprof.kernel.output import Summary

    gc.collect()
    shutil.copyfile(PROFILES / "mixed.prof", tmp_path / "profile.prof")
    size = (tmp_path / "profile.prof").stat().st_size
    top = Summary(tmp_path, {"native": True})
    top.deferred_names = DeferredSearch(tmp_path / "profile.prof", {id(old_function.__code__)})
    changes = top.compute(1.0, 1.0)
    assert changes["profile_bytes"] > size and changes["samples"] == reader_view(tmp_path / "profile.prof")[0]
    assert top.deferred_names is None and top.rows


def test_nested_code_of_an_unsampled_function_is_found():
    def outer():
        return lambda y: y + 1

    nested = next(c for c in outer.__code__.co_consts if hasattr(c, "co_code"))
    found, _ = find_code_objects({id(nested)}, unnamed={id(nested)})
    assert found[id(nested)] is nested


def test_profile_run_lists_no_helper_thread(store_dir):
    run = ProfileRun(ProfileOptions(native=True))
    run.start()
    sum(i * i for i in range(200_000))
    meta = run.stop()
    assert meta["status"] == "complete", meta
    assert meta["threads"]["started"] == []
    assert not vmprof.is_enabled()


WORKLOAD = textwrap.dedent(
    """
    import json, os, sys, time
    import vmprof
    from jupyterlab_vmprof.kernel.lean import leanvmprof

    def square_sum(n):
        return sum(i * i for i in range(n))

    def churn():
        # Code objects made and freed while profiling: vmprof names them as they die.
        for k in range(200):
            exec(compile(f"def f{k}(): return {k}", "<churn>", "exec"), {})

    def work(seconds):
        end = time.process_time() + seconds
        while time.process_time() < end:
            square_sum(20_000)
            churn()

    options = json.loads(sys.argv[2])
    fd = os.open(sys.argv[1], os.O_RDWR | os.O_CREAT | os.O_TRUNC, 0o644)
    leanvmprof.enable(vmprof, fd, period=0.001, **options)
    work(0.6)
    report = leanvmprof.stop(fd)
    os.close(fd)
    print(json.dumps({"report": report.__dict__}))
    """
)


@pytest.mark.parametrize(
    "options",
    [
        dict(memory=False, lines=False, native=True, real_time=False),
        dict(memory=True, lines=True, native=True, real_time=False),
        dict(memory=False, lines=False, native=False, real_time=False),
        dict(memory=False, lines=False, native=True, real_time=True),
    ],
    ids=["native", "lines-memory", "python-only", "real-time"],
)
def test_lean_stop_names_every_sampled_function(tmp_path, options):
    script, path = tmp_path / "workload.py", tmp_path / "profile.prof"
    script.write_text(WORKLOAD)
    # The package of this checkout, not an installed copy.
    env = dict(os.environ, PYTHONPATH=str(Path(__file__).resolve().parent.parent))
    done = subprocess.run([sys.executable, str(script), str(path), json.dumps(options)],
                          capture_output=True, text=True, timeout=120, env=env)
    assert done.returncode == 0, done.stderr
    report = json.loads(done.stdout)["report"]
    samples, sampled, named = reader_view(path)
    assert report["error"] is None and report["unnamed"] == 0, report
    assert samples == report["samples"] and samples > 30
    assert sampled <= named, "a sampled Python function has no name"
    stats = vmprof.read_profile(str(path))
    names = {stats.adr_dict[a].split(":")[1] for a in sampled}
    assert {"<module>", "work", "square_sum", "<genexpr>"} <= names
    assert stats.end_time is not None  # the trailer is still the last record
    # Every sample comes from the main thread: the helper that enabled vmprof is not sampled.
    assert len({thread for _, _, thread, *_ in stats.profiles}) == 1


def test_relocated_names_read_the_same_with_vmprofs_reader(tmp_path, monkeypatch):
    # The test data's own tool (generate.py uses it), not part of the package.
    monkeypatch.syspath_prepend(str(PROFILES))
    from relocate import relocate_names

    original = PROFILES / "lines_memory.prof"
    moved = tmp_path / "moved.prof"
    moved.write_bytes(relocate_names(original.read_bytes(), b"/src/jupyterlab-vmprof/", b"/elsewhere/"))
    before, after = vmprof.read_profile(str(original)), vmprof.read_profile(str(moved))
    assert [p[0] for p in after.profiles] == [p[0] for p in before.profiles]
    renamed = {k: v.replace("/src/jupyterlab-vmprof/", "/elsewhere/") for k, v in before.adr_dict.items()}
    assert after.adr_dict == renamed and any("/elsewhere/" in v for v in after.adr_dict.values())
    assert scan_profile(moved.read_bytes()).trailer_offset is not None
