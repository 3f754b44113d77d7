"""The local HTTP API: API Gateway HTTP API's behaviour for the declared API.

`Gateway.handle` is the whole pipeline for one request, free of sockets so it
is tested directly: payload limit, CORS preflight, route selection,
throttling, the JWT authorizer, the 2.0 event, the invocation and the 2.0
response mapping, with the gateway's own error answers where HTTP API gives
them. `serve` puts it behind a threaded HTTP server on 127.0.0.1.

The runtime's own endpoints (`local`) answer `/_local/...` before any
route, and any other path only when no declared route takes it, so the
program's routes always win over `/openapi.json`.
"""

from __future__ import annotations

import email.utils
import threading
import time
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

from local_runtime import cors
from local_runtime.events import (
    Authorization,
    GatewayResponse,
    IncomingRequest,
    MalformedResponse,
    build_event,
    gateway_error,
    map_response,
    new_request_id,
)
from local_runtime.jwt_authorizer import JwksCache, Unauthorized, authorize, token_from
from local_runtime.model import LocalApi
from local_runtime.routing import match_route
from local_runtime.throttling import Throttler
from local_runtime.workers import Invocation

# HTTP API refuses request payloads over 10 MB.
MAX_REQUEST_BYTES = 10 * 1024 * 1024

Invoke = Callable[[str, Mapping[str, Any], float], Invocation]
LocalHandler = Callable[[IncomingRequest], GatewayResponse | None]


@dataclass(frozen=True)
class Handled:
    response: GatewayResponse
    function: str = ""
    request_id: str = ""
    note: str = ""  # why the gateway answered itself (logged locally only)


class Gateway:
    def __init__(
        self,
        api: LocalApi,
        invoke: Invoke,
        jwks: JwksCache,
        *,
        local: LocalHandler | None = None,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self.api = api
        self._invoke = invoke
        self._jwks = jwks
        self._local = local
        self._throttler = Throttler(api, clock)
        self.port = 80  # the port clients reach the gateway on, once it listens

    def handle(self, request: IncomingRequest) -> Handled:
        request_id = new_request_id()
        handled = self._handle(request, request_id)
        response = handled.response
        if self.api.cors is not None and not cors.is_preflight(request):
            response = cors.add_response_headers(self.api.cors, request, response)
        headers = [*response.headers, ("apigw-requestid", request_id)]
        return Handled(
            GatewayResponse(response.status, headers, response.body),
            handled.function,
            handled.request_id or request_id,
            handled.note,
        )

    def _handle(self, request: IncomingRequest, request_id: str) -> Handled:
        if len(request.body) > MAX_REQUEST_BYTES:
            return Handled(gateway_error(413, "Request Entity Too Large"), note="over 10 MB")
        if self._local is not None and request.raw_path.startswith("/_local/"):
            local = self._local(request)
            if local is not None:
                return Handled(local, note="local endpoint")
        if self.api.cors is not None and cors.is_preflight(request):
            return Handled(cors.preflight(self.api.cors, request), note="CORS preflight")
        path = self._route_path(request.raw_path)
        found = match_route(self.api.routes, request.method, path) if path is not None else None
        if found is None:
            # What no declared route takes may be the runtime's own (`/openapi.json`).
            local = self._local(request) if self._local is not None else None
            if local is not None:
                return Handled(local, note="local endpoint")
            return Handled(gateway_error(404, "Not Found"), note="no route")
        route = found.route
        if not self._throttler.allow(route.route_key):
            return Handled(
                gateway_error(429, "Too Many Requests"), route.function, note="throttled"
            )
        authorization: Authorization | None = None
        if route.authorizer is not None:
            try:
                token = token_from(route.authorizer, request.header)
                authorization = authorize(route.authorizer, token, route.scopes, self._jwks)
            except Unauthorized as refused:
                return Handled(
                    gateway_error(401, "Unauthorized"), route.function, note=str(refused)
                )
        event = build_event(
            request,
            route_key=route.route_key,
            path_parameters=found.path_parameters,
            stage=self.api.stage,
            api_id=self.api.api_id,
            request_id=request_id,
            authorization=authorization,
            domain_name=(request.header("host") or "127.0.0.1").split(":", 1)[0],
            port=self.port,
        )
        invocation = self._invoke(route.function, event, route.timeout_ms / 1000)
        return Handled(
            _integration_response(invocation),
            route.function,
            invocation.request_id,
            _note(invocation),
        )

    def _route_path(self, raw_path: str) -> str | None:
        """The path routes are matched against: a named stage is the first segment."""
        if self.api.stage == "$default":
            return raw_path
        prefix = f"/{self.api.stage}"
        if raw_path == prefix or raw_path.startswith(prefix + "/"):
            return raw_path[len(prefix) :] or "/"
        return None


def _integration_response(invocation: Invocation) -> GatewayResponse:
    if invocation.outcome == "timeout":
        return gateway_error(503, "Service Unavailable")
    if invocation.outcome != "ok":
        return gateway_error(500, "Internal Server Error")
    try:
        return map_response(invocation.payload)
    except MalformedResponse:
        return gateway_error(500, "Internal Server Error")


def _note(invocation: Invocation) -> str:
    if invocation.outcome == "ok":
        return ""
    payload = invocation.payload if isinstance(invocation.payload, Mapping) else {}
    return f"{payload.get('errorType', invocation.outcome)}: {payload.get('errorMessage', '')}"


RequestLog = Callable[[IncomingRequest, Handled, float], None]


class GatewayServer(ThreadingHTTPServer):
    """A thread per connection, and a listen backlog for a burst of clients:
    http.server's default of 5 drops the SYNs of the rest, which then retry
    after a second or more (tail latency, and throttling hidden behind the
    queue). The kernel caps it at net.core.somaxconn."""

    request_queue_size = 1024
    daemon_threads = True


def make_server(
    gateway: Gateway,
    port: int,
    log: RequestLog,
    server_class: type[GatewayServer] = GatewayServer,
) -> GatewayServer:
    """Listening on 127.0.0.1:`port`, not yet serving."""

    class Handler(_RequestHandler):
        pass

    Handler.gateway = gateway
    Handler.log = staticmethod(log)
    server = server_class(("127.0.0.1", port), Handler)
    gateway.port = server.server_address[1]
    return server


def serve(gateway: Gateway, port: int, log: RequestLog) -> GatewayServer:
    """Start serving on 127.0.0.1:`port` in a thread; `shutdown()` stops it."""
    server = make_server(gateway, port, log)
    threading.Thread(target=server.serve_forever, name="gateway", daemon=True).start()
    return server


class _RequestHandler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    # The head and the body go out as two writes; with Nagle's algorithm on, the
    # body waits for the client's delayed ACK of the head (~40 ms on Linux) on a
    # kept-open connection. API Gateway answers without that wait.
    disable_nagle_algorithm = True
    gateway: Gateway
    log: RequestLog

    def _serve(self) -> None:
        started = time.monotonic()
        raw_path, _, raw_query = self.path.partition("?")
        length = int(self.headers.get("content-length") or 0)
        if length > MAX_REQUEST_BYTES:
            # Refused before reading the body, as the gateway does.
            self.close_connection = True
            request = IncomingRequest(self.command, raw_path, raw_query, list(self.headers.items()))
            handled = Handled(gateway_error(413, "Request Entity Too Large"), note="over 10 MB")
        else:
            body = self.rfile.read(length) if length else self._read_chunked()
            request = IncomingRequest(
                method=self.command,
                raw_path=raw_path,
                raw_query=raw_query,
                headers=list(self.headers.items()),
                body=body,
                source_ip=self.client_address[0],
                protocol=self.request_version,
            )
            try:
                handled = self.gateway.handle(request)
            except Exception as exc:  # a bug here must still answer, as the gateway would
                error = gateway_error(500, "Internal Server Error")
                handled = Handled(error, note=f"local gateway error: {type(exc).__name__}: {exc}")
        # Logged before the answer goes out: a client that has the answer finds its
        # line (and the function's note) on the console already.
        self.log(request, handled, (time.monotonic() - started) * 1000)
        self._write(handled.response)

    def _read_chunked(self) -> bytes:
        if "chunked" not in (self.headers.get("transfer-encoding") or "").lower():
            return b""
        body = bytearray()
        while True:
            size = int(self.rfile.readline().split(b";", 1)[0].strip() or b"0", 16)
            if size == 0:
                self.rfile.readline()
                return bytes(body)
            body.extend(self.rfile.read(size))
            self.rfile.readline()
            if len(body) > MAX_REQUEST_BYTES:
                self.close_connection = True
                return bytes(body)

    def _write(self, response: GatewayResponse) -> None:
        self.send_response_only(response.status)
        names = {name.lower() for name, _ in response.headers}
        for name, value in response.headers:
            if name.lower() not in ("content-length", "transfer-encoding", "connection"):
                self.send_header(name, value)
        if "date" not in names:
            self.send_header("date", email.utils.formatdate(usegmt=True))
        self.send_header("content-length", str(len(response.body)))
        if self.close_connection:
            self.send_header("connection", "close")
        self.end_headers()
        if self.command != "HEAD":
            self.wfile.write(response.body)

    def __getattr__(self, name: str) -> Any:
        # Every method reaches the gateway, which answers one no route takes
        # (TRACE, say) with its JSON 404, never http.server's 501 page.
        if name.startswith("do_"):
            return self._serve
        raise AttributeError(name)

    def log_message(self, format: str, *args: Any) -> None:
        """The runtime prints its own line per request."""
