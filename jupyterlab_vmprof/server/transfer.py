"""PUT profiles/<id>/transfer: a profile that arrives with its own id (store_transfer.py).

Body: `{"meta": {meta.json fields}, "files": {"profile.prof": <gzip, base64>, "maps.txt": …}}`,
sent by the frontend with what it fetched from a kernel whose store this server cannot read,
or with the raw profile saved in a notebook output. 201 with the meta when stored, 200 with
the stored meta when the id was already there. GET says whether the id is stored.
"""
from __future__ import annotations

import base64
import binascii
import json
import zlib

import tornado.web

from ..store import StoreError
from ..store_transfer import receive
from .errors import api_error
from .handlers import BaseHandler


def gunzip(text: str, budget: int) -> bytes:
    """Decode one file, refusing more than `budget` bytes once inflated (a gzip bomb stays small)."""
    try:
        packed = base64.b64decode(text, validate=True)
        inflater = zlib.decompressobj(16 + zlib.MAX_WBITS)
        data = inflater.decompress(packed, budget + 1)
    except (binascii.Error, ValueError, zlib.error) as err:
        raise StoreError("bad-request", f"a file is not gzip in base64: {err}") from err
    if len(data) > budget or inflater.unconsumed_tail:
        raise StoreError("too-large", f"the profile's files are over {budget} bytes (VmprofExtension.max_import_mb)")
    return data


class TransferHandler(BaseHandler):
    @tornado.web.authenticated
    async def get(self, profile_id: str) -> None:
        """`{"id", "stored": bool}`: whether a sender still needs to send this profile."""
        self.check_id(profile_id)
        stored = await self.call(lambda: (self.store.root / profile_id).is_dir())
        self.finish(json.dumps({"id": profile_id, "stored": stored}))

    @tornado.web.authenticated
    async def put(self, profile_id: str) -> None:
        self.check_id(profile_id)
        budget = self.vmprof["config"].max_import_mb * 1024 * 1024
        try:
            body = json.loads(self.request.body or b"null")
            if not isinstance(body, dict) or not isinstance(body.get("files"), dict):
                raise StoreError("bad-request", 'the body must be {"meta": {...}, "files": {name: gzip+base64}}')
            files = {}
            for name, text in body["files"].items():
                if not isinstance(text, str):
                    raise StoreError("bad-request", f"file {name!r} is not a string")
                files[name] = gunzip(text, budget - sum(len(d) for d in files.values()))
            meta, created = await self.call(receive, self.store, profile_id, body.get("meta") or {}, files)
        except ValueError as err:
            raise api_error(StoreError("bad-request", f"the body is not JSON: {err}")) from err
        except StoreError as err:
            raise api_error(err) from err
        self.set_status(201 if created else 200)
        self.finish(json.dumps(meta))
