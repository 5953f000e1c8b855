"""No request reads, writes or deletes anything outside the profile store.

Outside the store sits a folder that looks exactly like a profile (meta.json,
profile.prof with a recognisable payload). Requests try to reach it by `..`,
percent-encoded `..`, absolute paths, and symlinks planted inside the store.
"""
from __future__ import annotations

import json
import os
import shutil

import pytest

API = "jupyterlab-vmprof"
OUTSIDE_ID = "20200101T000000-deadbeef"
SECRET = b"SECRET-OUTSIDE-THE-STORE"


@pytest.fixture
def outside(tmp_path, profile_data):
    """A profile-shaped folder outside the store, and a snapshot of it to compare with later."""
    folder = tmp_path / "outside" / OUTSIDE_ID
    folder.mkdir(parents=True)
    meta = {"id": OUTSIDE_ID, "name": "SECRET-NAME", "status": "complete", "notebook": ""}
    (folder / "meta.json").write_text(json.dumps(meta))
    (folder / "profile.prof").write_bytes((profile_data / "generated" / "mixed.prof").read_bytes() + SECRET)
    (folder.parent / "secret.txt").write_bytes(SECRET)
    return folder


def snapshot(folder):
    return {p.relative_to(folder.parent).as_posix(): p.read_bytes() for p in sorted(folder.parent.rglob("*")) if p.is_file()}


async def raw(http_server_client, jp_serverapp, jp_auth_header, path, method="GET", body=None):
    """A request with the path exactly as written (jp_fetch would percent-encode the '%')."""
    url = jp_serverapp.base_url + API + "/" + path
    return await http_server_client.fetch(url, method=method, body=body, headers=jp_auth_header, raise_error=False)


async def test_dot_dot_encoded_and_absolute_paths_are_refused(
    jp_serverapp, http_server_client, jp_auth_header, outside, store, put_profile, profile_data
):
    inside = put_profile(profile_data / "generated" / "mixed.prof")
    relative = os.path.relpath(outside, store.root)  # ../outside/<id>
    before = snapshot(outside)
    attempts = [
        f"profiles/{relative}",
        f"profiles/{relative}/export/raw",
        f"profiles/{relative.replace('/', '%2F')}",
        f"profiles/{relative.replace('/', '%2F')}/export/raw",
        f"profiles/{relative.replace('.', '%2e').replace('/', '%2f')}/graph",
        f"profiles/%2e%2e%2f%2e%2e%2foutside%2f{OUTSIDE_ID}/export/raw",
        f"profiles/{inside}/..%2F..%2Foutside%2F{OUTSIDE_ID}",
        f"profiles/{inside}/export/..%2F..%2F..%2Foutside%2Fsecret.txt",
        f"profiles/{inside}/export/%2e%2e%2fmeta.json",
        f"profiles/{str(outside).replace('/', '%2F')}",
        f"profiles/{str(outside).replace('/', '%2F')}/export/raw",
        "profiles/..%2F..%2F..%2F..%2F..%2F..%2Fetc%2Fpasswd/export/raw",
        f"profiles/{inside}/../../outside/{OUTSIDE_ID}/export/raw",
    ]
    for path in attempts:
        for method, body in (("GET", None), ("PATCH", b'{"name": "owned"}'), ("DELETE", None)):
            response = await raw(http_server_client, jp_serverapp, jp_auth_header, path, method, body)
            assert response.code in (400, 404, 405), (method, path, response.code)
            assert SECRET not in response.body and b"SECRET-NAME" not in response.body and b"root:" not in response.body
            if response.code == 400:
                assert json.loads(response.body)["error"]["code"] in ("bad-id", "bad-option")
    assert snapshot(outside) == before
    assert (await raw(http_server_client, jp_serverapp, jp_auth_header, f"profiles/{inside}")).code == 200


async def test_symlinked_profile_folder_is_not_followed(
    jp_serverapp, http_server_client, jp_auth_header, outside, store
):
    # Same id as the outside folder, so the link is a valid-looking profile.
    os.symlink(outside, store.root / OUTSIDE_ID)
    before = snapshot(outside)
    listing = await raw(http_server_client, jp_serverapp, jp_auth_header, "profiles")
    assert json.loads(listing.body)["total"] == 0
    for path, method, body in [
        (f"profiles/{OUTSIDE_ID}", "GET", None),
        (f"profiles/{OUTSIDE_ID}/graph", "GET", None),
        (f"profiles/{OUTSIDE_ID}/export/raw", "GET", None),
        (f"profiles/{OUTSIDE_ID}/export/callgrind", "GET", None),
        (f"profiles/{OUTSIDE_ID}", "PATCH", b'{"name": "owned"}'),
        (f"profiles/{OUTSIDE_ID}", "DELETE", None),
    ]:
        response = await raw(http_server_client, jp_serverapp, jp_auth_header, path, method, body)
        assert response.code == 404, (method, path, response.code, response.body)
        assert SECRET not in response.body and b"SECRET-NAME" not in response.body
    assert snapshot(outside) == before
    assert not (outside / "cache").exists()


async def test_symlinked_files_inside_a_real_profile_are_not_followed(
    jp_serverapp, http_server_client, jp_auth_header, outside, store, put_profile, profile_data
):
    linked_data = put_profile(profile_data / "generated" / "mixed.prof")
    data_file = store.profile_path(linked_data)
    data_file.unlink()
    os.symlink(outside / "profile.prof", data_file)

    linked_meta = put_profile(profile_data / "generated" / "mixed.prof")
    meta_file = store.folder(linked_meta) / "meta.json"
    meta_file.unlink()
    os.symlink(outside / "meta.json", meta_file)

    # A cache folder that points outside: results must not be written there.
    linked_cache = put_profile(profile_data / "generated" / "mixed.prof")
    outside_cache = outside.parent / "cache-target"
    outside_cache.mkdir()
    os.symlink(outside_cache, store.folder(linked_cache) / "cache")

    before = snapshot(outside)
    for path in (f"profiles/{linked_data}/export/raw", f"profiles/{linked_data}/graph"):
        response = await raw(http_server_client, jp_serverapp, jp_auth_header, path)
        assert response.code == 404, (path, response.code)
        assert SECRET not in response.body
    for path, method, body in [
        (f"profiles/{linked_meta}", "GET", None),
        (f"profiles/{linked_meta}", "PATCH", b'{"name": "owned"}'),
        (f"profiles/{linked_meta}/export/raw", "GET", None),
    ]:
        response = await raw(http_server_client, jp_serverapp, jp_auth_header, path, method, body)
        assert response.code == 404, (path, response.code)
        assert b"SECRET-NAME" not in response.body

    graph = await raw(http_server_client, jp_serverapp, jp_auth_header, f"profiles/{linked_cache}/graph")
    assert graph.code == 200, graph.body
    assert json.loads(graph.body)["profile"]["samples"] == 758
    assert list(outside_cache.iterdir()) == []

    # Deleting a profile that holds a link removes the link, not what it points to.
    response = await raw(http_server_client, jp_serverapp, jp_auth_header, f"profiles/{linked_cache}", "DELETE")
    assert response.code == 204
    assert outside_cache.is_dir()
    response = await raw(http_server_client, jp_serverapp, jp_auth_header, f"profiles/{linked_data}", "DELETE")
    assert response.code == 204
    assert snapshot(outside) == before
    shutil.rmtree(outside_cache)
