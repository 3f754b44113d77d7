"""What every request and response goes through, one small ASGI middleware a job.

From the outside in (`install_middleware` stacks them in this order):

1. `RequestId`: picks the request id, makes it current, answers it in `x-request-id`.
2. `SecurityHeaders`: nosniff, HSTS and `Cache-Control: no-store` on every answer.
3. `AccessLog`: one structured log line per request, once it is answered.
4. `CatchUnhandled`: anything a route did not handle is a 500 in the envelope, never a trace.
5. `BodyLimit`: a body over the limit is 413, refused before anything parses it.
6. `JsonBodiesOnly`: a body that is not JSON-typed is 415.
"""

from __future__ import annotations

import json
import time
from typing import Any

from starlette.types import ASGIApp, Message, Receive, Scope, Send

from service_kernel.errors import error_body
from service_kernel.identity import jwt_claims
from service_kernel.log import get_logger
from service_kernel.request_context import choose_request_id, set_request_id

MAX_BODY_BYTES = 256 * 1024

SECURITY_HEADERS: tuple[tuple[bytes, bytes], ...] = (
    (b"x-content-type-options", b"nosniff"),
    (b"strict-transport-security", b"max-age=63072000; includeSubDomains"),
    # Every answer here is per caller (tokens, own items): never cache it.
    (b"cache-control", b"no-store"),
)


def install_middleware(app: Any, max_body_bytes: int = MAX_BODY_BYTES) -> None:
    """Stack the middleware on a FastAPI app; the last added runs first."""
    app.add_middleware(JsonBodiesOnly)
    app.add_middleware(BodyLimit, max_body_bytes=max_body_bytes)
    app.add_middleware(CatchUnhandled)
    app.add_middleware(AccessLog)
    app.add_middleware(SecurityHeaders)
    app.add_middleware(RequestId)


class RequestId:
    """The client's `x-request-id` when it is safe to echo, else the Lambda
    request id: current for the request (errors and logs carry it) and
    answered in the `x-request-id` header."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        request_id = choose_request_id(_header(scope, b"x-request-id"), scope)
        set_request_id(request_id)
        logger = get_logger()
        logger.append_keys(request_id=request_id)
        header = (b"x-request-id", request_id.encode("latin-1"))

        async def send_with_id(message: Message) -> None:
            if message["type"] == "http.response.start":
                kept = [h for h in message.get("headers", []) if bytes(h[0]).lower() != header[0]]
                message["headers"] = [*kept, header]
            await send(message)

        try:
            await self.app(scope, receive, send_with_id)
        finally:
            logger.remove_keys(["request_id"])


class SecurityHeaders:
    """The security headers on every answer, unless a route set its own value."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return

        async def send_with_headers(message: Message) -> None:
            if message["type"] == "http.response.start":
                headers = list(message.get("headers", []))
                present = {bytes(name).lower() for name, _ in headers}
                headers.extend(h for h in SECURITY_HEADERS if h[0] not in present)
                message["headers"] = headers
            await send(message)

        await self.app(scope, receive, send_with_headers)


class AccessLog:
    """One line per request: method, path, route, status, latency and the
    caller's sub. Never headers or bodies, so never a token, code or password."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        started = time.perf_counter()
        status = 500

        async def send_and_note(message: Message) -> None:
            nonlocal status
            if message["type"] == "http.response.start":
                status = message["status"]
            await send(message)

        try:
            await self.app(scope, receive, send_and_note)
        finally:
            route = scope.get("route")
            get_logger().info(
                "request",
                method=scope["method"],
                path=scope["path"],
                route=getattr(route, "path", None),
                status=status,
                latency_ms=round((time.perf_counter() - started) * 1000, 2),
                sub=(jwt_claims(scope) or {}).get("sub"),
            )


class CatchUnhandled:
    """An exception no handler answered: logged with its trace, answered 500
    in the contract's envelope (never the trace), unless an answer was
    already on its way."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        started = False

        async def send_and_note(message: Message) -> None:
            nonlocal started
            started = started or message["type"] == "http.response.start"
            await send(message)

        try:
            await self.app(scope, receive, send_and_note)
        except Exception:
            get_logger().exception("unhandled error")
            if not started:
                await send_error(send, 500, "internal_error", "Something went wrong on our side.")


class BodyLimit:
    """The whole body is read before the app parses any of it; over the limit
    it is 413 (a declared length over it is refused unread)."""

    def __init__(self, app: ASGIApp, max_body_bytes: int = MAX_BODY_BYTES) -> None:
        self.app = app
        self.max_body_bytes = max_body_bytes

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        body = await _read_body(receive, self.max_body_bytes, _declared_length(scope))
        if body is None:
            message = f"The request body is larger than {self.max_body_bytes} bytes."
            await send_error(send, 413, "payload_too_large", message)
            return
        await self.app(scope, _replay(body, receive), send)


class JsonBodiesOnly:
    """The API speaks JSON only: a body labelled anything else (or nothing) is
    415. Read as JSON instead, a form post from any web page would reach the
    API from a visitor's browser with no CORS preflight. Runs inside
    `BodyLimit`, so the body arrives whole, in one message."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        message = await receive()
        body = message.get("body", b"") if message["type"] == "http.request" else b""
        if body and not is_json_media_type(_header(scope, b"content-type")):
            await send_error(
                send,
                415,
                "unsupported_media_type",
                "Send the body as JSON, with Content-Type: application/json.",
            )
            return
        await self.app(scope, _replay(body, receive), send)


def is_json_media_type(content_type: str) -> bool:
    """`application/json`, or any `+json` type (`application/merge-patch+json`)."""
    media_type = content_type.split(";", 1)[0].strip().lower()
    return media_type == "application/json" or (
        media_type.startswith("application/") and media_type.endswith("+json")
    )


async def send_error(send: Send, status: int, code: str, message: str) -> None:
    body = json.dumps(error_body(code, message)).encode()
    await send(
        {
            "type": "http.response.start",
            "status": status,
            "headers": [
                (b"content-type", b"application/json"),
                (b"content-length", str(len(body)).encode()),
            ],
        }
    )
    await send({"type": "http.response.body", "body": body})


def _header(scope: Scope, name: bytes) -> str:
    for key, value in scope["headers"]:
        if bytes(key).lower() == name:
            return bytes(value).decode("latin-1")
    return ""


def _declared_length(scope: Scope) -> int:
    try:
        return int(_header(scope, b"content-length") or "0")
    except ValueError:
        return 0


async def _read_body(receive: Receive, limit: int, declared: int) -> bytes | None:
    """The whole body, or None when it is over the limit."""
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
