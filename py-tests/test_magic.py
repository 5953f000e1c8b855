"""%%vmprof and %vmprof in a real ipykernel, checked the way a user would look at them."""
from __future__ import annotations

import json
import time
from collections import Counter
from pathlib import Path

import pytest
import vmprof

from jupyterlab_vmprof.kernel.lean import crashguard
from jupyterlab_vmprof.store import ProfileStore

pytestmark = pytest.mark.timeout(240)

BUSY = "def busy(n):\n    return sum(i * i for i in range(n))\n"


def only_profile(store_dir: Path) -> dict:
    ids = ProfileStore(store_dir).ids()
    assert len(ids) == 1, ids
    return ProfileStore(store_dir).read_meta(ids[0])


def innermost_python_names(profile: Path) -> Counter:
    """How often each Python function is the innermost Python frame of a sample."""
    stats = vmprof.read_profile(str(profile))
    counts: Counter = Counter()
    for stack, *_ in stats.profiles:
        names = [stats.adr_dict.get(addr, "") for addr in stack]
        python = [name for name in names if name.startswith("py:")]
        if python:
            counts[python[-1].split(":")[1]] += 1
    return counts


def test_cell_runs_as_without_the_magic(kernel, store_dir):
    done = kernel.run("%%vmprof --name 'my run'\n" + BUSY + "x = busy(2_000_000)\nprint('printed', x > 0)\nx % 1000")
    assert done.status == "ok", done.describe()
    assert done.stdout == "printed True\n"
    assert done.results == [{"text/plain": "0"}]  # sum of squares below 2e6 ends in 000
    after = kernel.run("print(x, busy(3))")
    assert after.stdout == "2666664666667000000 5\n"

    meta = only_profile(store_dir)
    assert meta["status"] == "complete"
    assert meta["name"] == "my run"
    assert meta["error"] is None
    assert meta["cell"].startswith("def busy(n):")
    # crash_guard: profiling runs with the crash guard where one is needed (CPython 3.11, 3.12).
    guard = {"crash_guard": True} if crashguard.needed() else {}
    assert meta["options"] == {"period": 0.001, "native": True, "lines": False, "memory": False,
                               "real_time": False, "strip": True, "fork": False, "jit_names": True, **guard}
    assert 0 < meta["duration_s"] < 60
    folder = store_dir / meta["id"]
    assert (folder / "profile.prof").stat().st_size > 0
    assert "[heap]" in (folder / "maps.txt").read_text() or "r-xp" in (folder / "maps.txt").read_text()
    assert json.loads((folder / "jit-symbols.json").read_text()) == []
    # The cell's own function dominates the samples (a generator summing squares).
    counts = innermost_python_names(folder / "profile.prof")
    assert counts["<genexpr>"] + counts["busy"] > sum(counts.values()) / 2, counts

    [shown] = done.profiles
    assert shown["id"] == meta["id"] and shown["status"] == "complete" and shown["version"] == 1
    [display] = done.displays
    assert display["text/plain"].startswith(f"vmprof profile {meta['id']}: complete")
    assert "<table" in display["text/html"] or "vmprof profile" in display["text/html"]


def test_exception_keeps_profile_and_shows_traceback(kernel, store_dir):
    done = kernel.run("%%vmprof\n" + BUSY + "busy(500_000)\nraise ValueError('bad value')")
    # The cell fails as it would without the magic: Run All, nbconvert and papermill stop here.
    assert done.status == "error", done.describe()
    [(ename, evalue, traceback)] = done.errors
    assert (ename, evalue) == ("ValueError", "bad value")
    # The traceback is the cell's own, not the magic's machinery.
    assert "raise ValueError('bad value')" in traceback
    assert "run_cell_magic" not in traceback and "jupyterlab_vmprof" not in traceback, traceback
    meta = only_profile(store_dir)
    assert meta["status"] == "failed"
    assert meta["error"] == "ValueError: bad value"
    assert (store_dir / meta["id"] / "profile.prof").stat().st_size > 0
    assert done.profiles[0]["status"] == "failed"
    # Rendering the traceback is IPython's work, not the cell's: no pygments in the samples.
    stats = vmprof.read_profile(str(store_dir / meta["id"] / "profile.prof"))
    sampled = {stats.adr_dict.get(addr, "") for stack, *_ in stats.profiles for addr in stack}
    assert not any("pygments" in name for name in sampled)


def test_syntax_error_in_the_cell(kernel, store_dir):
    done = kernel.run("%%vmprof\nx = (1,\n")
    assert done.status == "error"
    assert done.errors[0][0] == "SyntaxError", done.describe()
    assert only_profile(store_dir)["error"].startswith("SyntaxError")


@pytest.mark.parametrize("line", ["--bogus", "--period abc", "--period 0", "--name"])
def test_bad_option_runs_nothing(kernel, store_dir, line):
    done = kernel.run(f"%%vmprof {line}\nside_effect = 1\nprint('ran')")
    assert done.status == "error", done.describe()
    assert "UsageError" in done.stderr + done.error_text, done.describe()
    assert "ran" not in done.stdout
    check = kernel.run("print('side_effect' in globals())")
    assert check.stdout == "False\n"
    assert ProfileStore(store_dir).ids() == []


def test_help_lists_options_and_runs_nothing(kernel, store_dir):
    done = kernel.run("%vmprof --help")
    for option in ("--period SECONDS", "--no-native", "--lines", "--memory", "--real-time",
                   "--name NAME", "--no-strip", "--fork", "--no-jit-names", "--wait-summary"):
        assert option in done.stdout, done.stdout
    text = " ".join(done.stdout.split())  # argparse wraps lines
    assert "the cheap mode" in text  # --no-native
    assert "nbconvert --execute" in text and "JUPYTERLAB_VMPROF_WAIT_SUMMARY=1" in text
    assert "C code calls back into Python" in text
    assert ProfileStore(store_dir).ids() == []


def test_line_magic_profiles_one_statement(kernel, store_dir):
    done = kernel.run("%vmprof --period 0.002 --lines total = sum(i for i in range(10**6)); print('total', total)")
    assert done.status == "ok", done.describe()
    assert done.stdout == "total 499999500000\n"
    meta = only_profile(store_dir)
    assert meta["options"]["period"] == 0.002 and meta["options"]["lines"] is True
    assert meta["cell"] == "total = sum(i for i in range(10**6)); print('total', total)"


def test_top_level_await_runs(kernel, store_dir):
    done = kernel.run("%%vmprof\nimport asyncio\nawait asyncio.sleep(0.05)\nawaited = 'yes'\nawaited")
    assert done.status == "ok", done.describe()
    assert done.results == [{"text/plain": "'yes'"}]
    assert only_profile(store_dir)["status"] == "complete"


@pytest.mark.parametrize("mode", ["--real-time", ""])
def test_threads_started_by_the_cell_are_sampled(kernel, store_dir, mode):
    cell = (
        f"%%vmprof {mode}\nimport threading, time\n" + BUSY +
        # Half a second of the thread's own CPU time: enough samples at any timer rate and speed.
        "def spin():\n    end = time.thread_time() + 0.5\n    while time.thread_time() < end:\n        busy(10_000)\n"
        "worker = threading.Thread(target=spin, name='cell-worker')\n"
        "worker.start(); worker.join()"
    )
    done = kernel.run(cell)
    assert done.status == "ok", done.describe()
    meta = only_profile(store_dir)
    started = [t for t in meta["threads"]["started"] if t["name"] == "cell-worker"]
    assert len(started) == 1
    background = {t["name"] for t in meta["threads"]["background"]}
    assert {"IOPub", "Heartbeat", "Control"} <= background
    stats = vmprof.read_profile(str(store_dir / meta["id"] / "profile.prof"))
    assert set(meta["threads"]["cell_ids"]) == {meta["threads"]["main"]["vmprof_id"], started[0]["vmprof_id"]}
    worker_samples = sum(1 for p in stats.profiles if p[2] == started[0]["vmprof_id"])
    assert worker_samples > 20, Counter(p[2] for p in stats.profiles)


def test_numba_function_named_in_profile(kernel, store_dir):
    setup = kernel.run(
        "import numpy as np\nfrom numba import njit\n"
        "@njit\ndef kernel_sum(a):\n    s = 0.0\n    for i in range(a.shape[0]):\n        s += a[i] * a[i]\n    return s\n"
        "@njit\ndef divide(a, b):\n    return a // b\n"
        "data = np.arange(2_000_000, dtype=np.float64)\nexpected = kernel_sum(data)\n"
        "try:\n    divide(1, 0)\nexcept ZeroDivisionError as e:\n    expected_error = repr(e)\n"
    )
    assert setup.status == "ok", setup.describe()
    done = kernel.run(
        "%%vmprof\nresults = [kernel_sum(data) for _ in range(150)]\n"
        "try:\n    divide(1, 0)\nexcept ZeroDivisionError as e:\n    got_error = repr(e)\n"
    )
    assert done.status == "ok", done.describe()
    check = kernel.run(
        "print(all(r == expected for r in results), got_error == expected_error, got_error)\n"
        "print('__call__' in type(kernel_sum).__dict__)"
    )
    assert check.stdout == "True True ZeroDivisionError('integer division by zero')\nFalse\n", check.describe()

    meta = only_profile(store_dir)
    folder = store_dir / meta["id"]
    counts = innermost_python_names(folder / "profile.prof")
    assert counts["kernel_sum"] > sum(counts.values()) / 2, counts
    symbols = json.loads((folder / "jit-symbols.json").read_text())
    named = {entry["name"]: entry for entry in symbols if entry["kind"] == "trampoline"}
    assert named["kernel_sum"]["line"] == 3 and named["kernel_sum"]["qualname"].startswith("kernel_sum")
    assert "divide" in named


def test_numba_imported_by_the_profiled_cell_is_named_too(kernel, store_dir):
    # The jitted loop runs three times as long as importing and compiling took, in CPU time
    # (which drives vmprof's timer): its share holds at any sample rate and machine speed.
    done = kernel.run(
        "%%vmprof\nimport time\nstart = time.process_time()\nimport numpy as np\nfrom numba import njit\n"
        "@njit\ndef kernel_sum(a):\n    s = 0.0\n    for i in range(a.shape[0]):\n        s += a[i] * a[i]\n    return s\n"
        "data = np.arange(2_000_000, dtype=np.float64)\nkernel_sum(data)\n"
        "deadline = time.process_time() + max(0.5, 3 * (time.process_time() - start))\n"
        "while time.process_time() < deadline:\n    kernel_sum(data)\n"
    )
    assert done.status == "ok", done.describe()
    counts = innermost_python_names(store_dir / only_profile(store_dir)["id"] / "profile.prof")
    assert counts["kernel_sum"] > sum(counts.values()) / 2, counts


def test_numba_is_never_imported_by_the_magic(kernel, store_dir):
    done = kernel.run("%%vmprof\nx = 1\n")
    assert done.status == "ok"
    check = kernel.run("import sys; print('numba' in sys.modules)")
    assert check.stdout == "False\n"


def test_unwritable_store_says_so_and_runs_nothing(kernel_factory, tmp_path):
    blocker = tmp_path / "a-file"
    blocker.write_text("not a folder")
    kernel = kernel_factory({"JUPYTERLAB_VMPROF_STORE": str(blocker / "store")})
    done = kernel.run("%%vmprof\nside_effect = 1")
    assert done.status == "error"
    assert "cannot create the profile store" in done.stderr, done.describe()
    assert "Nothing was run" in done.stderr
    assert kernel.run("print('side_effect' in globals())").stdout == "False\n"


def test_missing_vmprof_says_so_and_runs_nothing(kernel_factory, tmp_path, store_dir):
    # A kernel whose vmprof cannot be imported, as on a machine without the wheel.
    fake = tmp_path / "novmprof" / "vmprof"
    fake.mkdir(parents=True)
    (fake / "__init__.py").write_text("raise ImportError(\"No module named '_vmprof'\")\n")
    kernel = kernel_factory({"PYTHONPATH": str(fake.parent)})
    done = kernel.run("%%vmprof\nside_effect = 1")
    assert done.status == "error"
    assert "vmprof cannot be imported" in done.stderr and "pip install vmprof" in done.stderr, done.describe()
    assert kernel.run("print('side_effect' in globals())").stdout == "False\n"
    assert ProfileStore(store_dir).ids() == []


def test_two_kernels_profile_at_once(kernel_factory, store_dir):
    first, second = kernel_factory(), kernel_factory()
    cell = "%%vmprof\n" + BUSY + "value = busy(3_000_000)"
    ids = [first.send(cell), second.send(cell)]
    results = [first.collect(ids[0]), second.collect(ids[1])]
    assert [r.status for r in results] == ["ok", "ok"], [r.describe() for r in results]
    store = ProfileStore(store_dir)
    metas = [store.read_meta(i) for i in store.ids()]
    assert len(metas) == 2
    assert {m["status"] for m in metas} == {"complete"}
    assert metas[0]["pid"] != metas[1]["pid"]
    for meta in metas:
        assert len(vmprof.read_profile(str(store_dir / meta["id"] / "profile.prof")).profiles) > 10


def test_libunwind_failure_is_reported_not_hidden(kernel_factory, tmp_path, store_dir):
    # An unloadable libunwind.so first on the library path: vmprof's dlopen fails for real.
    (tmp_path / "badlib").mkdir()
    (tmp_path / "badlib" / "libunwind.so").write_text("not a shared object")
    kernel = kernel_factory({"LD_LIBRARY_PATH": str(tmp_path / "badlib")})
    done = kernel.run("%%vmprof\n" + BUSY + "value = busy(500_000)\nprint('still ran')")
    assert done.status == "ok" and done.stdout == "still ran\n", done.describe()
    meta = only_profile(store_dir)
    [warning] = [w for w in meta["warnings"] if w.startswith("native frames unavailable:")]
    assert "could not load libunwind" in warning and "libunwind.so" in warning
    assert warning in done.profiles[0]["warnings"]
    assert f"warning: {warning}" in done.displays[0]["text/plain"]


def test_unload_removes_the_magic(kernel, store_dir):
    assert kernel.run("%unload_ext jupyterlab_vmprof").status == "ok"
    done = kernel.run("%%vmprof\nx = 1")
    assert done.status == "error" and "vmprof" in done.error_text + done.stderr
    assert kernel.run("%load_ext jupyterlab_vmprof").status == "ok"
    assert kernel.run("%%vmprof\nx = 1").profiles[0]["status"] == "complete"


def test_notebook_path_is_recorded(kernel_factory, store_dir):
    kernel = kernel_factory({"JPY_SESSION_NAME": "/home/me/analysis.ipynb"})
    assert kernel.run("%%vmprof --no-strip\nx = 1").status == "ok"
    meta = only_profile(store_dir)
    assert meta["notebook"] == "/home/me/analysis.ipynb"
    assert meta["options"]["strip"] is False


MIMES = {"application/vnd.jupyterlab-vmprof.profile+json", "text/plain", "text/html"}


def meta_when(store_dir: Path, condition, timeout: float = 30) -> dict:
    deadline = time.monotonic() + timeout
    while True:
        meta = only_profile(store_dir)
        if condition(meta) or time.monotonic() > deadline:
            return meta
        time.sleep(0.1)


def test_summary_arrives_later_in_the_cells_own_output(kernel, store_dir):
    # The second cell is queued at once: it runs while the first one's summary is computed.
    # From a notebook front end (the request names its cell), which applies updates after the cell.
    # Half a second of CPU time: well over 20 samples at any timer rate and machine speed.
    first_id = kernel.send_from_notebook("%%vmprof\nimport time\n" + BUSY + "end = time.process_time() + 0.5\n"
                                         "while time.process_time() < end:\n    busy(10_000)")
    second_id = kernel.send("import time\ntime.sleep(1.5)\nprint('second cell')")
    first = kernel.collect(first_id)
    second = kernel.collect(second_id)
    assert first.status == "ok" and second.status == "ok", first.describe() + second.describe()

    # At once: the progress output (kernel/progress.py); at the cell's end, in its place, the
    # whole bundle saying the summary is on its way; later, the same output with the table.
    [running] = first.displays
    [display_id] = first.display_ids
    assert running[MIMES_JSON]["status"] == "running" and display_id
    bundles = [(i, d) for i, d in first.updates + kernel.late_updates(first_id) if d[MIMES_JSON]["status"] != "running"]
    (shown_id, shown), (updated_id, updated) = bundles
    assert shown_id == display_id and set(shown) == MIMES
    assert shown[MIMES_JSON]["samples"] is None
    assert "summary being computed" in shown["text/plain"] and "summary being computed" in shown["text/html"]
    assert "self %" not in shown["text/plain"]

    assert updated_id == display_id and set(updated) == MIMES
    samples = updated[MIMES_JSON]["samples"]
    assert isinstance(samples, int) and samples > 20
    assert "summary being computed" not in updated["text/plain"]
    # The top functions by self time (native frames on: mostly CPython's own C functions).
    assert "self %" in updated["text/plain"] and "<table>" in updated["text/html"]
    assert "<td>" in updated["text/html"]
    assert "1 sample per" in updated["text/plain"] and "(requested 1 ms)" in updated["text/plain"]

    # The next cell shows only its own output.
    assert second.stdout == "second cell\n" and second.stderr == "", second.describe()
    assert second.displays == [] and second.updates == [] and second.results == []

    meta = meta_when(store_dir, lambda m: m.get("samples") is not None)
    assert meta["samples"] == samples
    assert meta["sample_interval_basis"] == "cpu" and meta["cpu_s"] > 0
    assert meta["sample_interval_s"] == pytest.approx(meta["cpu_s"] / samples, rel=1e-3)


@pytest.mark.parametrize("how", ["option", "environment"])
def test_wait_summary_shows_the_table_before_the_cell_ends(kernel_factory, store_dir, how):
    env = {"JUPYTERLAB_VMPROF_WAIT_SUMMARY": "1"} if how == "environment" else {}
    kernel = kernel_factory(env)
    option = "--wait-summary" if how == "option" else ""
    # From a notebook front end, which would otherwise get the summary after the cell.
    done = kernel.collect(kernel.send_from_notebook(f"%%vmprof {option}\n" + BUSY + "busy(2_000_000)"))
    assert done.status == "ok", done.describe()
    # The progress output first; the profile replaces it before the cell ends.
    [running] = done.displays
    assert running[MIMES_JSON]["status"] == "running"
    [shown] = [d for _, d in done.updates if d[MIMES_JSON]["status"] != "running"]
    assert set(shown) == MIMES
    assert "self %" in shown["text/plain"] and "<td>" in shown["text/html"]
    assert isinstance(shown[MIMES_JSON]["samples"], int)
    assert only_profile(store_dir)["samples"] == shown[MIMES_JSON]["samples"]  # written before the reply
    assert kernel.late_updates(kernel.send("1"), timeout=2) == []


def test_no_jit_names_leaves_numba_alone(kernel, store_dir):
    setup = kernel.run("from numba import njit\n@njit\ndef twice(x):\n    return 2 * x\ntwice(1)")
    assert setup.status == "ok", setup.describe()
    hooked = "print('__call__' in type(twice).__dict__, twice(21))"
    assert kernel.run("%%vmprof\n" + hooked).stdout == "True 42\n"
    assert kernel.run("%%vmprof --no-jit-names\n" + hooked).stdout == "False 42\n"
    store = ProfileStore(store_dir)
    assert sorted(store.read_meta(i)["options"]["jit_names"] for i in store.ids()) == [False, True]


MIMES_JSON = "application/vnd.jupyterlab-vmprof.profile+json"
