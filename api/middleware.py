"""Around every request: its id, the body size cap (413), and what it leaves behind: one JSON log
line and its Prometheus samples."""

from __future__ import annotations

import logging
import re
import time
from random import getrandbits
from typing import Any

import orjson
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from api.limits import MAX_BODY_BYTES
from api.telemetry import count_error, count_request, operation_label

# An incoming X-Request-Id is kept when it looks like an id, so a caller's id follows the request
# through the logs; anything else (too long, odd characters) could forge log content.
_CLIENT_REQUEST_ID = re.compile(r"[0-9A-Za-z._:-]{1,64}")
UNEXPECTED_ERROR = "Unexpected error; it is logged under the request id in the X-Request-Id header."

access_log = logging.getLogger("aigraph.access")
logger = logging.getLogger(__name__)


class BodyTooLarge(Exception):
    pass


class RequestTelemetry:
    """Pure ASGI middleware: it reads the body once, with a cap, and hands it on unchanged."""

    def __init__(self, app: ASGIApp, max_body_bytes: int = MAX_BODY_BYTES) -> None:
        self.app = app
        self.max_body_bytes = max_body_bytes

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        started = time.perf_counter()
        incoming_id, declared_length = _wanted_headers(scope["headers"])
        request_id = _request_id(incoming_id)
        state = scope.setdefault("state", {})
        state["request_id"] = request_id
        id_header = (b"x-request-id", request_id.encode())
        status = 500
        response_started = False

        async def send_with_id(message: Message) -> None:
            nonlocal status, response_started
            if message["type"] == "http.response.start":
                status, response_started = message["status"], True
                _name_response(message, id_header)
            await send(message)

        try:
            if scope["method"] in ("POST", "PUT", "PATCH"):
                receive = await self._capped(declared_length, receive)
            await self.app(scope, receive, send_with_id)
        except BodyTooLarge:
            count_error("limit")
            message = f"body size limit: the request body exceeds {self.max_body_bytes} bytes"
            await _send_json(send_with_id, 413, _error_body(scope, message))
        except Exception:
            count_error("internal")
            logger.exception("request %s: unexpected error", request_id)
            if response_started:
                raise
            await _send_json(send_with_id, 500, _error_body(scope, UNEXPECTED_ERROR))
        finally:
            self._record(scope, state, status, time.perf_counter() - started)

    async def _capped(self, declared: bytes | None, receive: Receive) -> Receive:
        """The whole body, read up to the cap (Content-Length is only a first, cheap check)."""
        if declared is not None and declared.isdigit() and int(declared) > self.max_body_bytes:
            raise BodyTooLarge
        chunks: list[bytes] = []
        size = 0
        while True:
            message = await receive()
            if message["type"] != "http.request":
                break  # the client went away: the app sees an empty body and its answer is lost
            chunk = message.get("body", b"")
            size += len(chunk)
            if size > self.max_body_bytes:
                raise BodyTooLarge
            chunks.append(chunk)
            if not message.get("more_body", False):
                break
        body = b"".join(chunks)
        delivered = False

        async def replay() -> Message:
            nonlocal delivered
            if delivered:
                return await receive()
            delivered = True
            return {"type": "http.request", "body": body, "more_body": False}

        return replay

    def _record(self, scope: Scope, state: dict[str, Any], status: int, seconds: float) -> None:
        route = _route(scope)
        operation = state.get("operation")
        label = operation_label(operation) if route == "/graphql" else ""
        count_request(route, scope["method"], label, str(status), seconds)
        access_log.info(
            "%s %s %s",
            scope["method"],
            scope["path"],
            status,
            extra={
                "fields": {
                    "request_id": state["request_id"],
                    "method": scope["method"],
                    "path": scope["path"],
                    "route": route,
                    "status": status,
                    "duration_ms": round(seconds * 1000, 3),
                    "operation": operation,
                }
            },
        )


def _wanted_headers(headers: list[tuple[bytes, bytes]]) -> tuple[bytes | None, bytes | None]:
    """The request's X-Request-Id and Content-Length (the last of each), in one pass."""
    request_id = length = None
    for name, value in headers:
        if name == b"x-request-id":
            request_id = value
        elif name == b"content-length":
            length = value
    return request_id, length


def _request_id(incoming: bytes | None) -> str:
    if incoming is not None:
        text = incoming.decode("latin-1")
        if _CLIENT_REQUEST_ID.fullmatch(text):
            return text
    # 64 random bits from the process's own generator, without a system call on every request: a
    # request id must be unique, not unguessable (it names log lines, it grants nothing).
    return f"{getrandbits(64):016x}"


def _name_response(message: Message, id_header: tuple[bytes, bytes]) -> None:
    """Give a response's start message the request id header, in place of any the app set."""
    headers = [header for header in message.get("headers", ()) if header[0].lower() != b"x-request-id"]
    headers.append(id_header)
    message["headers"] = headers


def _route(scope: Scope) -> str:
    """The route's path template, so that labels stay few whatever paths clients try."""
    route = scope.get("route")
    path = getattr(route, "path", None)
    return path if isinstance(path, str) else "unmatched"


def _error_body(scope: Scope, message: str) -> dict[str, Any]:
    if scope["path"] == "/graphql":
        return {"errors": [{"message": message}]}
    return {"error": message}


async def _send_json(send: Send, status: int, body: dict[str, Any]) -> None:
    content = orjson.dumps(body)
    headers = [(b"content-type", b"application/json"), (b"content-length", str(len(content)).encode())]
    await send({"type": "http.response.start", "status": status, "headers": headers})
    await send({"type": "http.response.body", "body": content})
