"""The gateway pipeline without sockets or processes: a fake invoker records calls."""

from __future__ import annotations

import json
import selectors
import socket
import threading
from collections.abc import Mapping
from typing import Any, ClassVar

import pytest

from local_runtime.events import GatewayResponse, IncomingRequest
from local_runtime.gateway import MAX_REQUEST_BYTES, Gateway, GatewayServer, make_server
from local_runtime.jwt_authorizer import JwksCache
from local_runtime.model import Cors, JwtAuthorizer, LocalApi, LocalRoute, Throttle
from local_runtime.workers import Invocation, Outcome

AUTHORIZER = JwtAuthorizer("jwt", "https://issuer.example/pool", ("client",))
API = LocalApi(
    name="api",
    api_id="api1",
    stage="$default",
    routes=(
        LocalRoute("GET /open", "open-fn"),
        LocalRoute("GET /closed", "closed-fn", authorizer=AUTHORIZER),
        LocalRoute("GET /limited", "open-fn"),
    ),
    cors=Cors(allow_origins=("http://app",), allow_methods=("GET",), expose_headers=("etag",)),
    route_throttles={"GET /limited": Throttle(rate=0, burst=1)},
)


class Invoker:
    def __init__(self, outcome: Outcome = "ok", payload: Any = None) -> None:
        self.outcome = outcome
        self.payload = payload if payload is not None else {"statusCode": 200, "body": "hi"}
        self.calls: list[tuple[str, Mapping[str, Any], float]] = []

    def __call__(self, function: str, event: Mapping[str, Any], timeout: float) -> Invocation:
        self.calls.append((function, event, timeout))
        return Invocation(self.outcome, self.payload, "lambda-request-id", 1.0)


def no_jwks(issuer: str) -> Mapping[str, Any]:
    raise OSError("no network in unit tests")


def gateway(invoker: Invoker) -> Gateway:
    return Gateway(API, invoker, JwksCache(no_jwks))


def get(path: str, *headers: tuple[str, str], method: str = "GET") -> IncomingRequest:
    return IncomingRequest(method, path, "", list(headers))


def test_a_public_route_invokes_its_function_and_maps_the_answer() -> None:
    invoker = Invoker()
    handled = gateway(invoker).handle(get("/open"))
    assert handled.response.status == 200
    assert handled.response.body == b"hi"
    assert handled.function == "open-fn"
    assert handled.request_id == "lambda-request-id"
    ((function, event, timeout),) = invoker.calls
    assert (function, event["routeKey"], timeout) == ("open-fn", "GET /open", 30.0)
    headers = dict(handled.response.headers)
    assert headers["apigw-requestid"] == event["requestContext"]["requestId"]


@pytest.mark.parametrize(
    ("request_", "status", "message"),
    [
        (get("/nowhere"), 404, "Not Found"),
        (get("/closed"), 401, "Unauthorized"),
        (get("/closed", ("Authorization", "Bearer x.y.z")), 401, "Unauthorized"),
    ],
)
def test_the_gateway_answers_itself_without_invoking(
    request_: IncomingRequest, status: int, message: str
) -> None:
    invoker = Invoker()
    handled = gateway(invoker).handle(request_)
    assert handled.response.status == status
    assert json.loads(handled.response.body) == {"message": message}
    assert invoker.calls == []


def test_throttled_routes_get_429() -> None:
    invoker = Invoker()
    subject = gateway(invoker)
    assert subject.handle(get("/limited")).response.status == 200
    throttled = subject.handle(get("/limited")).response
    assert (throttled.status, json.loads(throttled.body)) == (429, {"message": "Too Many Requests"})
    assert len(invoker.calls) == 1


class Clock:
    now = 0.0

    def __call__(self) -> float:
        return self.now


def test_a_burst_beyond_the_bucket_is_429_then_the_rate_lets_more_through() -> None:
    """HTTP API's token bucket (developer guide, "Throttling requests to your
    HTTP API"): the burst is the bucket, the rate refills it; past them, `429
    {"message":"Too Many Requests"}` and the function is not invoked. 50
    requests at once against dev's burst 40, rate 20: 10 are throttled."""
    clock, invoker = Clock(), Invoker()
    api = LocalApi("api", "api1", "$default", API.routes, throttle=Throttle(rate=20, burst=40))
    subject = Gateway(api, invoker, JwksCache(no_jwks), clock=clock)
    answers = [subject.handle(get("/open")).response for _ in range(50)]
    throttled = [a for a in answers if a.status == 429]
    assert len(throttled) == 10
    assert {a.body for a in throttled} == {b'{"message":"Too Many Requests"}'}
    assert len(invoker.calls) == 40
    clock.now = 0.5  # ten tokens back at 20 a second
    later = [subject.handle(get("/open")).response.status for _ in range(11)]
    assert later == [200] * 10 + [429]


def test_a_method_no_route_takes_is_the_gateways_json_404() -> None:
    invoker = Invoker()
    handled = gateway(invoker).handle(get("/open", method="TRACE"))
    assert handled.response.status == 404
    assert json.loads(handled.response.body) == {"message": "Not Found"}
    assert invoker.calls == []


def test_the_listener_queues_a_burst_of_connections_it_has_not_accepted_yet() -> None:
    """50 clients connecting at once all complete their handshake while the
    server is busy: a listen backlog of 5 (http.server's default) leaves the
    rest retrying SYNs for seconds, and the throttling hidden behind them."""
    server = make_server(gateway(Invoker()), 0, lambda *_: None)  # listening, not accepting
    clients = [socket.socket() for _ in range(50)]
    try:
        with selectors.DefaultSelector() as waiting:
            for client in clients:
                client.setblocking(False)
                client.connect_ex(server.server_address)
                waiting.register(client, selectors.EVENT_WRITE)
            connected = 0
            while connected < len(clients):
                ready = waiting.select(timeout=2)
                if not ready:
                    break
                for key, _ in ready:
                    waiting.unregister(key.fileobj)
                    connected += key.fileobj.getsockopt(socket.SOL_SOCKET, socket.SO_ERROR) == 0  # type: ignore[union-attr]
        assert connected == len(clients)
    finally:
        for client in clients:
            client.close()
        server.server_close()


def test_answers_are_not_held_back_by_nagles_algorithm() -> None:
    """The head and the body are two writes: with Nagle's algorithm on, a client
    keeping its connection open waits a delayed ACK (~40 ms) for every body."""

    class Recording(GatewayServer):
        no_delay: ClassVar[list[int]] = []

        def process_request(self, request: Any, client_address: Any) -> None:
            # In this thread, not one of its own, so the test sees it finish.
            self.finish_request(request, client_address)
            self.no_delay.append(request.getsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY))
            self.shutdown_request(request)

    server = make_server(gateway(Invoker()), 0, lambda *_: None, Recording)
    try:
        serving = threading.Thread(target=server.handle_request)
        serving.start()
        with socket.create_connection(("127.0.0.1", server.server_address[1]), timeout=5) as client:
            client.sendall(b"GET /open HTTP/1.1\r\nhost: x\r\nconnection: close\r\n\r\n")
            answer = b""
            while chunk := client.recv(65536):  # to the end: the server closes
                answer += chunk
            assert answer.startswith(b"HTTP/1.1 200")
        serving.join(timeout=5)
        assert Recording.no_delay == [1]
    finally:
        server.server_close()


def test_a_body_over_10_mb_is_413() -> None:
    invoker = Invoker()
    request = IncomingRequest("GET", "/open", "", [], body=b"x" * (MAX_REQUEST_BYTES + 1))
    handled = gateway(invoker).handle(request)
    assert handled.response.status == 413
    assert invoker.calls == []


@pytest.mark.parametrize(
    ("outcome", "payload", "status", "message"),
    [
        ("error", {"errorType": "ValueError", "errorMessage": "x"}, 500, "Internal Server Error"),
        ("crash", {"errorType": "Runtime.ExitError"}, 500, "Internal Server Error"),
        ("timeout", {"errorType": "Sandbox.Timedout"}, 503, "Service Unavailable"),
        ("ok", {"statusCode": "nope"}, 500, "Internal Server Error"),
    ],
)
def test_integration_failures_as_http_api_reports_them(
    outcome: Outcome, payload: Any, status: int, message: str
) -> None:
    handled = gateway(Invoker(outcome, payload)).handle(get("/open"))
    assert handled.response.status == status
    assert json.loads(handled.response.body) == {"message": message}


def test_preflight_is_answered_and_responses_get_cors_headers() -> None:
    invoker = Invoker()
    subject = gateway(invoker)
    preflight = subject.handle(
        get(
            "/open",
            ("Origin", "http://app"),
            ("Access-Control-Request-Method", "GET"),
            method="OPTIONS",
        )
    )
    assert preflight.response.status == 204
    assert invoker.calls == []
    actual = subject.handle(get("/open", ("Origin", "http://app")))
    assert ("access-control-allow-origin", "http://app") in actual.response.headers


def test_a_named_stage_is_the_first_path_segment() -> None:
    invoker = Invoker()
    staged = Gateway(
        LocalApi("api", "api1", "dev", (LocalRoute("GET /open", "open-fn"),)),
        invoker,
        JwksCache(no_jwks),
    )
    assert staged.handle(get("/dev/open")).response.status == 200
    assert staged.handle(get("/open")).response.status == 404
    assert invoker.calls[0][1]["rawPath"] == "/dev/open"
    assert invoker.calls[0][1]["requestContext"]["stage"] == "dev"


def test_a_local_endpoint_answers_what_no_declared_route_takes() -> None:
    def local(request: IncomingRequest) -> GatewayResponse | None:
        if request.raw_path in ("/_local/x", "/extra", "/open"):
            return GatewayResponse(200, [], b"local")
        return None

    invoker = Invoker()
    api_gateway = Gateway(API, invoker, JwksCache(no_jwks), local=local)
    assert api_gateway.handle(get("/_local/x")).response.body == b"local"
    assert api_gateway.handle(get("/extra")).response.body == b"local"
    assert api_gateway.handle(get("/open")).response.body == b"hi"  # the declared route wins
    assert api_gateway.handle(get("/nowhere")).response.status == 404
    assert [function for function, _, _ in invoker.calls] == ["open-fn"]
