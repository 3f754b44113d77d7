"""One ASGI middleware for what every response needs: a request id, the
security headers, the body size limit, an access log line, and a 500 in the
contract's envelope (never a trace) for anything unhandled."""

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
)


class RequestContextMiddleware:
    def __init__(self, app: ASGIApp, max_body_bytes: int = MAX_BODY_BYTES) -> None:
        self.app = app
        self.max_body_bytes = max_body_bytes

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return

        headers = {k.decode("latin-1").lower(): v.decode("latin-1") for k, v in scope["headers"]}
        request_id = choose_request_id(headers, scope)
        set_request_id(request_id)
        logger = get_logger()
        logger.append_keys(request_id=request_id)
        started = time.perf_counter()
        status = 500
        response_started = False

        async def send_with_headers(message: Message) -> None:
            nonlocal status, response_started
            if message["type"] == "http.response.start":
                response_started = True
                status = message["status"]
                message["headers"] = _with_standard_headers(message.get("headers", []), request_id)
            await send(message)

        try:
            body = await _read_body(receive, self.max_body_bytes, _declared_length(headers))
            if body is None:
                await _send_error(
                    send_with_headers,
                    413,
                    "payload_too_large",
                    f"The request body is larger than {self.max_body_bytes} bytes.",
                )
                return
            if body and _is_form_or_untyped(headers):
                scope = {**scope, "headers": _as_json(scope["headers"])}
            await self.app(scope, _replay(body, receive), send_with_headers)
        except Exception:
            logger.exception("unhandled error")
            if not response_started:
                await _send_error(
                    send_with_headers, 500, "internal_error", "Something went wrong on our side."
                )
        finally:
            route = scope.get("route")
            logger.info(
                "request",
                method=scope["method"],
                path=scope["path"],
                route=getattr(route, "path", None),
                status=status,
                latency_ms=round((time.perf_counter() - started) * 1000, 2),
                sub=(jwt_claims(scope) or {}).get("sub"),
            )
            logger.remove_keys(["request_id"])


async def _read_body(receive: Receive, limit: int, declared: int) -> bytes | None:
    """The whole body, read before the app parses any of it; None when it is
    over the limit (a declared length over it is refused unread)."""
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
    sent = False

    async def replayed() -> Message:
        nonlocal sent
        if not sent:
            sent = True
            return {"type": "http.request", "body": body, "more_body": False}
        return await receive()  # later messages: http.disconnect

    return replayed


# `curl -d '{...}'` sends JSON labelled as a form. The API speaks only JSON, so
# such a body is read as JSON: valid JSON works, anything else is 400 invalid_json.
_FORM_OR_UNTYPED = ("", "application/x-www-form-urlencoded")


def _is_form_or_untyped(headers: dict[str, str]) -> bool:
    media_type = headers.get("content-type", "").split(";")[0].strip().lower()
    return media_type in _FORM_OR_UNTYPED


def _as_json(raw: Any) -> list[tuple[bytes, bytes]]:
    kept = [(bytes(k), bytes(v)) for k, v in raw if bytes(k).lower() != b"content-type"]
    return [*kept, (b"content-type", b"application/json")]


def _declared_length(headers: dict[str, str]) -> int:
    try:
        return int(headers.get("content-length", "0"))
    except ValueError:
        return 0


def _with_standard_headers(raw: Any, request_id: str) -> list[tuple[bytes, bytes]]:
    headers = [(bytes(k), bytes(v)) for k, v in raw if bytes(k).lower() != b"x-request-id"]
    present = {name.lower() for name, _ in headers}
    headers.append((b"x-request-id", request_id.encode("latin-1")))
    headers.extend(header for header in SECURITY_HEADERS if header[0] not in present)
    if b"cache-control" not in present:
        # Every answer here is per caller (tokens, own items): never cache it.
        headers.append((b"cache-control", b"no-store"))
    return headers


async def _send_error(send: Send, status: int, code: str, message: str) -> None:
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
