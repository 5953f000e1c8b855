"""What a profile output carries with it: the compact copy of its graph (embed.py) and the static
flame graph of its HTML (flamesvg.py), on Graph JSON the real converter made from real profiles."""
from __future__ import annotations

import base64
import gzip
import json
import xml.etree.ElementTree as ET

import pytest

from jupyterlab_vmprof import node_converter
from jupyterlab_vmprof.kernel import embed
from jupyterlab_vmprof.kernel.flamesvg import flame_svg

EVIL = '<img src=x onerror="alert(1)">&'


@pytest.fixture
def graph(profile_data) -> dict:
    folder = profile_data / "vmprof-0.6.0"
    result = node_converter.convert_sync(folder / "mixed.prof", "json", maps=folder / "mixed.maps")
    return json.loads(result.output)


def decoded(copy: dict) -> dict:
    return json.loads(gzip.decompress(base64.b64decode(copy["graph"])))


def check_tree_adds_up(graph: dict) -> None:
    tree = graph["tree"]
    children_total = [0] * len(tree["frame"])
    for node, up in enumerate(tree["parent"]):
        if node:
            assert up < node  # children after their parent
            children_total[up] += tree["total"][node]
    for node in range(len(tree["frame"])):
        assert tree["total"][node] == tree["self"][node] + children_total[node]


def test_a_small_profile_travels_whole(graph):
    copy, note = embed.compact(graph, 256 * 1024)
    assert note is None and copy["pruned"] is None and copy["format"] == "jupyterlab-vmprof-embedded"
    assert decoded(copy) == graph


def test_past_the_bound_small_calls_are_pruned_and_everything_still_adds_up(graph):
    full = len(embed.encode(embed.graph_text(graph)))
    limit = full - 150  # a small profile: most of its copy is the timeline, which is kept
    copy, note = embed.compact(graph, limit)
    assert copy is not None and len(copy["graph"]) <= limit
    assert "pruned" in note and "full profile" in note
    small = decoded(copy)
    samples = graph["tree"]["total"][0]
    assert small["tree"]["total"][0] == samples and small["profile"] == graph["profile"]
    assert len(small["tree"]["frame"]) < len(graph["tree"]["frame"])
    check_tree_adds_up(small)
    # Self samples of the functions still add up to the samples (the [pruned] frame takes the rest).
    assert sum(f["self"] for f in small["frames"]) == sum(f["self"] for f in graph["frames"])
    assert small["frames"][-1]["name"] == embed.PRUNED_NAME
    # The functions kept keep their exact counts.
    exact = {(f["name"], f["file"], f["line"]): (f["self"], f["total"]) for f in graph["frames"]}
    for frame in small["frames"][:-1]:
        assert exact[(frame["name"], frame["file"], frame["line"])] == (frame["self"], frame["total"])
    for edge in small["edges"]:
        assert edge["callee"] < len(small["frames"]) and edge["caller"] < len(small["frames"])
    assert small["pruned"] == copy["pruned"] and copy["pruned"]["minSamples"] >= 1


def test_no_copy_when_nothing_fits(graph):
    copy, note = embed.compact(graph, 100)
    assert copy is None and "does not fit" in note


def test_raw_profile_rides_along_only_within_the_budget(profile_data, tmp_path):
    raw = (profile_data / "vmprof-0.6.0" / "mixed.prof").read_bytes()
    (tmp_path / "profile.prof").write_bytes(raw)
    files, note = embed.raw_files(tmp_path, 10 * 1024 * 1024)
    assert note is None and gzip.decompress(base64.b64decode(files["profile.prof"])) == raw
    files, note = embed.raw_files(tmp_path, 1000)
    assert files is None and "not in the notebook" in note


def test_static_flame_graph_is_escaped_well_formed_svg(graph):
    hostile = dict(graph, frames=[dict(f, name=EVIL) if f["self"] else f for f in graph["frames"]])
    svg = flame_svg(hostile)
    assert EVIL not in svg and "onerror=\"" not in svg and "<img" not in svg
    root = ET.fromstring(svg)  # well-formed XML: nothing a name holds became markup
    ns = "{http://www.w3.org/2000/svg}"
    rects = root.findall(f".//{ns}rect")
    assert rects[0].get("width") == "1000.0"  # all samples span the width
    titles = [t.text for t in root.findall(f".//{ns}title")]
    assert any(EVIL in t for t in titles)  # the name is there, as text
    samples = graph["tree"]["total"][0]
    assert titles[0] == f"all samples: {samples} samples, 100.0 %"
    assert root.find(f".//{ns}script") is None


def test_attach_puts_the_copy_in_the_mime_type_and_the_svg_after_the_headline(graph):
    data = {"application/x": {"id": "a"}, "text/html": "<div><p>head</p><table></table></div>"}
    embed.attach(data, "application/x", {"graph": "x"}, "<svg></svg>")
    assert data["application/x"] == {"id": "a", "embedded": {"graph": "x"}}
    assert data["text/html"] == f"<div><p>head</p><svg></svg><p><small>{embed.STATIC_NOTE}</small></p><table></table></div>"


def test_a_kernel_with_a_small_bound_prunes_and_says_so(kernel):
    """The setting reaches the output: a copy under the bound, marked and explained as pruned."""
    assert kernel.run("%config VmprofMagics.embed_max_kb = 2").status == "ok"
    done = kernel.run(
        "%%vmprof --name bounded\nimport json, re\n"
        "for i in range(40):\n"
        "    json.loads(json.dumps([{'a': j, 'b': str(j)} for j in range(3000)]))\n"
        "    re.findall(r'(\\\\w+)=(\\\\d+)', ' '.join('k%d=%d' % (j, j) for j in range(3000)))\n"
        "    sorted(str(j) for j in range(3000))\n"
    )
    assert done.status == "ok", done.describe()
    data = done.displays[-1]
    copy = data["application/vnd.jupyterlab-vmprof.profile+json"]["embedded"]
    assert len(copy["graph"]) <= 2 * 1024
    assert copy["pruned"]["minSamples"] >= 1 and copy["pruned"]["nodes"] > 0
    assert copy["raw"] is None  # nothing left of 2 kB for the raw profile
    assert "pruned to fit 2 kB" in data["text/plain"] and "raw profile" in data["text/plain"]
    small = decoded(copy)
    check_tree_adds_up(small)
    # Every sample of the cell's threads (the kernel's own threads are left out: profile.kernelThreads).
    assert small["tree"]["total"][0] == small["profile"]["samples"]
    assert small["profile"]["totalSamples"] == data["application/vnd.jupyterlab-vmprof.profile+json"]["samples"]
