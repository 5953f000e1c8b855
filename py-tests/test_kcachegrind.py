"""KCachegrind opens our callgrind export without a loader error.

KCachegrind reports loader problems on stderr as lines starting with 'Loading'
(see docs/callgrind.md); it runs offscreen under its own D-Bus
session bus, so no X server is needed. The check is skipped only where
KCachegrind is not installed; scripts/setup.sh installs it.
"""
import os
import shutil
import signal
import subprocess
import time
from pathlib import Path

import pytest

from jupyterlab_vmprof.node_converter import convert_sync

PROFILES = Path(__file__).resolve().parent.parent / "test-data" / "profiles"

needs_kcachegrind = pytest.mark.skipif(
    not (shutil.which("kcachegrind") and shutil.which("dbus-run-session")),
    reason="kcachegrind or dbus-run-session is not installed (scripts/setup.sh installs both)",
)


def _kcachegrind_stderr(callgrind_file: Path, home: Path, wait_s: float = 4.0) -> str:
    env = dict(os.environ, QT_QPA_PLATFORM="offscreen", HOME=str(home), XDG_RUNTIME_DIR=str(home))
    (home / ".config").mkdir(exist_ok=True)
    # No "tip of the day" dialog: it would sit on top of the loaded file.
    (home / ".config" / "kcachegrindrc").write_text("[TipOfDay]\nRunOnStart=false\n")
    process = subprocess.Popen(
        ["dbus-run-session", "--", "kcachegrind", str(callgrind_file)],
        stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, env=env, start_new_session=True,
    )
    try:
        time.sleep(wait_s)  # loader errors arrive within ~0.1 s of start
        assert process.poll() is None, "kcachegrind exited early: " + process.stderr.read().decode(errors="replace")
    finally:
        os.killpg(process.pid, signal.SIGTERM)
        _, stderr = process.communicate(timeout=20)
    return stderr.decode(errors="replace")


@needs_kcachegrind
@pytest.mark.parametrize("profile", ["generated/mixed.prof", "generated/numpy_work.prof", "vmprof-0.6.0/threads.prof"])
def test_kcachegrind_loads_our_callgrind_without_errors(tmp_path, profile):
    out = tmp_path / "callgrind.out.1"
    convert_sync(PROFILES / profile, "callgrind", output=out)
    text = out.read_text()
    assert text.startswith("# callgrind format")
    stderr = _kcachegrind_stderr(out, tmp_path)
    loading_errors = [line for line in stderr.splitlines() if line.startswith("Loading")]
    assert loading_errors == []


@needs_kcachegrind
def test_the_check_sees_a_broken_file(tmp_path):
    """The loader check must be able to fail: a file with a garbage cost line is reported."""
    bad = tmp_path / "callgrind.out.2"
    bad.write_text("# callgrind format\nversion: 1\nevents: Samples\nfn=(1) main\n0 5 x y z\n")
    stderr = _kcachegrind_stderr(bad, tmp_path)
    assert any(line.startswith("Loading") for line in stderr.splitlines()), stderr
