"""Every route of the extension refuses requests without credentials.

The routes are read from the running server's routing table, not from a list in
this file, so a handler added later without @authenticated is caught too.
"""
from __future__ import annotations

import json
import re

import pytest
from tornado.web import RequestHandler

METHODS = ("GET", "POST", "PATCH", "DELETE")


def extension_routes(web_app) -> list:
    """(matcher, handler class) of every registered route served by jupyterlab_vmprof."""
    found = []

    def walk(router):
        for rule in getattr(router, "rules", []):
            target = rule.target
            if isinstance(target, type) and issubclass(target, RequestHandler):
                if target.__module__.startswith("jupyterlab_vmprof"):
                    found.append((rule.matcher, target))
            else:
                walk(target)

    walk(web_app.default_router)
    return found


def example_urls(web_app, profile_id: str) -> list[str]:
    """A concrete URL per route: the first group is a profile id, a second one an export
    format, or another profile id for the comparison route (.../diff/<other id>)."""
    urls = []
    for matcher, handler in extension_routes(web_app):
        second = profile_id if "/diff/" in matcher.regex.pattern else "callgrind"
        values = iter([profile_id, second])
        url = re.sub(r"\([^()]*\)", lambda _group: next(values), matcher.regex.pattern.rstrip("$"))
        assert "(" not in url and "\\" not in url, f"cannot build a URL for {handler.__name__}: {url}"
        urls.append(url)
    return urls


@pytest.fixture
def existing_profile(put_profile, profile_data):
    return put_profile(profile_data / "generated" / "mixed.prof")


async def test_every_route_requires_authentication(jp_serverapp, http_server_client, existing_profile, store):
    urls = example_urls(jp_serverapp.web_app, existing_profile)
    assert len(urls) >= 5, urls  # list+import, one profile, graph, export, diff
    before = json.loads((store.folder(existing_profile) / "meta.json").read_text())
    answers = {}
    for url in urls:
        for method in METHODS:
            body = b'{"name": "pwned"}' if method in ("POST", "PATCH") else None
            response = await http_server_client.fetch(url, method=method, body=body, raise_error=False)
            answers[(method, url)] = response.code
            if method == "GET":
                # Without a token, GET gets no data. (Non-GET also lacks an XSRF token here.)
                assert b"pwned" not in response.body and existing_profile.encode() not in response.body
    refused = {key: code for key, code in answers.items() if code not in (401, 403)}
    assert not refused, f"answered without credentials: {refused}"
    # And nothing changed on disk.
    assert store.ids() == [existing_profile]
    assert json.loads((store.folder(existing_profile) / "meta.json").read_text()) == before


async def test_same_routes_work_with_a_token(jp_serverapp, http_server_client, jp_auth_header, existing_profile):
    """Guards the test above: the URLs it builds are real routes, not 404s that pass for refusals."""
    for url in example_urls(jp_serverapp.web_app, existing_profile):
        response = await http_server_client.fetch(url, headers=jp_auth_header, raise_error=False)
        assert response.code == 200, (url, response.code, response.body)
