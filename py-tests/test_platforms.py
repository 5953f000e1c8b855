"""Linux only: on Windows and macOS the magic and the server say what does not work and why.

sys.platform is changed in this process, the only way to meet those systems on a Linux machine:
the code under test reads it where a user would meet it (loading the magic, loading the server
extension).
"""
from __future__ import annotations

import json
import sys

import pytest
from IPython.core.interactiveshell import InteractiveShell

import jupyterlab_vmprof
from jupyterlab_vmprof.platforms import unsupported

OTHERS = [("win32", "Windows", "os.fork"), ("darwin", "macOS", "/proc/<pid>/maps")]


def test_linux_is_supported():
    assert sys.platform.startswith("linux") and unsupported() is None


@pytest.fixture
def shell():
    shell = InteractiveShell.instance()
    yield shell
    InteractiveShell.clear_instance()


@pytest.mark.parametrize("platform, name, reason", OTHERS)
def test_the_magic_says_why_it_does_not_profile(monkeypatch, shell, platform, name, reason):
    monkeypatch.setattr(sys, "platform", platform)
    jupyterlab_vmprof.load_ipython_extension(shell)
    shell.user_ns.pop("ran", None)
    for source in ("%%vmprof --name x\nran = True\n", "%vmprof ran = True\n"):
        result = shell.run_cell(source)
        error = result.error_in_exec
        assert error is not None and type(error).__name__ == "UsageError"
        assert "Linux only" in str(error) and name in str(error) and reason in str(error)
        assert "ran" not in shell.user_ns  # nothing ran unprofiled behind the user's back


def test_on_linux_the_real_magic_is_loaded(shell):
    jupyterlab_vmprof.load_ipython_extension(shell)
    try:
        for magic in (shell.find_cell_magic("vmprof"), shell.find_line_magic("vmprof")):
            assert type(magic.__self__).__name__ == "VmprofMagics"
    finally:
        jupyterlab_vmprof.unload_ipython_extension(shell)


@pytest.fixture(params=OTHERS, ids=[other[0] for other in OTHERS])
def other_platform(request, monkeypatch):
    # Before jp_fetch starts the server, so the extension loads on "that" system.
    monkeypatch.setattr(sys, "platform", request.param[0])
    return request.param


async def test_the_server_answers_501_and_says_why(capfd, other_platform, jp_fetch):
    platform, name, reason = other_platform
    for path in (("profiles",), ("profiles", "20260101T000000-0123abcd", "graph")):
        response = await jp_fetch("jupyterlab-vmprof", *path, raise_error=False)
        assert response.code == 501
        error = json.loads(response.body)["error"]
        assert error["code"] == "unsupported-platform"
        assert "Linux only" in error["message"] and name in error["message"] and reason in error["message"]
    # ... and the server's log says it once, at start.
    logged = capfd.readouterr().err
    assert logged.count("jupyterlab_vmprof: not started: jupyterlab-vmprof works on Linux only") == 1
    assert f"this is {name}" in logged
