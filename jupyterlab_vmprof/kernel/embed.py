"""The copy of a profile that travels inside its notebook output (contract: docs/architecture.md).

The Graph JSON the summary computes anyway (the cell's threads), gzip-compressed and base64-encoded,
so that the views can draw the profile where the store does not have it: a notebook sent to a
colleague, downloaded from a repository, opened after the profile was deleted. Its size is
bounded (`VmprofMagics.embed_max_kb`): past the bound, the smallest calls of the call tree are
folded into one "[pruned]" node per caller, and the output says so. Optionally the raw profile
rides along (`VmprofMagics.embed_raw`), so that "Import into my profile browser" can bring
the full profile into another store.

Pure functions over dicts: no IPython, no converter. No key functions in sorts: this runs in
the summary thread, and vmprof 0.6.0 crashes when a sample lands while C calls back into
Python (docs/kernel.md).
"""
from __future__ import annotations

import base64
import gzip
import json
from dataclasses import dataclass
from pathlib import Path
from typing import Optional

EMBED_FORMAT = "jupyterlab-vmprof-embedded"
EMBED_VERSION = 1
PRUNED_NAME = "[pruned: calls too small to keep in the notebook]"
STATIC_NOTE = ("Static flame graph of the cell's threads: calls under 0.2 % of the samples, and any past 1,500 "
               "boxes or 60 levels, are left out (their time stays in their caller's box); hover a box "
               "for its numbers.")
# Names a profile's side files may have in an embedded copy (the symbol files the converter reads).
# maps.txt names native frames after an import on a machine with the same libraries (the lean
# stop writes no native symbol records: docs/kernel.md); elsewhere they stay addresses.
RAW_FILES = ("profile.prof", "jit-symbols.json", "maps.txt")


@dataclass(frozen=True)
class EmbedSettings:
    """VmprofMagics.embed_max_kb and embed_raw, for one profile."""

    max_bytes: int = 256 * 1024
    raw: bool = True


def attach(data: dict, mime_type: str, copy: Optional[dict], svg: str) -> dict:
    """The display bundle with the embedded copy in our MIME type and the flame graph in its HTML."""
    if copy is not None:
        data[mime_type] = dict(data[mime_type], embedded=copy)
    if svg:
        # After the headline (the bundle's first paragraph), before notes and table.
        figure = svg + f"<p><small>{STATIC_NOTE}</small></p>"
        head, end, rest = data["text/html"].partition("</p>")
        data["text/html"] = head + end + figure + rest if end else data["text/html"] + figure
    return data


def encode(data: bytes) -> str:
    return base64.b64encode(gzip.compress(data, compresslevel=6, mtime=0)).decode("ascii")


def graph_text(graph: dict) -> bytes:
    return json.dumps(graph, separators=(",", ":"), ensure_ascii=False).encode("utf-8")


def compact(graph: dict, max_bytes: int) -> tuple[Optional[dict], Optional[str]]:
    """(the embedded copy, a note when it was pruned or left out). Never raises on a well-formed graph."""
    encoded = encode(graph_text(graph))
    if len(encoded) <= max_bytes:
        return _copy(encoded, None), None
    totals = (graph.get("tree") or {}).get("total") or [0]
    samples = totals[0] or 1
    slim = {key: value for key, value in graph.items() if key != "lines"}  # per-line costs go first
    threshold = first_threshold(totals, len(encoded), max_bytes)
    while threshold <= samples:
        pruned = prune(slim, threshold)
        encoded = encode(graph_text(pruned))
        if len(encoded) <= max_bytes:
            info = pruned["pruned"]
            note = (f"the copy of this profile saved in the notebook is pruned to fit {max_bytes // 1024} kB: "
                    f"calls under {threshold} samples ({100.0 * threshold / samples:.2g} %) are folded into "
                    f"\"[pruned]\" boxes ({info['nodes']} of {info['nodesBefore']} call-tree nodes), "
                    "per-line costs left out; the profile store has the full profile")
            return _copy(encoded, pruned["pruned"]), note
        threshold *= 2
    return None, f"no copy of this profile in the notebook: it does not fit {max_bytes // 1024} kB"


def first_threshold(totals: list, size: int, max_bytes: int) -> int:
    """A first guess at the node size to prune below, so that a large tree is encoded a few
    times rather than once per doubling from 1: the copy's size goes roughly with its nodes,
    and the nodes of at least t samples are what a threshold t keeps (a node's ancestors have
    at least its samples)."""
    keep = int(len(totals) * max_bytes / max(size, 1) * 0.8)
    if keep >= len(totals):
        return 1
    ranked = sorted(totals, reverse=True)  # plain ints: no key function (see the module doc)
    return max(1, ranked[max(keep, 0)] + 1)


def _copy(encoded: str, pruned: Optional[dict]) -> dict:
    return {"format": EMBED_FORMAT, "version": EMBED_VERSION, "encoding": "gzip+base64",
            "graph": encoded, "pruned": pruned}


def prune(graph: dict, min_samples: int) -> dict:
    """The graph with every call-tree node of fewer than `min_samples` samples folded away.

    Each caller's small children become one node of a synthetic "[pruned]" frame holding
    their samples, so every node still adds up (total = self + children) and the flame graph
    keeps its widths. Frames used by no kept node and under the bound go too; the synthetic
    frame's self count takes theirs, so self samples still add up to the samples.
    """
    frames = graph["frames"]
    tree = graph["tree"]
    parent, total, selfs, frame_of = tree["parent"], tree["total"], tree["self"], tree["frame"]
    pruned_frame = len(frames)
    kept_nodes: list[int] = []
    new_index = {}
    folded: dict[int, int] = {}  # new parent index -> its [pruned] node's new index
    out = {"frame": [], "parent": [], "total": [], "self": []}
    removed_nodes = 0
    for node in range(len(frame_of)):
        up = parent[node]
        if node > 0 and (up not in new_index or total[node] < min_samples):
            removed_nodes += 1
            if up in new_index:  # a small child of a kept node: fold it into that node's [pruned]
                home = new_index[up]
                if home not in folded:
                    folded[home] = len(out["frame"])
                    for key, value in (("frame", pruned_frame), ("parent", home), ("total", 0), ("self", 0)):
                        out[key].append(value)
                slot = folded[home]
                out["total"][slot] += total[node]
                out["self"][slot] += total[node]  # drawn as one box: its whole width is its own
            continue
        new_index[node] = len(out["frame"])
        kept_nodes.append(node)
        out["frame"].append(frame_of[node])
        out["parent"].append(new_index[up] if node > 0 else -1)
        out["total"].append(total[node])
        out["self"].append(selfs[node])

    used = {frame_of[node] for node in kept_nodes if frame_of[node] >= 0}
    keep = [i for i, f in enumerate(frames)
            if i in used or f.get("self", 0) >= min_samples or f.get("total", 0) >= min_samples]
    renumber = {old: new for new, old in enumerate(keep)}
    new_frames = [frames[i] for i in keep]
    dropped_self = sum(f.get("self", 0) for i, f in enumerate(frames) if i not in renumber)
    pruned_total = sum(out["total"][slot] for slot in folded.values())
    if folded or dropped_self:
        renumber[pruned_frame] = len(new_frames)
        new_frames.append({"name": PRUNED_NAME, "file": "", "line": 0, "kind": "unknown",
                           "self": dropped_self, "total": max(pruned_total, dropped_self)})
    out["frame"] = [renumber.get(f, -1) if f >= 0 else -1 for f in out["frame"]]
    edges = [dict(e, caller=renumber[e["caller"]] if e["caller"] >= 0 else -1, callee=renumber[e["callee"]])
             for e in graph.get("edges", [])
             if (e["caller"] < 0 or e["caller"] in renumber) and e["callee"] in renumber
             and e.get("samples", 0) >= min_samples]
    result = dict(graph, frames=new_frames, tree=out, edges=edges)
    result.pop("lines", None)
    result["pruned"] = {"minSamples": min_samples, "nodes": removed_nodes, "nodesBefore": len(frame_of),
                        "frames": len(frames) - len(keep)}
    return result


def raw_files(folder: Path, budget: int) -> tuple[Optional[dict], Optional[str]]:
    """{file name: gzip+base64} of the raw profile and its symbol files, if they fit in `budget` bytes."""
    files = {}
    for name in RAW_FILES:
        path = folder / name
        try:
            if path.is_file() and not path.is_symlink():
                files[name] = encode(path.read_bytes())
        except OSError:
            pass
    if "profile.prof" not in files:
        return None, None
    size = sum(len(text) for text in files.values())
    if size > budget:
        return None, (f"the raw profile ({size // 1024} kB compressed) is not in the notebook: it would pass "
                      "the size bound; \"Import into my profile browser\" imports the copy of the graph only")
    return files, None
