"""Profiles survive what kills processes: kill -9 of the kernel, crashes in --fork children."""
from __future__ import annotations

import os
import signal
import time

import pytest
import vmprof

from jupyterlab_vmprof.store import ProfileStore

pytestmark = pytest.mark.timeout(240)

BUSY = "def busy(n):\n    return sum(i * i for i in range(n))\n"


def wait_for(condition, timeout: float = 30.0, step: float = 0.1):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        value = condition()
        if value:
            return value
        time.sleep(step)
    raise AssertionError("condition not met in time")


def test_kill_9_mid_cell_leaves_an_interrupted_readable_profile(kernel, store_dir):
    store = ProfileStore(store_dir)
    kernel.send("%%vmprof\n" + BUSY + "import time\nstart = time.time()\nwhile time.time() - start < 120:\n    busy(10_000)")

    def profile_with_data():
        ids = store.ids()
        if ids and (store_dir / ids[0] / "profile.prof").stat().st_size > 4096:
            return ids[0]
        return None

    profile_id = wait_for(profile_with_data)
    assert store.read_meta(profile_id)["status"] == "running"
    assert store.read_meta(profile_id)["pid"] == kernel.pid
    os.kill(kernel.pid, signal.SIGKILL)
    wait_for(lambda: kernel.manager.provisioner.process.poll() is not None)

    meta = store.read_meta(profile_id)
    assert meta["status"] == "interrupted"
    stats = vmprof.read_profile(str(store_dir / profile_id / "profile.prof"))
    assert len(stats.profiles) > 10
    assert max(len(stack) for stack, *_ in stats.profiles) > 5  # whole stacks, not scraps
    # vmprof 0.6.0 writes Python code names only when disabled: a killed kernel's
    # profile has code addresses without names (see the report); native names are there.


def test_fork_streams_output_and_keeps_no_variables(kernel, store_dir):
    done = kernel.run(
        "%%vmprof --fork\nimport time\nforked_value = 21\nprint('first', flush=True)\n"
        "time.sleep(1.5)\nprint('second')\nforked_value * 2"
    )
    assert done.status == "ok", done.describe()
    assert done.stdout.startswith("first\nsecond\n42\n"), done.describe()
    first = next(t for t, name, text in done.streamed if "first" in text)
    second = next(t for t, name, text in done.streamed if "second" in text)
    assert second - first > 1.0  # line by line, not all at the end
    [display] = done.displays
    assert "variables set by this cell are NOT kept" in display["text/plain"]
    assert kernel.run("print('forked_value' in globals())").stdout == "False\n"

    [profile_id] = ProfileStore(store_dir).ids()
    meta = ProfileStore(store_dir).read_meta(profile_id)
    assert meta["status"] == "complete" and meta["options"]["fork"] is True
    assert meta["child_exit"] == 0 and meta["child_signal"] is None
    assert (store_dir / profile_id / "output.txt").read_text() == "first\nsecond\n42\n"
    assert (store_dir / profile_id / "maps.txt").stat().st_size > 0


def test_fork_cell_that_raises(kernel, store_dir):
    done = kernel.run("%%vmprof --fork\nprint('about to fail')\n1 / 0")
    assert "about to fail" in done.stdout
    assert "ZeroDivisionError: division by zero" in done.stderr, done.describe()
    meta = ProfileStore(store_dir).read_meta(ProfileStore(store_dir).ids()[0])
    assert meta["status"] == "failed" and meta["error"] == "ZeroDivisionError: division by zero"
    assert meta["child_exit"] == 1


def test_fork_survives_a_child_that_dies_of_a_signal(kernel, store_dir):
    done = kernel.run(
        "%%vmprof --fork\n" + BUSY + "busy(300_000)\nprint('before the crash', flush=True)\n"
        "import os, signal\nos.kill(os.getpid(), signal.SIGSEGV)\nprint('never')"
    )
    assert "before the crash" in done.stdout and "never" not in done.stdout, done.describe()
    [display] = done.displays
    assert "killed by SIGSEGV" in display["text/plain"]
    assert kernel.run("print(6 * 7)").stdout == "42\n"  # the kernel lives on
    meta = ProfileStore(store_dir).read_meta(ProfileStore(store_dir).ids()[0])
    assert meta["status"] == "failed" and meta["child_signal"] == "SIGSEGV"
    assert "SIGSEGV" in meta["error"]
    assert (store_dir / meta["id"] / "profile.prof").stat().st_size > 0


def test_fork_survives_vmprofs_own_crash(kernel, store_dir):
    # vmprof 0.6.0 on CPython 3.11 crashes when a sample lands as C code calls back into
    # Python (sorted with a Python key, map with a lambda): see the report.
    done = kernel.run(
        "%%vmprof --fork\nimport time\nprint('sorting', flush=True)\nstart = time.time()\n"
        "while time.time() - start < 60:\n    sorted(range(3000), key=lambda x: -x)\nprint('survived')"
    )
    assert "sorting" in done.stdout, done.describe()
    assert kernel.run("print(6 * 7)").stdout == "42\n"
    meta = ProfileStore(store_dir).read_meta(ProfileStore(store_dir).ids()[0])
    assert meta["child_signal"] == "SIGSEGV", meta
    stats = vmprof.read_profile(str(store_dir / meta["id"] / "profile.prof"))
    assert len(stats.profiles) > 0
