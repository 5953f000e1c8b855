"""vmprofrun and vmproftocallgrind, run as a user runs them: console scripts in subprocesses."""
from __future__ import annotations

import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
import vmprof

from jupyterlab_vmprof.node_converter import SCRIPT_PATH

pytestmark = pytest.mark.timeout(240)

BIN = Path(sys.executable).parent
needs_converter = pytest.mark.skipif(
    not SCRIPT_PATH.is_file(), reason="converter bundle missing: run `jlpm build:converter`"
)

SCRIPT = """
import sys
import numpy as np
from numba import njit

@njit
def kernel_sum(a):
    s = 0.0
    for i in range(a.shape[0]):
        s += a[i] * a[i]
    return s

def busy(n):
    return sum(i * i for i in range(n))

import time
data = np.arange(2_000_000, dtype=np.float64)
kernel_sum(data)  # compiles it
# The jitted loop runs as long as everything before it (imports, compiling), in CPU time,
# which drives vmprof's timer: its share (about half) holds at any sample rate or speed.
deadline = time.process_time() * 2
while time.process_time() < deadline:
    kernel_sum(data)
busy(200_000)
print("args", sys.argv[1:])
sys.exit(int(sys.argv[1]))
"""


def run(command: list, cwd: Path) -> subprocess.CompletedProcess:
    return subprocess.run(command, cwd=cwd, capture_output=True, text=True, timeout=200)


def vmprofrun(args: list, cwd: Path) -> subprocess.CompletedProcess:
    """vmprofrun, once: with the crash guard vmprof's known crash (Numba's C dispatcher
    calling the Python trampoline) no longer kills the script, so a death is a failure."""
    return run([str(BIN / "vmprofrun"), *args], cwd)


def callgrind_self_costs(text: str) -> dict:
    """fn name -> self cost: the cost line right after each fn= line (names are compressed:
    "(n) name" the first time, in fn= or cfn=, then "(n)")."""
    costs, names, current = {}, {}, None
    for line in text.splitlines():
        match = re.match(r"^c?fn=\((\d+)\)(?: (.*))?$", line)
        if match:
            if match.group(2):
                names[match.group(1)] = match.group(2)
            current = names.get(match.group(1)) if line.startswith("fn=") else None
            continue
        if current and re.match(r"^\d+ \d+$", line):
            costs[current] = costs.get(current, 0) + int(line.split()[1])
        current = None
    return costs


@needs_converter
def test_vmprofrun_profiles_a_script_and_passes_its_exit_code(tmp_path):
    (tmp_path / "work.py").write_text(SCRIPT)
    done = vmprofrun(["work.py", "3", "--flag"], tmp_path)
    assert done.returncode == 3, done.stderr
    assert "args ['3', '--flag']" in done.stdout
    [profile] = tmp_path.glob("vmprof-*.prof")
    pid = profile.stem.split("-")[1]
    assert (tmp_path / f"vmprof-{pid}.maps.txt").stat().st_size > 0
    assert "kernel_sum" in (tmp_path / f"vmprof-{pid}.jit-symbols.json").read_text()
    out = (tmp_path / f"vmprof-{pid}.out").read_text()
    assert out.startswith("# callgrind format") and "\nevents: " in out
    costs = callgrind_self_costs(out)
    kernel = sum(cost for name, cost in costs.items() if name.startswith("kernel_sum"))
    summary = int(re.search(r"^summary: (\d+)$", out, re.M).group(1))
    assert kernel > summary / 4, (kernel, summary)  # the jitted loop is a big part of the work
    assert len(vmprof.read_profile(str(profile)).profiles) == summary


@needs_converter
def test_callgrind_output_is_accepted_by_callgrind_annotate(tmp_path):
    if not shutil.which("callgrind_annotate"):
        pytest.skip("callgrind_annotate not installed")
    (tmp_path / "work.py").write_text(SCRIPT)
    assert vmprofrun(["work.py", "0"], tmp_path).returncode == 0
    [out] = tmp_path.glob("vmprof-*.out")
    annotated = run(["callgrind_annotate", str(out)], tmp_path)
    assert annotated.returncode == 0, annotated.stderr
    assert "kernel_sum" in annotated.stdout


def test_vmprofrun_bad_input_is_one_line_and_nonzero(tmp_path):
    missing = run([str(BIN / "vmprofrun"), "nope.py"], tmp_path)
    assert missing.returncode != 0
    assert missing.stderr.strip() == "vmprofrun: no such script: nope.py"
    bad_period = run([str(BIN / "vmprofrun"), "--period", "fast", "x.py"], tmp_path)
    assert bad_period.returncode == 2 and len(bad_period.stderr.strip().splitlines()) == 1
    assert "--period" in bad_period.stderr
    nothing = run([str(BIN / "vmprofrun")], tmp_path)
    assert nothing.returncode == 2 and "SCRIPT" in nothing.stderr
    assert list(tmp_path.iterdir()) == []


def test_help_texts(tmp_path):
    for tool, words in (("vmprofrun", ["SCRIPT", "vmprof-<pid>.out", "--period"]),
                        ("vmproftocallgrind", ["PROFILE", "--perf-map", "--format", "-o"])):
        done = run([str(BIN / tool), "--help"], tmp_path)
        assert done.returncode == 0
        for word in words:
            assert word in done.stdout, (tool, word)


@needs_converter
@pytest.mark.parametrize("fmt,check", [
    ("callgrind", lambda text: text.startswith("# callgrind format")),
    ("collapsed", lambda text: all(re.match(r"^.+ \d+$", line) for line in text.splitlines())),
    ("speedscope", lambda text: '"$schema"' in text or "speedscope" in text),
    ("json", lambda text: '"jupyterlab-vmprof-graph"' in text),
])
def test_vmproftocallgrind_formats(tmp_path, profile_data, fmt, check):
    source = tmp_path / "numpy_work.prof"
    shutil.copy(profile_data / "generated" / "numpy_work.prof", source)
    out = tmp_path / f"out.{fmt}"
    done = run([str(BIN / "vmproftocallgrind"), str(source), "--format", fmt, "-o", str(out)], tmp_path)
    assert done.returncode == 0, done.stderr
    assert check(out.read_text())


@needs_converter
def test_vmproftocallgrind_default_output_and_perf_map(tmp_path, profile_data):
    source = tmp_path / "mixed.prof"
    shutil.copy(profile_data / "generated" / "mixed.prof", source)
    perf_map = tmp_path / "perf-1.map"
    perf_map.write_text("7f0000001000 40 jitted_thing\n")
    done = run([str(BIN / "vmproftocallgrind"), str(source), "--perf-map", str(perf_map)], tmp_path)
    assert done.returncode == 0, done.stderr
    assert (tmp_path / "mixed.out").read_text().startswith("# callgrind format")


@needs_converter
def test_vmproftocallgrind_bad_input_is_one_line_and_nonzero(tmp_path):
    garbage = tmp_path / "garbage.prof"
    garbage.write_bytes(b"this is not a profile at all" * 10)
    for command, expected in (
        (["nope.prof"], "no such profile file: nope.prof"),
        ([str(garbage)], "cannot convert"),
        ([str(garbage), "--perf-map", "missing.map"], "no such file: missing.map"),
        ([str(garbage), "--format", "pdf"], "invalid choice"),
    ):
        done = run([str(BIN / "vmproftocallgrind"), *command], tmp_path)
        assert done.returncode != 0, command
        lines = done.stderr.strip().splitlines()
        assert len(lines) == 1 and expected in lines[0], (command, done.stderr)
