"""vmprofrun's callgrind output read by callgrind_annotate: the script is the root (runpy's
and vmprofrun's own frames above it are cut, as the cell wrappers are in a notebook) and no
function is above 100 % inclusive, even with every frame kept (runpy's `_run_code` is twice
on each stack on Python 3.11). The split of the work matches timers in the same run."""
from __future__ import annotations

import os
import re
import shutil
import subprocess
import sys
import tomllib
from pathlib import Path

import pytest

from jupyterlab_vmprof.node_converter import SCRIPT_PATH
from split_workload import FUNCTIONS, HEAVY_WORK, LIGHT_WORK

pytestmark = [
    pytest.mark.timeout(240),
    pytest.mark.skipif(not SCRIPT_PATH.is_file(), reason="converter bundle missing: run `jlpm build:converter`"),
    pytest.mark.skipif(not shutil.which("callgrind_annotate"), reason="callgrind_annotate not installed"),
]

REPO = Path(__file__).resolve().parent.parent
# This checkout's package first on the path, not an older install.
ENV = dict(os.environ, PYTHONPATH=os.pathsep.join(filter(None, [str(REPO), os.environ.get("PYTHONPATH")])))


def console_script(name: str) -> list:
    """The command of a console script as pyproject.toml defines it, run from this checkout
    (an installed copy of the script may predate a move of its entry point)."""
    entry = tomllib.loads((REPO / "pyproject.toml").read_text())["project"]["scripts"][name]
    module, function = entry.split(":")
    return [sys.executable, "-c", f"import sys; from {module} import {function}; sys.exit({function}())"]

# The script prints the CPU-time share of `heavy` it measured.
SCRIPT = "import time\n" + FUNCTIONS + f"""
spent = [0.0, 0.0]
end = time.process_time() + 2.0
while time.process_time() < end:
    t0 = time.process_time(); heavy({HEAVY_WORK}); t1 = time.process_time(); light({LIGHT_WORK}); t2 = time.process_time()
    spent[0] += t1 - t0
    spent[1] += t2 - t1
print(spent[0] / sum(spent))
"""


def annotate_inclusive(callgrind: Path) -> tuple[int, dict]:
    """(total, {function: inclusive cost}) as callgrind_annotate --inclusive=yes prints them."""
    done = subprocess.run(
        ["callgrind_annotate", "--inclusive=yes", "--threshold=100", "--auto=no", str(callgrind)],
        capture_output=True, text=True, cwd=callgrind.parent, timeout=60,
    )
    assert done.returncode == 0 and done.stderr == "", done.stderr
    total = int(re.search(r"^([\d,]+) \(100\.0%\)\s+PROGRAM TOTALS", done.stdout, re.M).group(1).replace(",", ""))
    costs = {}
    for line in done.stdout.splitlines():
        row = re.match(r"^\s*([\d,]+) \(\s*[\d.]+%\)\s+(\S.*)$", line)
        if row and "PROGRAM TOTALS" not in line:
            costs[row.group(2)] = int(row.group(1).replace(",", ""))
    return total, costs


def cost_of(costs: dict, function: str) -> int:
    return sum(cost for name, cost in costs.items() if re.search(rf":{re.escape(function)} ", name))


def test_script_is_the_root_and_nothing_exceeds_100_percent(tmp_path):
    (tmp_path / "work.py").write_text(SCRIPT)
    # No retry: vmprofrun installs the crash guard, so a crash here is a fault to see.
    done = subprocess.run(
        [*console_script("vmprofrun"), "work.py"], cwd=tmp_path, capture_output=True, text=True, timeout=200, env=ENV
    )
    assert done.returncode == 0, done.stderr
    measured = float(done.stdout.strip().splitlines()[-1])
    [profile] = tmp_path.glob("vmprof-*.prof")
    [out] = tmp_path.glob("vmprof-*.out")

    total, costs = annotate_inclusive(out)
    assert max(costs.values()) <= total, costs
    assert cost_of(costs, "_run_code") == 0 and cost_of(costs, "run_path") == 0, costs
    assert cost_of(costs, "<module>") >= 0.95 * total, costs  # the script's module holds it all
    heavy, light = cost_of(costs, "heavy"), cost_of(costs, "light")
    assert heavy + light > 100, costs
    assert abs(heavy / (heavy + light) - measured) <= 0.06, (heavy, light, measured)

    kept = tmp_path / "kept.callgrind"
    converted = subprocess.run([*console_script("vmproftocallgrind"), str(profile), "--no-strip", "-o", str(kept)],
                               capture_output=True, text=True, timeout=120, env=ENV)
    assert converted.returncode == 0, converted.stderr
    total, costs = annotate_inclusive(kept)
    assert cost_of(costs, "_run_code") == total, costs  # on every stack, counted once
    assert max(costs.values()) <= total, costs
