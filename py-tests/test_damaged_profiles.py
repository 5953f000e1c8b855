"""vmproftocallgrind on damaged and gzip-compressed profiles, as a user runs it."""
from __future__ import annotations

import gzip
import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from jupyterlab_vmprof.node_converter import SCRIPT_PATH

pytestmark = [
    pytest.mark.timeout(120),
    pytest.mark.skipif(not SCRIPT_PATH.is_file(), reason="converter bundle missing: run `jlpm build:converter`"),
]

REPO = Path(__file__).resolve().parent.parent
# vmproftocallgrind as its console script runs it, from this working tree (not an installed copy).
TOCALLGRIND = [sys.executable, "-c", "import sys; from jupyterlab_vmprof.cli.main import tocallgrind_main; "
               "sys.exit(tocallgrind_main(sys.argv[1:]))"]
SAMPLE_START = re.compile(rb"\x01\x01\x00{7}")  # a sample's marker and a count word of 1


def total_events(callgrind: str) -> int:
    return int(re.search(r"^summary: (\d+)$", callgrind, re.M).group(1))


def convert(source: Path, out: Path) -> subprocess.CompletedProcess:
    return subprocess.run([*TOCALLGRIND, str(source), "-o", str(out)], capture_output=True, text=True,
                          timeout=60, cwd=REPO)


def test_a_profile_damaged_in_the_middle_is_converted_with_a_warning(tmp_path, profile_data):
    data = bytearray((profile_data / "vmprof-0.6.0" / "mixed.prof").read_bytes())
    whole = convert(profile_data / "vmprof-0.6.0" / "mixed.prof", tmp_path / "whole.out")
    assert whole.returncode == 0, whole.stderr
    at = SAMPLE_START.search(data, len(data) // 3).start()
    data[at:at + 24] = b"\xee" * 24
    damaged = tmp_path / "damaged.prof"
    damaged.write_bytes(bytes(data))
    done = convert(damaged, tmp_path / "damaged.out")
    assert done.returncode == 0, done.stderr
    assert re.search(rf"warning: the file is damaged at byte {at} ", done.stderr), done.stderr
    kept = total_events((tmp_path / "damaged.out").read_text())
    full = total_events((tmp_path / "whole.out").read_text())
    assert full * 0.95 < kept < full
    if shutil.which("callgrind_annotate"):
        annotated = subprocess.run(["callgrind_annotate", str(tmp_path / "damaged.out")], capture_output=True,
                                   text=True, timeout=60)
        assert annotated.returncode == 0, annotated.stderr
        assert re.search(rf"^{kept} \(100\.0%\)\s+PROGRAM TOTALS", annotated.stdout, re.M), annotated.stdout


def test_a_gzip_compressed_profile_is_read(tmp_path, profile_data):
    source = profile_data / "vmprof-0.6.0" / "mixed.prof"
    packed = tmp_path / "mixed.prof.gz"
    packed.write_bytes(gzip.compress(source.read_bytes()))
    plain = convert(source, tmp_path / "plain.out")
    done = convert(packed, tmp_path / "packed.out")
    assert done.returncode == 0 and "warning" not in done.stderr, done.stderr
    assert (tmp_path / "packed.out").read_text() == (tmp_path / "plain.out").read_text()
    assert plain.returncode == 0
