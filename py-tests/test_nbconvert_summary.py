"""A saved notebook with a %%vmprof output converts to HTML with the kernel's summary table.

nbconvert does not run our frontend: the static text/html of the display bundle is what
readers of the HTML get. The cell's hot function has a name that is HTML, so the table must
carry it escaped.
"""
from __future__ import annotations

import html

import nbformat
import pytest
from nbconvert import HTMLExporter
from nbconvert.preprocessors import ExecutePreprocessor

pytestmark = pytest.mark.timeout(240)

EVIL = "<b>busy_loop</b>"
CELL = (
    "%%vmprof --wait-summary --name nbconvert-check\n"
    "def busy_loop(n):\n"
    "    total = 0\n"
    "    for i in range(n):\n"
    "        total += i % 7\n"
    "    return total\n"
    f"busy_loop.__code__ = busy_loop.__code__.replace(co_name={EVIL!r})\n"
    "busy_loop(3_000_000)\n"
)


def test_html_export_holds_the_escaped_summary_table(store_dir, tmp_path):
    nb = nbformat.v4.new_notebook()
    nb.metadata["kernelspec"] = {"name": "python3", "display_name": "Python 3", "language": "python"}
    nb.cells = [nbformat.v4.new_code_cell("%load_ext jupyterlab_vmprof"), nbformat.v4.new_code_cell(CELL)]
    ExecutePreprocessor(timeout=180, kernel_name="python3").preprocess(nb, {"metadata": {"path": str(tmp_path)}})

    outputs = nb.cells[1].outputs
    bundles = [o for o in outputs if o.get("output_type") == "display_data"]
    assert bundles, outputs
    data = bundles[-1]["data"]
    assert "application/vnd.jupyterlab-vmprof.profile+json" in data
    assert "<table" in data["text/html"]

    # Without the inputs, so the name can only come from the output.
    body, _ = HTMLExporter(exclude_input=True).from_notebook_node(nb)
    # The summary table is in the page, with the function's name escaped, never as markup.
    assert "<table" in body
    assert html.escape(EVIL) in body
    assert EVIL not in body
