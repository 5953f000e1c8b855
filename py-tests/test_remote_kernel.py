"""A kernel whose store the server cannot read still delivers its profile to the server.

The kernel runs on its own store path (as on another host or in a container: no folder in
common with the server's store). What the frontend does is done here with jupyter_client on
the same wire: open a comm to the kernel's `jupyterlab-vmprof-transfer` target, take the one
message it answers, PUT it to the server's profiles/<id>/transfer. Then the server's browser
list, graph and exports serve the profile as if the kernel had written it there.
"""
from __future__ import annotations

import base64
import gzip
import json
import queue
import time
import uuid
from pathlib import Path

import pytest

from kernel_fixtures import Kernel

pytestmark = pytest.mark.timeout(240)

API = "jupyterlab-vmprof"
REPO = Path(__file__).resolve().parent.parent
BUSY = "def busy(n):\n    t = 0\n    for i in range(n):\n        t += i % 7\n    return t\nbusy(2_000_000)\n"


def fetch_over_comm(kernel: Kernel, profile_id: str, timeout: float = 30) -> dict:
    """What the frontend does: comm_open with the id, then the kernel's one comm_msg."""
    comm_id = uuid.uuid4().hex
    kernel.client.session.send(kernel.client.shell_channel.socket, "comm_open",
                               {"comm_id": comm_id, "target_name": "jupyterlab-vmprof-transfer",
                                "data": {"id": profile_id}})
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        try:
            msg = kernel.client.get_iopub_msg(timeout=1)
        except queue.Empty:
            continue
        if msg["msg_type"] == "comm_msg" and msg["content"]["comm_id"] == comm_id:
            return msg["content"]["data"]
    raise TimeoutError("the kernel did not answer the comm")


@pytest.fixture
def remote_kernel(tmp_path):
    own_store = tmp_path / "kernel-store"
    own_store.mkdir()
    kernel = Kernel(own_store, {"PYTHONPATH": str(REPO), "IPYTHONDIR": str(tmp_path / "ipython")})
    yield kernel, own_store
    kernel.shutdown()


async def test_a_kernel_with_its_own_store_delivers_its_profile(remote_kernel, store_dir, jp_fetch):
    kernel, own_store = remote_kernel
    done = kernel.run("%%vmprof --lines --name far-away\n" + BUSY)
    assert done.status == "ok", done.describe()
    profile_id = done.profiles[0]["id"]
    assert (own_store / profile_id).is_dir() and not (store_dir / profile_id).exists()

    # The server does not know it yet: the output would have nothing to show but its copy.
    missing = await jp_fetch(API, "profiles", profile_id, raise_error=False)
    assert missing.code == 404

    answer = fetch_over_comm(kernel, profile_id)
    assert "error" not in answer, answer
    assert {"profile.prof", "maps.txt"} <= set(answer["files"])
    raw = gzip.decompress(base64.b64decode(answer["files"]["profile.prof"]))
    assert raw == (own_store / profile_id / "profile.prof").read_bytes()

    put = await jp_fetch(API, "profiles", profile_id, "transfer", method="PUT",
                         body=json.dumps({"meta": answer["meta"], "files": answer["files"]}))
    assert put.code == 201
    meta = json.loads(put.body)
    assert meta["id"] == profile_id and meta["name"] == "far-away" and meta["status"] == "complete"

    # Now in the server's store, listed, and drawn from its own files: the same sample count
    # as the kernel counted, the cell's function by name.
    listing = json.loads((await jp_fetch(API, "profiles")).body)
    assert [p["id"] for p in listing["profiles"]] == [profile_id]
    graph = json.loads((await jp_fetch(API, "profiles", profile_id, "graph")).body)
    assert graph["profile"]["totalSamples"] == done.profiles[0]["samples"]
    assert "busy" in {f["name"] for f in graph["frames"]}
    callgrind = await jp_fetch(API, "profiles", profile_id, "export", "callgrind")
    assert b"fn=" in callgrind.body

    # A second delivery changes nothing (200, the stored meta).
    again = await jp_fetch(API, "profiles", profile_id, "transfer", method="PUT",
                           body=json.dumps({"meta": dict(answer["meta"], name="other"), "files": answer["files"]}))
    assert again.code == 200 and json.loads(again.body)["name"] == "far-away"


async def test_the_kernel_refuses_what_is_not_a_profile_id(remote_kernel):
    kernel, _ = remote_kernel
    assert kernel.run("%%vmprof\nx = 1").status == "ok"
    for bad in ("../../etc", "20250101T000000-00000000"):
        answer = fetch_over_comm(kernel, bad)
        assert "files" not in answer and answer["error"], answer


async def test_transfer_refuses_bad_bodies(jp_fetch, store_dir):
    profile_id = "20250101T000000-0badc0de"

    async def put(body):
        return await jp_fetch(API, "profiles", profile_id, "transfer", method="PUT", body=body, raise_error=False)

    packed = base64.b64encode(gzip.compress(b"x" * 100)).decode()
    assert (await put("not json")).code == 400
    assert (await put(json.dumps({"meta": {}, "files": {"../evil": packed}}))).code == 400
    assert (await put(json.dumps({"meta": {}, "files": {"profile.prof": "%%%"}}))).code == 400
    assert (await put(json.dumps({"meta": {}, "files": {"maps.txt": packed}}))).code == 400  # no profile
    assert not (store_dir / profile_id).exists()


async def test_transfer_needs_credentials(http_server_client, jp_base_url, store_dir):
    profile_id = "20250101T000000-0badc0de"
    packed = base64.b64encode(gzip.compress(b"x" * 100)).decode()
    body = json.dumps({"meta": {"name": "pwned"}, "files": {"profile.prof": packed}})
    url = f"{jp_base_url.rstrip('/')}/{API}/profiles/{profile_id}/transfer"
    response = await http_server_client.fetch(url, method="PUT", body=body, raise_error=False)
    assert response.code in (401, 403)
    assert not (store_dir / profile_id).exists()


async def test_transfer_says_whether_the_server_has_the_profile(jp_fetch, put_profile, profile_data):
    profile_id = put_profile(profile_data / "generated" / "mixed.prof")
    here = json.loads((await jp_fetch(API, "profiles", profile_id, "transfer")).body)
    absent = json.loads((await jp_fetch(API, "profiles", "20250101T000000-0badc0de", "transfer")).body)
    assert here == {"id": profile_id, "stored": True} and absent["stored"] is False
