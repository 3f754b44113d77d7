"""Payload format 2.0: the event HTTP API sends a function, and how it reads the answer.

Pure functions of a request and a result, so they are tested field by field
without a process. Shapes follow the API Gateway developer guide ("Working
with AWS Lambda proxy integrations for HTTP APIs").
"""

from __future__ import annotations

import base64
import binascii
import json
import os
import time
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import unquote, unquote_plus

# Bodies of these content types reach the function as text; anything else
# (or no content type at all) arrives base64-encoded, as HTTP API does it.
_TEXT_TYPES = (
    "text/",
    "application/json",
    "application/javascript",
    "application/xml",
    "application/ecmascript",
)


@dataclass(frozen=True)
class IncomingRequest:
    method: str
    raw_path: str
    raw_query: str
    headers: Sequence[tuple[str, str]]  # as received, duplicates kept
    body: bytes = b""
    source_ip: str = "127.0.0.1"
    protocol: str = "HTTP/1.1"

    def header(self, name: str) -> str | None:
        values = [value for key, value in self.headers if key.lower() == name.lower()]
        return ",".join(values) if values else None


@dataclass(frozen=True)
class Authorization:
    """What the JWT authorizer passes on: claims in string form and the token's scopes."""

    claims: Mapping[str, str]
    scopes: tuple[str, ...] | None


@dataclass(frozen=True)
class GatewayResponse:
    status: int
    headers: list[tuple[str, str]] = field(default_factory=list)
    body: bytes = b""


class MalformedResponse(ValueError):
    """The function's result is not a response HTTP API can map (it answers 500)."""


def new_request_id() -> str:
    """HTTP API's request ids look like `JYTj1h4MoAMEPQA=`."""
    return base64.b64encode(os.urandom(11)).decode()


def build_event(
    request: IncomingRequest,
    *,
    route_key: str,
    path_parameters: Mapping[str, str],
    stage: str,
    api_id: str,
    request_id: str,
    authorization: Authorization | None = None,
    now: float | None = None,
    domain_name: str = "127.0.0.1",
    port: int = 80,
    trace_id: str | None = None,
) -> dict[str, Any]:
    now = time.time() if now is None else now
    headers, cookies = _headers_and_cookies(request)
    # What the gateway adds on its way to the function.
    forwarded = headers.get("x-forwarded-for")
    headers["x-forwarded-for"] = (
        f"{forwarded}, {request.source_ip}" if forwarded else request.source_ip
    )
    headers["x-forwarded-port"] = str(port)
    headers["x-forwarded-proto"] = "http"
    headers["x-amzn-trace-id"] = trace_id or f"Root=1-{int(now):08x}-{os.urandom(12).hex()}"
    # HTTP API hands the function the path percent-decoded, in rawPath and
    # http.path alike (middleapi/standard-server#93, honojs/hono#2156).
    path = unquote(request.raw_path)
    event: dict[str, Any] = {
        "version": "2.0",
        "routeKey": route_key,
        "rawPath": path,
        "rawQueryString": request.raw_query,
    }
    if cookies:
        event["cookies"] = cookies
    event["headers"] = headers
    if request.raw_query:
        event["queryStringParameters"] = query_parameters(request.raw_query)
    event["requestContext"] = _request_context(
        request,
        path=path,
        user_agent=headers.get("user-agent", ""),
        route_key=route_key,
        stage=stage,
        api_id=api_id,
        request_id=request_id,
        authorization=authorization,
        now=now,
        domain_name=domain_name,
    )
    if path_parameters:
        event["pathParameters"] = dict(path_parameters)
    event.update(_body(request.body, headers.get("content-type", "")))
    return event


def _headers_and_cookies(request: IncomingRequest) -> tuple[dict[str, str], list[str]]:
    """Header names lower-cased, a repeated header's values joined with commas;
    2.0 moves cookies out of the headers into their own list."""
    headers: dict[str, str] = {}
    cookies: list[str] = []
    for key, value in request.headers:
        name = key.lower()
        if name == "cookie":
            cookies.extend(part.strip() for part in value.split(";") if part.strip())
            continue
        headers[name] = f"{headers[name]},{value}" if name in headers else value
    return headers, cookies


def _request_context(
    request: IncomingRequest,
    *,
    path: str,
    user_agent: str,
    route_key: str,
    stage: str,
    api_id: str,
    request_id: str,
    authorization: Authorization | None,
    now: float,
    domain_name: str,
) -> dict[str, Any]:
    http = {
        "method": request.method,
        "path": path,
        "protocol": request.protocol,
        "sourceIp": request.source_ip,
        "userAgent": user_agent,
    }
    context: dict[str, Any] = {
        "accountId": "123456789012",
        "apiId": api_id,
        "domainName": domain_name,
        "domainPrefix": domain_name.split(".", 1)[0],
        "http": http,
        "requestId": request_id,
        "routeKey": route_key,
        "stage": stage,
        "time": time.strftime("%d/%b/%Y:%H:%M:%S +0000", time.gmtime(now)),
        "timeEpoch": int(now * 1000),
    }
    if authorization is not None:
        context["authorizer"] = {
            "jwt": {
                "claims": dict(authorization.claims),
                "scopes": None if authorization.scopes is None else list(authorization.scopes),
            }
        }
    return context


def _body(body: bytes, content_type: str) -> dict[str, Any]:
    """The body as text where it is text and decodes, else base64."""
    if not body:
        return {"isBase64Encoded": False}
    if _is_text(content_type):
        try:
            return {"body": body.decode(), "isBase64Encoded": False}
        except UnicodeDecodeError:
            pass
    return {"body": base64.b64encode(body).decode(), "isBase64Encoded": True}


def query_parameters(raw_query: str) -> dict[str, str]:
    """Decoded parameters; a repeated name's values joined with commas."""
    parameters: dict[str, str] = {}
    for pair in raw_query.split("&"):
        if not pair:
            continue
        key, _, value = pair.partition("=")
        key, value = unquote_plus(key), unquote_plus(value)
        parameters[key] = f"{parameters[key]},{value}" if key in parameters else value
    return parameters


def _is_text(content_type: str) -> bool:
    media = content_type.split(";", 1)[0].strip().lower()
    return media.startswith(_TEXT_TYPES) or media.endswith("+json") or media.endswith("+xml")


def map_response(result: Any) -> GatewayResponse:
    """The 2.0 response mapping. A result without `statusCode` is the body of
    a 200 `application/json` response, as it is: a string is sent as the
    string itself, anything else as its JSON (the developer guide's table,
    "Lambda function response for format 2.0")."""
    if not isinstance(result, Mapping) or "statusCode" not in result:
        body = result.encode() if isinstance(result, str) else json.dumps(result).encode()
        return GatewayResponse(200, [("content-type", "application/json")], body)
    status = result["statusCode"]
    if isinstance(status, bool) or not isinstance(status, int) or not 100 <= status <= 599:
        raise MalformedResponse(f"statusCode {status!r} is not an HTTP status")
    headers: list[tuple[str, str]] = []
    for key, value in _mapping(result.get("headers"), "headers").items():
        headers.append((str(key), _header_value(value)))
    cookies = result.get("cookies") or []
    if not isinstance(cookies, list):
        raise MalformedResponse("cookies must be a list")
    headers.extend(("set-cookie", str(cookie)) for cookie in cookies)
    raw_body = result.get("body")
    if raw_body is None:
        body = b""
    elif not isinstance(raw_body, str):
        raise MalformedResponse("body must be a string")
    elif result.get("isBase64Encoded"):
        try:
            body = base64.b64decode(raw_body, validate=True)
        except (binascii.Error, ValueError) as exc:
            raise MalformedResponse("body is not valid base64") from exc
    else:
        body = raw_body.encode()
    return GatewayResponse(status, headers, body)


def _mapping(value: Any, what: str) -> Mapping[str, Any]:
    if value is None:
        return {}
    if not isinstance(value, Mapping):
        raise MalformedResponse(f"{what} must be an object")
    return value


def _header_value(value: Any) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, str | int | float):
        return str(value)
    raise MalformedResponse(f"header value {value!r} is not a string")


def gateway_error(status: int, message: str) -> GatewayResponse:
    """One of the gateway's own answers, e.g. 401 {"message":"Unauthorized"}."""
    body = json.dumps({"message": message}, separators=(",", ":")).encode()
    return GatewayResponse(status, [("content-type", "application/json")], body)
