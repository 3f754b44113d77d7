"""What every request and response goes through: one ASGI middleware, its jobs in order.

From the outside in:

1. Request id: the client's `x-request-id` when safe to echo, else the Lambda
   request id; current for the request (errors and logs carry it) and answered
   in the `x-request-id` header.
2. Security headers: nosniff, HSTS and `Cache-Control: no-store` on every
   answer, unless a route set its own value.
3. Access log: one structured line per request, once it is answered.
4. The 500 envelope: anything a route did not handle is a 500 in the contract's
   envelope, never a trace, unless an answer was already on its way.
5. Body limit: a body over the limit is 413, refused before anything parses it.
6. JSON bodies only: a body that is not JSON-typed is 415.

One middleware, not one a job: every layer of ASGI middleware costs every
request a coroutine and a wrapper of `send`, and these jobs run on each
invocation. Each job is a few lines below, in the order above.
"""

from __future__ import annotations

import json
import time
from collections.abc import Awaitable
from typing import Any

from starlette.types import ASGIApp, Message, Receive, Scope, Send

from service_kernel.errors import (
    INTERNAL_ERROR,
    PAYLOAD_TOO_LARGE,
    UNSUPPORTED_MEDIA_TYPE,
    ErrorRow,
)
from service_kernel.identity import caller_sub
from service_kernel.log import get_logger
from service_kernel.request_context import choose_request_id, set_request_id

MAX_BODY_BYTES = 256 * 1024
_REQUEST_ID = b"x-request-id"

SECURITY_HEADERS: tuple[tuple[bytes, bytes], ...] = (
    (b"x-content-type-options", b"nosniff"),
    (b"strict-transport-security", b"max-age=63072000; includeSubDomains"),
    # Every answer here is per caller (tokens, own items): never cache it.
    (b"cache-control", b"no-store"),
)


def install_middleware(app: Any, max_body_bytes: int = MAX_BODY_BYTES) -> None:
    """Put the request pipeline on a FastAPI app, outside its routes and handlers."""
    app.add_middleware(RequestPipeline, max_body_bytes=max_body_bytes)


class RequestPipeline:
    def __init__(self, app: ASGIApp, max_body_bytes: int = MAX_BODY_BYTES) -> None:
        self.app = app
        self.max_body_bytes = max_body_bytes

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        # 1. The request id, current for this request's task only.
        request_id = choose_request_id(_header(scope, _REQUEST_ID), scope)
        set_request_id(request_id)
        answer = _Answer(send, (_REQUEST_ID, request_id.encode("latin-1")))
        started = time.perf_counter()
        try:
            await self._answer(scope, receive, answer)
        finally:
            # 3. The access line: never headers or bodies, so never a token, code or password.
            route = scope.get("route")
            get_logger().info(
                "request",
                method=scope["method"],
                path=scope["path"],
                route=getattr(route, "path", None),
                status=answer.logged_status,
                latency_ms=round((time.perf_counter() - started) * 1000, 2),
                sub=caller_sub(scope),
            )

    async def _answer(self, scope: Scope, receive: Receive, answer: _Answer) -> None:
        try:
            # 5. The whole body, read before anything parses it.
            body = await _read_body(receive, self.max_body_bytes, _declared_length(scope))
            if body is None:
                message = PAYLOAD_TOO_LARGE.message.format(limit=self.max_body_bytes)
                await send_error(answer.send, PAYLOAD_TOO_LARGE, message)
                return
            # 6. JSON only: read as JSON, a form post from any web page would reach
            # the API from a visitor's browser with no CORS preflight.
            if body and not is_json_media_type(_header(scope, b"content-type")):
                await send_error(answer.send, UNSUPPORTED_MEDIA_TYPE)
                return
            await self.app(scope, _replay(body, receive), answer.send)
        except Exception:
            # 4. Logged with its trace, answered in the envelope if nothing was sent yet.
            get_logger().exception("unhandled error")
            if answer.status is None:
                await send_error(answer.send, INTERNAL_ERROR)


class _Answer:
    """The response on its way: its status once started (the access line reads it),
    with the request id (1) and the security headers (2) added to its headers."""

    def __init__(self, send: Send, request_id: tuple[bytes, bytes]) -> None:
        self._send = send
        self._request_id = request_id
        self.status: int | None = None

    @property
    def logged_status(self) -> int:
        return 500 if self.status is None else self.status

    def send(self, message: Message) -> Awaitable[None]:
        # A plain function handing on the next send's awaitable: no coroutine of its own.
        if message["type"] == "http.response.start":
            self.status = message["status"]
            headers = [h for h in message.get("headers", ()) if h[0].lower() != _REQUEST_ID]
            present = {name.lower() for name, _ in headers}
            headers += [h for h in SECURITY_HEADERS if h[0] not in present]
            headers.append(self._request_id)
            message["headers"] = headers
        return self._send(message)


def is_json_media_type(content_type: str) -> bool:
    """`application/json`, or any `+json` type (`application/merge-patch+json`)."""
    media_type = content_type.split(";", 1)[0].strip().lower()
    return media_type == "application/json" or (
        media_type.startswith("application/") and media_type.endswith("+json")
    )


async def send_error(send: Send, row: ErrorRow, message: str | None = None) -> None:
    """The row's answer, sent by the middleware itself (no route ran)."""
    body = json.dumps(row.body(message)).encode()
    await send(
        {
            "type": "http.response.start",
            "status": row.status,
            "headers": [
                (b"content-type", b"application/json"),
                (b"content-length", str(len(body)).encode()),
            ],
        }
    )
    await send({"type": "http.response.body", "body": body})


def _header(scope: Scope, name: bytes) -> str:
    """A request header's value; `name` lower-case, as ASGI servers give header names."""
    for key, value in scope["headers"]:
        if key == name:
            return bytes(value).decode("latin-1")
    return ""


def _declared_length(scope: Scope) -> int:
    try:
        return int(_header(scope, b"content-length") or "0")
    except ValueError:
        return 0


async def _read_body(receive: Receive, limit: int, declared: int) -> bytes | None:
    """The whole body, or None when it is over the limit (a declared length over
    it is refused unread)."""
    if declared > limit:
        return None
    chunks: list[bytes] = []
    size = 0
    more = True
    while more:
        message = await receive()
        if message["type"] != "http.request":
            break
        chunk = message.get("body", b"")
        size += len(chunk)
        if size > limit:
            return None
        chunks.append(chunk)
        more = message.get("more_body", False)
    return b"".join(chunks)


def _replay(body: bytes, receive: Receive) -> Receive:
    """A receive that hands over the body already read, then the real stream
    (whose later messages are http.disconnect)."""
    sent = False

    async def replayed() -> Message:
        nonlocal sent
        if not sent:
            sent = True
            return {"type": "http.request", "body": body, "more_body": False}
        return await receive()

    return replayed
