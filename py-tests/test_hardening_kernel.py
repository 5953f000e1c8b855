"""The kernel side under unlucky conditions: --fork statuses, signal dispositions, planted perf maps,
a disk that fills up."""
from __future__ import annotations

import os
import time

import pytest

from jupyterlab_vmprof.store import ProfileStore

pytestmark = pytest.mark.timeout(240)


def newest_meta(store_dir) -> dict:
    store = ProfileStore(store_dir)
    return store.read_meta(store.ids()[0])


# 14. --fork tells the truth about how the cell ended ------------------------------------------------


def test_fork_cell_that_raises_fails_the_cell_like_without_fork(kernel, store_dir):
    plain = kernel.run("%%vmprof\n1 / 0")
    forked = kernel.run("%%vmprof --fork\n1 / 0")
    assert plain.status == forked.status == "error", forked.describe()
    assert [e[0] for e in forked.errors] == [e[0] for e in plain.errors] == ["ZeroDivisionError"]
    # The child printed the traceback: the kernel does not print a second one.
    assert forked.stderr.count("ZeroDivisionError") + forked.error_text.count("Traceback") <= 2
    assert newest_meta(store_dir)["status"] == "failed"


def test_fork_child_that_exits_with_a_status_fails_the_cell(kernel, store_dir):
    done = kernel.run("%%vmprof --fork\nprint('going', flush=True)\nimport os\nos._exit(7)")
    assert done.status == "error", done.describe()
    assert "going" in done.stdout
    meta = newest_meta(store_dir)
    assert meta["status"] == "failed" and meta["child_exit"] == 7
    assert "exit status 7" in meta["error"]
    assert "exit status 7" in done.displays[0]["text/plain"] + done.error_text


def test_fork_child_killed_by_a_signal_fails_the_cell(kernel, store_dir):
    done = kernel.run("%%vmprof --fork\nimport os, signal\nos.kill(os.getpid(), signal.SIGKILL)")
    assert done.status == "error", done.describe()
    assert "SIGKILL" in done.error_text
    assert kernel.run("print(6 * 7)").stdout == "42\n"


def test_interrupted_fork_cell_fails_the_cell(kernel, store_dir):
    store = ProfileStore(store_dir)
    msg_id = kernel.send("%%vmprof --fork\nimport time\nprint('working', flush=True)\ntime.sleep(60)")
    deadline = time.monotonic() + 30
    while not (store.ids() and (store_dir / store.ids()[0] / "output.txt").exists()
               and (store_dir / store.ids()[0] / "output.txt").read_text()):
        assert time.monotonic() < deadline, "the cell did not start"
        time.sleep(0.1)
    kernel.manager.interrupt_kernel()
    done = kernel.collect(msg_id, timeout=60)
    assert done.status == "error", done.describe()
    assert "KeyboardInterrupt" in done.error_text


def test_fork_cell_that_starts_a_background_process_does_not_wait_for_it(kernel, store_dir):
    started = time.monotonic()
    done = kernel.run("%%vmprof --fork\nimport subprocess\n"
                      "keep = subprocess.Popen(['sleep', '60'])\nprint('started', keep.pid, flush=True)", timeout=60)
    elapsed = time.monotonic() - started
    assert done.status == "ok", done.describe()
    assert "started" in done.stdout
    assert elapsed < 30, f"the cell waited {elapsed:.0f} s for a process it started"
    pid = int(done.stdout.split("started")[1].split()[0])
    os.kill(pid, 9)


# 15. signal dispositions come back -------------------------------------------------------------------

IGNORED = ("import re, signal, subprocess\n"
           "def ignored(status=None):\n"
           "    text = status or open('/proc/self/status').read()\n"
           "    mask = int(re.search(r'SigIgn:\\s*(\\w+)', text).group(1), 16)\n"
           "    return [s.name for s in (signal.SIGPROF, signal.SIGALRM) if mask & (1 << (s - 1))]\n"
           "def child_ignored():\n"
           "    return ignored(subprocess.run(['cat', '/proc/self/status'], capture_output=True, text=True).stdout)\n")


@pytest.mark.parametrize("options", ["", "--real-time", "--fork"])
def test_profiling_leaves_signal_dispositions_as_they_were(kernel, options):
    assert kernel.run(IGNORED + "print(ignored(), child_ignored())").stdout == "[] []\n"
    done = kernel.run(f"%%vmprof {options}\ntotal = sum(i * i for i in range(300_000))")
    assert done.status == "ok", done.describe()
    after = kernel.run("print(ignored(), child_ignored(), signal.getsignal(signal.SIGPROF) == signal.SIG_DFL)")
    assert after.stdout == "[] [] True\n", after.describe()


# 16. a planted perf map is not copied ----------------------------------------------------------------


def plant_a_symlink(planted: str, tmp_path) -> str:
    """A link to a file the kernel's user may read; returns the warning's wording."""
    secret = tmp_path / "secret.txt"
    secret.write_text("7f0000000000 10 PLANTED-CONTENT\n")
    os.symlink(secret, planted)
    return "symbolic link"


def plant_a_file_of_another_user(planted: str, tmp_path) -> str:
    if os.getuid() != 0:
        pytest.skip("making a file of another user needs root")
    with open(planted, "w") as handle:
        handle.write("7f0000000000 10 PLANTED-CONTENT\n")
    os.chown(planted, 65534, 65534)
    return "owned by"


@pytest.mark.parametrize("plant", [plant_a_symlink, plant_a_file_of_another_user], ids=["symlink", "other-user"])
def test_a_planted_perf_map_is_not_copied(kernel, store_dir, tmp_path, plant):
    planted = f"/tmp/perf-{kernel.pid}.map"
    wording = plant(planted, tmp_path)
    try:
        done = kernel.run("%%vmprof\ntotal = sum(i * i for i in range(100_000))")
    finally:
        os.unlink(planted)
    assert done.status == "ok", done.describe()
    folder = store_dir / ProfileStore(store_dir).ids()[0]
    assert not list(folder.glob("perf-*.map"))
    assert "PLANTED-CONTENT" not in (folder / "jit-symbols.json").read_text()
    assert any("perf map" in w and wording in w for w in newest_meta(store_dir)["warnings"])


# 13. a disk that fills up mid-profile -----------------------------------------------------------------


FILL = ("import os, time\n"
        "def fill(path):\n"
        "    try:\n"
        "        with open(path, 'wb', buffering=0) as handle:\n"
        "            while True:\n"
        "                handle.write(b'x' * 65536)\n"
        "    except OSError as err:\n"
        "        return err.errno\n")


def test_a_disk_filling_up_mid_cell_marks_the_profile_failed_with_the_reason(kernel_factory, small_disk):
    disk = small_disk(20)
    store_dir = disk / "store"
    notebook = {"JUPYTERLAB_VMPROF_STORE": str(store_dir), "JPY_SESSION_NAME": "/home/me/full.ipynb"}
    kernel = kernel_factory(notebook)
    fill = disk / "fill"
    done = kernel.run("%%vmprof\n" + FILL + f"print('errno', fill({str(fill)!r}))\n"
                      "start = time.time()\nwhile time.time() - start < 1:\n    sum(range(10_000))")
    assert "errno 28" in done.stdout, done.describe()
    meta = newest_meta(store_dir)
    assert meta["status"] == "failed", meta
    assert "disk is full" in meta["error"]
    folder = store_dir / meta["id"]
    assert not [p.name for p in folder.iterdir() if p.name.endswith(".tmp")]
    fill.unlink()
    # The next kernel of the notebook does not think this kernel died.
    assert kernel_factory(notebook).run("%%vmprof\nx = 1").stderr == ""
