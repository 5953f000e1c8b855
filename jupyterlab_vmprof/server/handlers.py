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

from .. import formats
from .conversions import ConversionService, Options
from .converter_pool import run_with_server
from .errors import ApiError, api_error
from .settings import VmprofExtension
from .parts import PROCESS_PATTERN, process_inputs
from ..node_converter import ConversionError, choose_node
from ..store import PROFILE_FILE, PendingImport, ProfileStore, StoreError
from ..store_files import open_regular_file

NAMESPACE = "jupyterlab-vmprof"
SETTINGS_KEY = "jupyterlab_vmprof"
# A thread id; in the merged profile of Dask workers, after its process's label (parts.py).
THREAD_PATTERN = re.compile(r"(worker [0-9]{1,4} \([^/\n]{0,200}\)/)?(0x)?[0-9a-fA-F]{1,32}")
CHUNK = 1024 * 1024
# A PATCH body is {"name": ...} with a name of at most 200 characters.
MAX_PATCH_BYTES = 64 * 1024
# The folders of an absolute path in an error message ("/srv/x/vmprof-convert.js" → "…/vmprof-convert.js").
SERVER_FOLDER = re.compile(r"(?<![\w.>~])/(?:[^\s/'\"()]+/)+")
# Query parameters that authenticate a request: never written to the log.
SECRET_PARAMETER = re.compile(r"([?&](?:token|_xsrf)=)[^&#]*", re.IGNORECASE)


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
        if code == "busy":
            self.set_header("Retry-After", "2")
        self.set_header("Content-Type", "application/json")
        self.finish(json.dumps({"error": {"code": code, "message": self.without_server_paths(message)}}))

    def without_server_paths(self, message: str) -> str:
        """The client learns which profile or file, never where the server keeps it."""
        for folder, shown in self.service.private_folders():
            message = message.replace(folder, shown)
        return SERVER_FOLDER.sub("…/", message)

    def _request_summary(self) -> str:
        # Tornado's warning line for a failed request quotes the URI, token included.
        uri = SECRET_PARAMETER.sub(r"\1[secret]", self.request.uri or "")
        return f"{self.request.method} {uri} ({self.request.remote_ip})"

    async def call(self, function, *args: Any, **kwargs: Any) -> Any:
        try:
            return await asyncio.to_thread(function, *args, **kwargs)
        except (StoreError, ConversionError) as err:
            raise api_error(err) from err

    def check_id(self, profile_id: str) -> str:
        try:
            return ProfileStore.check_id(profile_id)
        except StoreError as err:
            raise api_error(err) from err

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
        # strip=False: a thread id with a trailing newline is refused, not silently trimmed.
        thread = self.get_argument("thread", None, strip=False) or None
        if thread is not None and not THREAD_PATTERN.fullmatch(thread):
            raise ApiError(400, "bad-option", f"thread must be a thread id (decimal or hex), not {thread!r}")
        process = self.get_argument("process", None, strip=False) or "kernel"
        if not PROCESS_PATTERN.fullmatch(process):
            raise ApiError(400, "bad-option", f"process must be kernel, workers or worker-<n>, not {process!r}")
        return Options(
            fmt=fmt, thread=thread, strip=self.flag("strip", True),
            collapse_dispatcher=self.flag("collapse_dispatcher", True), lines=self.flag("lines", False),
            process=process, kernel_threads=self.flag("kernel_threads", False),
        )

    _conversion: Optional[asyncio.Future] = None

    async def convert(self, profile_id: str, options: Options):
        # A task of its own, so that a client going away can stop its wait (on_connection_close).
        self._conversion = asyncio.ensure_future(self.service.convert(profile_id, options))
        try:
            converted = await self._conversion
        except (StoreError, ConversionError) as err:
            raise api_error(err) from err
        except asyncio.CancelledError:
            if self.request.connection.stream.closed():
                raise tornado.web.Finish() from None  # nobody to answer
            raise
        self.set_header("X-Vmprof-Cache", "hit" if converted.from_cache else "miss")
        self.set_header("X-Vmprof-Warnings", str(len(converted.warnings)))
        return converted

    def on_connection_close(self) -> None:
        if self._conversion is not None:
            self._conversion.cancel()  # the service stops the conversion if nobody else waits
        super().on_connection_close()

    async def send_file(self, path: os.PathLike | str, content_type: str) -> None:
        """Stream a file in chunks so a large export neither fills memory nor holds the loop."""
        try:
            handle = await asyncio.to_thread(open_regular_file, path)
        except OSError as err:
            raise ApiError(404, "not-found", f"{os.path.basename(path)} cannot be read: {err.strerror}") from err
        with handle:
            self.set_header("Content-Type", content_type)
            self.set_header("Content-Length", str(os.fstat(handle.fileno()).st_size))
            while True:
                chunk = await asyncio.to_thread(handle.read, CHUNK)
                if not chunk:
                    break
                self.write(chunk)
                await self.flush()
        self.finish(set_content_type=content_type)


@tornado.web.stream_request_body
class ProfilesHandler(BaseHandler):
    """List (GET) and import (POST). An import is written to the store as it arrives: the
    server never holds more of it than one piece. Too large by its Content-Length, it gets
    413 at once; sent in chunks, the rest is dropped as it arrives and 413 comes at its end
    (clients read no answer before they have sent their body)."""

    _pending: Optional[PendingImport] = None
    _refusal: Optional[ApiError] = None

    async def prepare(self) -> None:
        await super().prepare()
        if self.request.method != "POST":
            return
        if not self.current_user:
            raise tornado.web.HTTPError(403)  # nothing is received for an unknown client
        limit = self.vmprof["config"].max_import_mb * 1024 * 1024
        length = self.request.headers.get("Content-Length")
        if length is not None and length.isdigit() and int(length) > limit:
            raise ApiError(413, "too-large", f"the profile is {length} bytes; the limit is {limit} bytes "
                           "(VmprofExtension.max_import_mb)")
        # Past the server's own body limit Tornado would answer a bare 400: our limit comes first.
        self.request.connection.set_max_body_size(limit + CHUNK)
        self._pending = await self.call(self.store.start_import, limit)

    async def data_received(self, chunk: bytes) -> None:
        if self._pending is None:
            return  # refused already: the rest of the body is dropped as it arrives
        try:
            await asyncio.to_thread(self._pending.write, chunk)
        except StoreError as err:
            self._drop_import()
            self._refusal = api_error(err)
            if err.code == "too-large":
                self._refusal.message += " (VmprofExtension.max_import_mb)"
            # Dropped, the rest costs no memory: let it come so that the client reads the answer.
            self.request.connection.set_max_body_size(2**62)

    def _drop_import(self) -> None:
        if self._pending is not None:
            self._pending.abort()
            self._pending = None

    def on_finish(self) -> None:
        self._drop_import()

    def on_connection_close(self) -> None:
        self._drop_import()
        super().on_connection_close()

    @tornado.web.authenticated
    async def get(self) -> None:
        page = self.integer("page", 1, 1, 10**9)
        per_page = self.integer("per_page", 50, 1, 1000)
        notebook = self.get_argument("notebook", None) or None
        listing = await self.call(self.store.list, page=page, per_page=per_page, notebook=notebook)
        self.finish(json.dumps(listing))

    @tornado.web.authenticated
    async def post(self) -> None:
        if self._refusal is not None:
            raise self._refusal
        name = self.get_argument("name", "")
        try:
            meta = await self.call(self._pending.finish, name)
        finally:
            self._drop_import()
        self.set_status(201)
        self.finish(json.dumps(meta))


@tornado.web.stream_request_body
class ProfileHandler(BaseHandler):
    """Metadata (GET), rename (PATCH: a small JSON body, refused past MAX_PATCH_BYTES), DELETE."""

    _body: Optional[bytearray] = None

    async def prepare(self) -> None:
        await super().prepare()
        self._body = bytearray()
        length = self.request.headers.get("Content-Length")
        if length is not None and length.isdigit() and int(length) > MAX_PATCH_BYTES:
            raise ApiError(413, "too-large", f"the body is {length} bytes; the limit is {MAX_PATCH_BYTES}")

    def data_received(self, chunk: bytes) -> None:
        if self._finished or self._body is None:
            return
        if len(self._body) + len(chunk) > MAX_PATCH_BYTES:
            self._body = None
            error = ApiError(413, "too-large", f"the body is over {MAX_PATCH_BYTES} bytes, the limit")
            self.send_error(413, exc_info=(type(error), error, None))
            return
        self._body += chunk

    @tornado.web.authenticated
    async def get(self, profile_id: str) -> None:
        meta = await self.call(self.store.read_meta, self.check_id(profile_id))
        self.finish(json.dumps(meta))

    @tornado.web.authenticated
    async def patch(self, profile_id: str) -> None:
        self.check_id(profile_id)
        if self._finished or self._body is None:
            return
        try:
            body = json.loads(bytes(self._body) or b"null")
        except (ValueError, RecursionError) as err:
            raise ApiError(400, "bad-request", f"the body is not JSON: {str(err)[:200]}") from err
        if not isinstance(body, dict) or not isinstance(body.get("name"), str):
            raise ApiError(400, "bad-request", 'expected a JSON body {"name": "..."}')
        meta = await self.call(self.store.rename, profile_id, body["name"])
        self.finish(json.dumps(meta))

    @tornado.web.authenticated
    async def delete(self, profile_id: str) -> None:
        await self.call(self.store.delete, self.check_id(profile_id))
        self.service.cancel_conversions_of(profile_id)
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
        options = self.conversion_options(fmt if info.converted else "json")
        if not info.converted:
            path = await self.call(self.raw_profile, profile_id, options.process)
        else:
            path = (await self.convert(profile_id, options)).path
        # A worker's export says whose it is (callgrind.out.<id>.worker-0), and a converted one which
        # threads it holds (.thread-<id>, .with-kernel-threads), as the browser names its downloads.
        tag = "" if options.process == "kernel" else f".{options.process}"
        if info.converted:
            tag += formats.thread_tag(options.thread, options.kernel_threads)
        # Ids are [0-9a-zT-] only, so the name needs no quoting beyond the quotes.
        self.set_header("Content-Disposition", f'attachment; filename="{info.download_name(profile_id, tag)}"')
        await self.send_file(path, info.content_type)

    def raw_profile(self, profile_id: str, process: str):
        folder = self.store.existing_folder(profile_id)
        if process == "kernel":
            return folder / PROFILE_FILE
        if process == "workers":
            raise ApiError(400, "bad-option", "a raw profile holds one process: choose the kernel or one worker")
        inputs = process_inputs(self.store, profile_id, process, folder)
        return inputs["profile_path"]


class DiffHandler(BaseHandler):
    """Diff JSON of two store profiles (docs/architecture.md, "Diff JSON"): b − a per function."""

    @tornado.web.authenticated
    async def get(self, profile_id: str, other_id: str) -> None:
        self.check_id(profile_id)
        self.check_id(other_id)
        # Both profiles are cleaned with the same options; --thread and --lines do not apply. Each
        # side leaves its kernel's own threads out unless kernel_threads (conversion_cache.cell_threads).
        options = Options(
            fmt="json", strip=self.flag("strip", True), collapse_dispatcher=self.flag("collapse_dispatcher", True),
            diff_with=other_id, kernel_threads=self.flag("kernel_threads", False),
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
    run_with_server(server_app, service.pool.keep_one_ready, service.stop)  # a warm converter worker; none left after
    web_app.settings[SETTINGS_KEY] = {"config": config, "store": store, "service": service}
    base = url_path_join(web_app.settings["base_url"], NAMESPACE)
    from .transfer import TransferHandler  # here: transfer.py builds on this module's BaseHandler

    routes = [*ROUTES, (rf"profiles/{ID}/transfer", TransferHandler)]
    web_app.add_handlers(".*$", [(url_path_join(base, pattern) + "$", handler) for pattern, handler in routes])
    server_app.log.info("jupyterlab_vmprof: profile store %s", store.root)
    try:
        node = choose_node(config.node_path or None)
        # A warning when a node on PATH was passed over: whoever put it there expects it to run.
        (server_app.log.warning if node.skipped else server_app.log.info)(
            "jupyterlab_vmprof: conversions run on %s", node.describe()
        )
    except ConversionError as err:  # each conversion will say it again, as its error
        server_app.log.warning("jupyterlab_vmprof: conversions cannot run: %s", err.message)
