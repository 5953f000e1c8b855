"""Store side of bench/flame_100k_lab.mjs (run with the repository's venv):

    python bench/flame_100k_lab.py STORE GRAPH.json SOURCE.prof NOTEBOOK.ipynb [NAME]

Puts one profile in the store at STORE whose converted Graph JSON is GRAPH.json (a
synthetic 100,000-node call tree the converter could not make from a small file),
and writes NOTEBOOK.ipynb with its `%%vmprof` output, as a saved notebook holds it.

The profile data is the real SOURCE.prof; the Graph JSON goes where the server's
conversion cache keeps the converted graph of that file (ConversionService.cache_name
with the options the frontend asks for), so the server serves it like any converted
profile, from the cache. Only public functions of the package are used.
"""
from __future__ import annotations

import json
import shutil
import sys
from pathlib import Path

from jupyterlab_vmprof import node_converter as conv
from jupyterlab_vmprof.server.conversions import ConversionService, Options
from jupyterlab_vmprof.kernel.summary import bundle
from jupyterlab_vmprof.store import ProfileStore


def main(store_root: str, graph: str, source: str, notebook: str, name: str = "flame 100k") -> None:
    store = ProfileStore(store_root)
    meta = store.create(name=name, notebook=Path(notebook).name, cell="# synthetic 100,000-node call tree")
    shutil.copyfile(source, store.profile_path(meta["id"]))
    samples = json.loads(Path(graph).read_text())["profile"]["samples"]
    meta = store.update_meta(meta["id"], status="complete", samples=samples, duration_s=samples / 1000)
    service = ConversionService(store, settings=None)
    entry, _prefix = service.cache_name(service.inputs(meta["id"]), Options(), conv.converter_script(None))
    shutil.copyfile(graph, service.cache_dir(meta["id"]) / entry)
    cell = {
        "cell_type": "code", "execution_count": 1, "id": "flame100k", "metadata": {},
        "source": ["%%vmprof\n", "run()"],
        "outputs": [{"output_type": "display_data", "metadata": {}, "data": bundle(meta)}],
    }
    Path(notebook).write_text(json.dumps({
        "cells": [cell],
        "metadata": {"kernelspec": {"name": "python3", "display_name": "Python 3", "language": "python"}},
        "nbformat": 4, "nbformat_minor": 5,
    }))
    print(meta["id"])


if __name__ == "__main__":
    main(*sys.argv[1:])
