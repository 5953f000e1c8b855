"""The REST API's errors: the store's and the converter's error codes as HTTP statuses.

Every error answer is JSON with the code and the message (BaseHandler.write_error), so a
client can tell a bad profile (422) from a converter that could not run (503).
"""

from __future__ import annotations

import tornado.web

from ..node_converter import ConversionError
from ..store import StoreError

# HTTP status of each error code of the store and of the converter, one status a line.
# fmt: off
STATUS = {
    "bad-id": 400, "bad-request": 400, "bad-option": 400, "usage": 400,
    "not-found": 404,
    "too-large": 413, "disk-full": 507,
    "truncated": 422, "version": 422, "corrupt-profile": 422,
    "node-missing": 503, "converter-missing": 503, "timeout": 503, "memory": 503, "busy": 503,
    "crashed": 500, "failed": 500, "io": 500, "unwritable": 500, "corrupt": 500,
}
# fmt: on


class ApiError(tornado.web.HTTPError):
    def __init__(self, status: int, code: str, message: str):
        super().__init__(status, log_message=message.replace("%", "%%"))
        self.code = code
        self.message = message


def api_error(err: Exception) -> ApiError:
    """The HTTP error that carries a store or converter error to the client."""
    if isinstance(err, ConversionError):
        # The store says "corrupt" for unreadable metadata (a server-side problem); the
        # converter says it for a bad profile file, which is the client's data: 422.
        code = "corrupt-profile" if err.code == "corrupt" else err.code
        return ApiError(STATUS.get(code, 500), err.code, err.message)
    assert isinstance(err, StoreError)
    return ApiError(STATUS.get(err.code, 500), err.code, err.message)
