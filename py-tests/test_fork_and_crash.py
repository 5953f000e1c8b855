"""Profiles survive what kills processes: kill -9 of the kernel, crashes in --fork children."""
from __future__ import annotations

import html
import os
import signal
import struct
import time

import pytest
import vmprof

from jupyterlab_vmprof.kernel.lean import crashguard
from jupyterlab_vmprof.store import ProfileStore

pytestmark = pytest.mark.timeout(240)

BUSY = "def busy(n):\n    return sum(i * i for i in range(n))\n"


def read_partially(path) -> list:
    """The samples vmprof's own reader gets from a file cut short, up to where it stops.

    A process killed mid-write can leave half a record at the end; vmprof.read_profile
    then raises (measured: AssertionError on a trailing zero byte), while every sample
    before it is intact.
    """
    from vmprof.reader import LogReader, LogReaderState

    state = LogReaderState()
    with open(path, "rb") as handle:
        try:
            LogReader(handle, state).read_all()
        except (AssertionError, struct.error, ValueError):
            pass
    return state.profiles


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
    samples = read_partially(store_dir / profile_id / "profile.prof")
    assert len(samples) > 10
    assert max(len(stack) for stack, *_ in samples) > 5  # whole stacks, not scraps
    # Python code names are written at the stop, which a killed kernel never reaches; the
    # memory map saved at the start still lets the converter name native frames.
    assert "_vmprof.cpython" in (store_dir / profile_id / "maps.txt").read_text()


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
    # The likely culprit is named, in every form of the output: with the crash guard on
    # (CPython 3.11, 3.12) or no guard needed, not vmprof's known crash but the cell's own code.
    for text in (display["text/plain"], html.unescape(display["text/html"])):
        assert "likely cause is native code the cell runs" in text, text
        assert "likely cause is vmprof's known crash" not in text
    assert kernel.run("print(6 * 7)").stdout == "42\n"  # the kernel lives on
    meta = ProfileStore(store_dir).read_meta(ProfileStore(store_dir).ids()[0])
    assert meta["status"] == "failed" and meta["child_signal"] == "SIGSEGV"
    assert "SIGSEGV" in meta["error"]
    assert (store_dir / meta["id"] / "profile.prof").stat().st_size > 0


@pytest.mark.skipif(not crashguard.needed(), reason="vmprof's crash is on CPython 3.11 and 3.12 only")
def test_fork_survives_vmprofs_own_crash(kernel_factory, store_dir):
    # vmprof 0.6.0 on CPython 3.11 and 3.12 crashes when a sample lands as C code calls back
    # into Python (sorted with a Python key, map with a lambda), unless the crash guard is on.
    kernel = kernel_factory({crashguard.NO_GUARD_ENV: "1"})
    done = kernel.run(
        "%%vmprof --fork\nimport time\nprint('sorting', flush=True)\nstart = time.time()\n"
        "while time.time() - start < 60:\n    sorted(range(3000), key=lambda x: -x)\nprint('survived')"
    )
    assert "sorting" in done.stdout, done.describe()
    assert "likely cause is vmprof's known crash" in done.displays[0]["text/plain"]
    assert kernel.run("print(6 * 7)").stdout == "42\n"
    meta = ProfileStore(store_dir).read_meta(ProfileStore(store_dir).ids()[0])
    assert meta["child_signal"] == "SIGSEGV", meta
    assert len(read_partially(store_dir / meta["id"] / "profile.prof")) > 0


def test_next_kernel_of_the_notebook_says_the_last_one_died(kernel_factory, store_dir):
    notebook = {"JPY_SESSION_NAME": "/home/me/crashy.ipynb"}
    store = ProfileStore(store_dir)
    dying = kernel_factory(notebook)
    dying.send("%%vmprof --name 'sorting run'\n" + BUSY + "import time\nstart = time.time()\n"
               "while time.time() - start < 120:\n    busy(10_000)")
    profile_id = wait_for(lambda: store.ids() and (store_dir / store.ids()[0] / "profile.prof").stat().st_size > 0
                          and store.ids()[0])
    os.kill(dying.pid, signal.SIGKILL)  # what vmprof's SIGSEGV does to the kernel, deterministically
    wait_for(lambda: dying.manager.provisioner.process.poll() is not None)
    started = store.read_meta(profile_id)["started"]

    # Another notebook's kernel is not told about it.
    other = kernel_factory({"JPY_SESSION_NAME": "/home/me/other.ipynb"})
    assert other.run("%%vmprof\nx = 1").stderr == ""

    # The notebook's next kernel says what happened at its first %%vmprof, before the cell runs.
    restarted = kernel_factory(notebook)
    done = restarted.run("%%vmprof\nprint('cell ran')")
    assert done.status == "ok", done.describe()
    warning = " ".join(done.stderr.split())
    assert "the kernel died while a profiled cell was running: profile 'sorting run'" in warning, done.describe()
    assert f"started {started}" in warning and "def busy(n):" in warning
    # The crash guard was on (or this Python needs none): vmprof's known crash is not blamed.
    assert "vmprof's known crash is ruled out" in warning and "vmprof 0.6.0 is known to crash" not in warning
    assert "%%vmprof --fork" in warning
    assert done.streamed[0][1] == "stderr" and done.stdout == "cell ran\n"
    assert store.read_meta(profile_id)["crash_reported"] is True

    # Said once: not again in this kernel, nor in the next one.
    assert restarted.run("%%vmprof\nx = 2").stderr == ""
    assert kernel_factory(notebook).run("%%vmprof\nx = 3").stderr == ""


def test_nearly_full_disk_refuses_before_running(kernel_factory, small_disk):
    disk = small_disk(8)
    kernel = kernel_factory({"JUPYTERLAB_VMPROF_STORE": str(disk / "store")})
    done = kernel.run("%%vmprof\nside_effect = 1")
    assert done.status == "error"
    assert "KiB free" in done.stderr and "Nothing was run" in done.stderr, done.describe()
    assert kernel.run("print('side_effect' in globals())").stdout == "False\n"
    assert ProfileStore(disk / "store").ids() == []


def test_disk_filling_up_mid_cell_does_not_hang_the_kernel(kernel_factory, small_disk):
    disk = small_disk(20)
    kernel = kernel_factory({"JUPYTERLAB_VMPROF_STORE": str(disk / "store")})
    fill = disk / "fill"
    done = kernel.run(
        "%%vmprof\n" + BUSY + "import time\n"
        f"try:\n    open({str(fill)!r}, 'wb').write(b'x' * 30_000_000)\nexcept OSError as e:\n    print('disk full', e.errno)\n"
        "start = time.time()\nwhile time.time() - start < 2:\n    busy(10_000)"
    )
    assert "disk full 28" in done.stdout, done.describe()
    [display] = done.displays
    assert "vmprof could not finish writing the profile" in display["text/plain"], display["text/plain"]
    # vmprof left enabled after a failed disable hangs the process at the next freed code object.
    after = kernel.run("import gc\ndef f():\n    pass\ndel f\ngc.collect()\nprint(6 * 7)", timeout=30)
    assert after.stdout == "42\n"
    fill.unlink()
    again = kernel.run("%%vmprof\n" + BUSY + "busy(100_000)")
    assert again.profiles and again.profiles[0]["status"] == "complete", again.describe() + display["text/plain"]


@pytest.mark.parametrize("fork", ["", "--fork"])
def test_interrupting_the_kernel_keeps_the_profile(kernel, store_dir, fork):
    store = ProfileStore(store_dir)
    msg_id = kernel.send(
        f"%%vmprof {fork}\n" + BUSY + "import time\nprint('working', flush=True)\nstart = time.time()\n"
        "while time.time() - start < 60:\n    busy(10_000)"
    )
    wait_for(lambda: store.ids() and (store_dir / store.ids()[0] / "profile.prof").stat().st_size > 0)
    time.sleep(1.0)
    kernel.manager.interrupt_kernel()
    done = kernel.collect(msg_id, timeout=60)
    assert "KeyboardInterrupt" in done.error_text + done.stderr + json_of(done.profiles), done.describe()
    meta = store.read_meta(store.ids()[0])
    # Stopped by the user: interrupted, not failed (the mime output says so too).
    assert meta["status"] == "interrupted" and "KeyboardInterrupt" in meta["error"]
    assert done.profiles and done.profiles[0]["status"] == "interrupted", done.describe()
    assert 0.5 < meta["duration_s"] < 30
    assert len(vmprof.read_profile(str(store_dir / meta["id"] / "profile.prof")).profiles) > 10
    assert kernel.run("print(6 * 7)").stdout == "42\n"


def json_of(value) -> str:
    import json

    return json.dumps(value)


def test_fork_runs_top_level_await(kernel, store_dir):
    done = kernel.run("%%vmprof --fork\nimport asyncio\nawait asyncio.sleep(0.05)\n'awaited in the child'")
    assert done.status == "ok", done.describe()
    assert "'awaited in the child'" in done.stdout


def test_an_interrupt_arriving_twice_reaches_the_forked_cell_once(store_dir):
    # A kernel interrupt reaches a --fork child twice (the process group, then the parent
    # forwarding it): the cell must see one KeyboardInterrupt and its traceback must arrive.
    import threading

    from jupyterlab_vmprof.kernel.forking import run_forked
    from jupyterlab_vmprof.kernel.profiling import ProfileOptions, ProfileRun

    gaps = [0.0, 0.00005, 0.0001, 0.0002, 0.0005, 0.001, 0.002, 0.005]

    def interrupt_twice(pid: int, gap: float) -> None:
        os.kill(pid, signal.SIGINT)
        time.sleep(gap)
        os.kill(pid, signal.SIGINT)

    attempt = 0

    def write_out(text: str) -> None:
        if text.startswith("pid "):
            threading.Timer(0.3, interrupt_twice, args=(int(text.split()[1]), gaps[attempt])).start()

    def body(print_value) -> None:
        print("pid", os.getpid(), flush=True)
        while True:
            sum(i * i for i in range(10_000))

    for attempt in range(len(gaps)):  # noqa: B007 - read by write_out
        run = ProfileRun(ProfileOptions(native=False))
        run.prepare()
        errors: list = []
        outcome = run_forked(run, body, write_out, errors.append)
        assert outcome.error == "KeyboardInterrupt", (attempt, outcome, errors)
        assert "KeyboardInterrupt" in "".join(errors), (attempt, errors)
        assert outcome.exit_code is not None and outcome.signal_name is None
