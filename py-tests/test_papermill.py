"""papermill runs a parametrised notebook with %%vmprof as it stands: no %load_ext, and each
profile output complete when papermill stops listening at the cell's end."""
from __future__ import annotations

from pathlib import Path

import nbformat
import pytest

from kernel_fixtures import MIME

papermill = pytest.importorskip("papermill")  # in the test extras (pyproject.toml)

pytestmark = pytest.mark.timeout(240)

REPO = Path(__file__).resolve().parent.parent


def test_papermill_run_keeps_complete_profiles(store_dir, tmp_path, monkeypatch):
    monkeypatch.setenv("PYTHONPATH", str(REPO))
    monkeypatch.setenv("IPYTHONDIR", str(tmp_path / "ipython"))
    source = nbformat.v4.new_notebook()
    source.metadata["kernelspec"] = {"name": "python3", "display_name": "Python 3", "language": "python"}
    parameters = nbformat.v4.new_code_cell("n = 10")
    parameters.metadata["tags"] = ["parameters"]
    source.cells = [
        parameters,
        nbformat.v4.new_code_cell(
            "%%vmprof --name papermill-run\n"
            "def papermill_work(n):\n"
            "    return sum(i % 7 for i in range(n))\n"
            "papermill_work(n)"
        ),
    ]
    nbformat.write(source, tmp_path / "in.ipynb")
    papermill.execute_notebook(str(tmp_path / "in.ipynb"), str(tmp_path / "out.ipynb"),
                               parameters={"n": 2_000_000}, kernel_name="python3", cwd=str(tmp_path))

    result = nbformat.read(tmp_path / "out.ipynb", as_version=4)
    profiled = result.cells[-1]
    [data] = [o["data"] for o in profiled.outputs if MIME in o.get("data", {})]
    assert data[MIME]["name"] == "papermill-run" and data[MIME]["status"] == "complete"
    assert isinstance(data[MIME]["samples"], int) and data[MIME]["samples"] > 0
    assert "self %" in data["text/plain"] and "being computed" not in data["text/plain"]
    # The flame graph in the HTML names the cell's function (its self time is in C: not in the table).
    assert "jp-vmprof-static-flame" in data["text/html"] and "<title>papermill_work (" in data["text/html"]
    assert data[MIME]["embedded"]["format"] == "jupyterlab-vmprof-embedded"
    # The injected parameter reached the profiled cell (its value is the cell's result).
    [result_output] = [o for o in profiled.outputs if o.get("output_type") == "execute_result"]
    assert result_output["data"]["text/plain"] == str(sum(i % 7 for i in range(2_000_000)))
