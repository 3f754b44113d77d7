from __future__ import annotations

import base64
import json

import pytest

from local_runtime.events import (
    Authorization,
    GatewayResponse,
    IncomingRequest,
    MalformedResponse,
    build_event,
    gateway_error,
    map_response,
    query_parameters,
)

NOW = 1_700_000_000.123


def event_for(request: IncomingRequest, **kwargs: object) -> dict[str, object]:
    arguments: dict[str, object] = {
        "route_key": "POST /items/{item_id}",
        "path_parameters": {"item_id": "a1"},
        "stage": "$default",
        "api_id": "api123",
        "request_id": "JYTj1h4MoAMEPQA=",
        "now": NOW,
        "domain_name": "127.0.0.1",
        "port": 8000,
        "trace_id": "Root=1-6553f100-0123456789abcdef01234567",
    }
    arguments.update(kwargs)
    return build_event(request, **arguments)  # type: ignore[arg-type]


def test_the_whole_event_as_http_api_builds_it() -> None:
    request = IncomingRequest(
        method="POST",
        raw_path="/items/a1",
        raw_query="limit=5&tag=a&tag=b%20c",
        headers=[
            ("Host", "127.0.0.1:8000"),
            ("User-Agent", "curl/8"),
            ("Content-Type", "application/json"),
            ("X-Multi", "1"),
            ("x-multi", "2"),
            ("Cookie", "session=abc; theme=dark"),
        ],
        body=b'{"name":"x"}',
        source_ip="127.0.0.1",
    )
    authorization = Authorization(
        claims={"sub": "u1", "scope": "aws.cognito.signin.user.admin", "exp": "1700003600"},
        scopes=("aws.cognito.signin.user.admin",),
    )
    assert event_for(request, authorization=authorization) == {
        "version": "2.0",
        "routeKey": "POST /items/{item_id}",
        "rawPath": "/items/a1",
        "rawQueryString": "limit=5&tag=a&tag=b%20c",
        "cookies": ["session=abc", "theme=dark"],
        "headers": {
            "host": "127.0.0.1:8000",
            "user-agent": "curl/8",
            "content-type": "application/json",
            "x-multi": "1,2",
            "x-forwarded-for": "127.0.0.1",
            "x-forwarded-port": "8000",
            "x-forwarded-proto": "http",
            "x-amzn-trace-id": "Root=1-6553f100-0123456789abcdef01234567",
        },
        "queryStringParameters": {"limit": "5", "tag": "a,b c"},
        "requestContext": {
            "accountId": "123456789012",
            "apiId": "api123",
            "domainName": "127.0.0.1",
            "domainPrefix": "127",
            "http": {
                "method": "POST",
                "path": "/items/a1",
                "protocol": "HTTP/1.1",
                "sourceIp": "127.0.0.1",
                "userAgent": "curl/8",
            },
            "requestId": "JYTj1h4MoAMEPQA=",
            "routeKey": "POST /items/{item_id}",
            "stage": "$default",
            "time": "14/Nov/2023:22:13:20 +0000",
            "timeEpoch": 1_700_000_000_123,
            "authorizer": {
                "jwt": {
                    "claims": {
                        "sub": "u1",
                        "scope": "aws.cognito.signin.user.admin",
                        "exp": "1700003600",
                    },
                    "scopes": ["aws.cognito.signin.user.admin"],
                }
            },
        },
        "pathParameters": {"item_id": "a1"},
        "body": '{"name":"x"}',
        "isBase64Encoded": False,
    }


def test_a_bare_request_leaves_out_what_it_does_not_have() -> None:
    event = event_for(
        IncomingRequest("GET", "/healthz", "", [("host", "x")]),
        route_key="GET /healthz",
        path_parameters={},
    )
    for absent in ("cookies", "queryStringParameters", "pathParameters", "body"):
        assert absent not in event
    assert event["isBase64Encoded"] is False
    assert "authorizer" not in event["requestContext"]  # type: ignore[operator]


@pytest.mark.parametrize("content_type", ["", "application/octet-stream", "image/png"])
def test_non_text_bodies_are_base64_encoded(content_type: str) -> None:
    headers = [("content-type", content_type)] if content_type else []
    event = event_for(IncomingRequest("POST", "/x", "", headers, body=b"\x00\x01"))
    assert event["isBase64Encoded"] is True
    assert event["body"] == base64.b64encode(b"\x00\x01").decode()


@pytest.mark.parametrize(
    "content_type",
    [
        "application/json",
        "text/plain; charset=utf-8",
        "application/problem+json",
        "application/xml",
    ],
)
def test_text_bodies_arrive_as_text(content_type: str) -> None:
    request = IncomingRequest("POST", "/x", "", [("content-type", content_type)], body=b"hi")
    event = event_for(request)
    assert (event["body"], event["isBase64Encoded"]) == ("hi", False)


def test_query_parameters_decode_and_join_repeats() -> None:
    assert query_parameters("a=1&a=2&b=x+y&c=%2F&flag") == {
        "a": "1,2",
        "b": "x y",
        "c": "/",
        "flag": "",
    }


def test_a_full_response_maps_status_headers_cookies_and_body() -> None:
    response = map_response(
        {
            "statusCode": 201,
            "headers": {"content-type": "application/json", "x-n": 3},
            "cookies": ["a=1; Secure", "b=2"],
            "body": '{"ok":true}',
        }
    )
    assert response == GatewayResponse(
        201,
        [
            ("content-type", "application/json"),
            ("x-n", "3"),
            ("set-cookie", "a=1; Secure"),
            ("set-cookie", "b=2"),
        ],
        b'{"ok":true}',
    )


def test_a_base64_body_is_decoded() -> None:
    body = base64.b64encode(b"\x89PNG").decode()
    response = map_response({"statusCode": 200, "body": body, "isBase64Encoded": True})
    assert response.body == b"\x89PNG"


@pytest.mark.parametrize("result", [{"message": "hi"}, ["a", 1], 42, None])
def test_any_other_result_without_status_code_is_its_json(result: object) -> None:
    response = map_response(result)
    assert response.status == 200
    assert response.headers == [("content-type", "application/json")]
    assert json.loads(response.body) == result


@pytest.mark.parametrize(
    "result",
    [
        {"statusCode": "200"},
        {"statusCode": 99},
        {"statusCode": True},
        {"statusCode": 200, "body": {"not": "a string"}},
        {"statusCode": 200, "headers": ["x"]},
        {"statusCode": 200, "headers": {"x": {"nested": 1}}},
        {"statusCode": 200, "cookies": "a=1"},
        {"statusCode": 200, "body": "***", "isBase64Encoded": True},
    ],
)
def test_a_malformed_response_is_refused(result: object) -> None:
    with pytest.raises(MalformedResponse):
        map_response(result)


def test_the_gateways_own_errors_are_compact_json() -> None:
    assert gateway_error(401, "Unauthorized").body == b'{"message":"Unauthorized"}'


def test_the_path_reaches_the_function_percent_decoded() -> None:
    """HTTP API decodes the path in rawPath and requestContext.http.path
    (middleapi/standard-server#93; honojs/hono#2156: `/RSC/%40id%2Fassets`
    arrives as `/RSC/@id/assets`); the query string stays raw."""
    request = IncomingRequest("GET", "/files/%40id%2Fa%20b%C3%A9+c", "q=a%20b", [])
    event = event_for(request)
    assert event["rawPath"] == "/files/@id/a bé+c"
    context = event["requestContext"]
    assert isinstance(context, dict)
    assert context["http"]["path"] == "/files/@id/a bé+c"
    assert event["rawQueryString"] == "q=a%20b"


@pytest.mark.parametrize(
    ("result", "body"),
    [
        ("Hello from Lambda!", b"Hello from Lambda!"),
        ({"message": "Hello from Lambda!"}, b'{"message": "Hello from Lambda!"}'),
        ([1, 2], b"[1, 2]"),
    ],
)
def test_a_result_without_status_code_is_the_body_of_a_200(result: object, body: bytes) -> None:
    """The developer guide's table, "Lambda function response for format 2.0":
    a string is the body as it is (not JSON-quoted), an object its JSON."""
    response = map_response(result)
    assert response.status == 200
    assert response.headers == [("content-type", "application/json")]
    assert response.body == body
