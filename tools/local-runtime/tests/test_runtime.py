"""The local runtime as a developer meets it: the real program for `dev`, one
runtime for the session (conftest), driven over HTTP on loopback."""

from __future__ import annotations

import base64
import json
import os
import re
import signal
import socket
import time
import uuid
from collections.abc import Mapping
from concurrent.futures import ThreadPoolExecutor
from http.server import BaseHTTPRequestHandler
from typing import Any

import httpx2 as httpx
import jwt
import pytest
from cryptography.hazmat.primitives.asymmetric import rsa

from local_runtime import smoke
from local_runtime.bench.local_api import READY
from local_runtime.runtime import NotYetListening, Runtime, open_when_announced
from tests.fake_program import PROBE_TIMEOUT
from tests.support import (
    EXTRA_ORIGIN,
    PROBE,
    TEST_BURST,
    Captured,
    authorizer_of,
    mint_tokens,
    moto_signing_key,
)

UNAUTHORIZED = {"message": "Unauthorized"}


@pytest.fixture(scope="module")
def client(runtime: Runtime) -> httpx.Client:
    return httpx.Client(base_url=runtime.url, timeout=30)


@pytest.fixture(scope="module")
def tokens(runtime: Runtime) -> dict[str, str]:
    return mint_tokens(runtime)


def bearer(token: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {token}"}


def probe_invoked(console: Captured, response: httpx.Response) -> bool:
    return f"probe saw {response.headers['apigw-requestid']}" in console.text()


# ---- start-up and console ----


def test_health_answers_on_loopback(runtime: Runtime, client: httpx.Client) -> None:
    assert runtime.url.startswith("http://127.0.0.1:")
    assert runtime.emulator.url.startswith("http://127.0.0.1:")  # moto, not 0.0.0.0
    response = client.get("/healthz")
    assert response.status_code == 200
    assert response.json()["stage"] == "dev"
    assert response.headers["apigw-requestid"]


def test_console_shows_url_stack_routes_and_what_is_not_modeled(
    runtime: Runtime, client: httpx.Client, console_output: Captured
) -> None:
    client.get("/healthz")
    text = console_output.text()
    assert f"API       {runtime.url}" in text
    assert "local runtime: stack dev" in text
    assert "GET     /healthz" in text
    assert "health.api" in text
    assert "not modeled locally: " in text  # declared, counted, not silently dropped
    assert " log groups, " in text
    assert "\nGET /healthz  200  " in text  # one line per request
    assert '"message":"request"' not in text  # the function's access line: the request line says it


def test_the_ready_line_comes_before_any_request_line(
    runtime: Runtime, client: httpx.Client, console_output: Captured
) -> None:
    client.get("/healthz")
    text = console_output.text()

    assert re.search(rf"\nready in [\d.]+s: {runtime.url}  \(Ctrl-C stops everything\)\n", text)
    assert text.index("\nready in ") < text.index("\nGET /healthz  ")
    found = READY.search(text)  # make bench waits for this line
    assert found is not None
    assert found["url"] == runtime.url


def test_the_port_refuses_connections_until_ready_and_nothing_is_answered_before_the_line() -> None:
    server = NotYetListening(("127.0.0.1", 0), BaseHTTPRequestHandler)
    address = ("127.0.0.1", server.server_address[1])
    try:
        with pytest.raises(ConnectionRefusedError):
            socket.create_connection(address).close()
        when_announced: list[bool] = []

        def announce() -> None:
            # A client that read the line connects at once; no request is answered yet.
            socket.create_connection(address).close()
            when_announced.append(server.serving)

        open_when_announced(server, announce)

        assert when_announced == [False]
        assert server.serving
    finally:
        server.stop()
        server.server_close()


def test_every_declared_route_is_served_so_make_dev_warns_of_none(
    runtime: Runtime, console_output: Captured
) -> None:
    assert " is declared in " not in console_output.text()


def test_every_sms_and_email_sent_is_printed(runtime: Runtime, console_output: Captured) -> None:
    runtime.emulator.client("sns").publish(PhoneNumber="+15555550199", Message="code 424242")
    ses = runtime.emulator.client("ses")
    ses.verify_email_identity(EmailAddress="sender@example.com")
    ses.send_email(
        Source="sender@example.com",
        Destination={"ToAddresses": ["dev@example.com"]},
        Message={"Subject": {"Data": "Your code"}, "Body": {"Text": {"Data": "It is 171717."}}},
    )
    text = console_output.text()  # printed before each send answered
    assert "SMS to +15555550199: code 424242" in text
    assert "E-mail to dev@example.com: Your code\n    It is 171717." in text


def test_the_emulator_holds_the_declared_table_pool_and_client(runtime: Runtime) -> None:
    authorizer = authorizer_of(runtime)
    pool_id = authorizer.issuer.rsplit("/", 1)[1]
    dynamodb = runtime.emulator.client("dynamodb")
    (table,) = dynamodb.list_tables()["TableNames"]
    description = dynamodb.describe_table(TableName=table)["Table"]
    assert [k["KeyType"] for k in description["KeySchema"]] == ["HASH", "RANGE"]
    ttl = dynamodb.describe_time_to_live(TableName=table)["TimeToLiveDescription"]
    assert ttl == {"TimeToLiveStatus": "ENABLED", "AttributeName": "expires_at"}
    cognito = runtime.emulator.client("cognito-idp")
    pool = cognito.describe_user_pool(UserPoolId=pool_id)["UserPool"]
    assert pool["Policies"]["PasswordPolicy"]["MinimumLength"] == 8
    client = cognito.describe_user_pool_client(
        UserPoolId=pool_id, ClientId=authorizer.audiences[0]
    )["UserPoolClient"]
    assert "ALLOW_CUSTOM_AUTH" in client["ExplicitAuthFlows"]
    # References the program resolved to the mock's ids now name the emulator's.
    ssm = runtime.emulator.client("ssm")
    parameter = ssm.get_parameter(Name="/serverless-backend/dev/user_pool_id")["Parameter"]
    assert parameter["Value"] == pool_id


def test_stack_secrets_reach_functions_only_through_their_securestring_parameter(
    runtime: Runtime,
) -> None:
    """As on AWS: the environment names the parameter (and its version), the worker reads
    the value from the emulator's SSM at first use (service_kernel.secret_value)."""
    assert runtime.model is not None
    (items,) = [f for f in runtime.model.functions.values() if f.label == "items.api"]
    reference = items.environment["CURSOR_SIGNING_KEY_PARAMETER"]
    assert reference == "/serverless-backend/dev/secrets/itemsCursorKey:1"
    assert not any("local_only_" in value for value in items.environment.values())
    parameter = runtime.emulator.client("ssm").get_parameter(Name=reference, WithDecryption=True)[
        "Parameter"
    ]
    assert parameter["Type"] == "SecureString"
    assert len(parameter["Value"]) == 64


# ---- the authorizer ----


def resign(token: str, key: Any = None, algorithm: str = "RS256", **changes: Any) -> str:
    claims = jwt.decode(token, options={"verify_signature": False})
    claims.update(changes)
    return jwt.encode(
        claims, key or moto_signing_key(), algorithm=algorithm, headers={"kid": "dummy"}
    )


def public_pem(runtime: Runtime) -> bytes:
    from cryptography.hazmat.primitives import serialization

    issuer = authorizer_of(runtime).issuer
    jwks = httpx.get(f"{runtime.emulator.url}/{issuer.rsplit('/', 1)[1]}/.well-known/jwks.json")
    key = jwt.PyJWK(jwks.json()["keys"][0]).key
    return bytes(
        key.public_bytes(
            serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo
        )
    )


def hs256_with_public_key(token: str, pem: bytes) -> str:
    """The classic confusion attack, built by hand (PyJWT refuses to sign it)."""
    import hashlib
    import hmac

    def b64(data: bytes) -> str:
        return base64.urlsafe_b64encode(data).rstrip(b"=").decode()

    header = b64(json.dumps({"alg": "HS256", "kid": "dummy", "typ": "JWT"}).encode())
    payload = token.split(".")[1]
    signature = hmac.new(pem, f"{header}.{payload}".encode(), hashlib.sha256).digest()
    return f"{header}.{payload}.{b64(signature)}"


def refused_tokens(runtime: Runtime, access: str) -> dict[str, str | None]:
    now = int(time.time())
    foreign = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    header, payload, signature = access.split(".")
    claims = json.loads(base64.urlsafe_b64decode(payload + "=" * (-len(payload) % 4)))
    claims["sub"] = "someone-else"
    tampered = base64.urlsafe_b64encode(json.dumps(claims).encode()).rstrip(b"=").decode()
    none_header = base64.urlsafe_b64encode(b'{"alg":"none","kid":"dummy"}').rstrip(b"=")
    return {
        "missing": None,
        "garbage": "not.a.token",
        "alg none": f"{none_header.decode()}.{payload}.",
        "HS256 signed with the public key": hs256_with_public_key(access, public_pem(runtime)),
        "a foreign RSA key under the real kid": resign(access, key=foreign),
        "expired": resign(access, exp=now - 5, iat=now - 3600),
        "nbf in the future": resign(access, nbf=now + 600),
        "wrong issuer": resign(access, iss="https://cognito-idp.eu-west-1.amazonaws.com/other"),
        "wrong client": resign(access, client_id="another-client"),
        "tampered payload": f"{header}.{tampered}.{signature}",
    }


REFUSALS = [
    "missing",
    "garbage",
    "alg none",
    "HS256 signed with the public key",
    "a foreign RSA key under the real kid",
    "expired",
    "nbf in the future",
    "wrong issuer",
    "wrong client",
    "tampered payload",
]


@pytest.fixture(scope="module")
def refused(runtime: Runtime, tokens: Mapping[str, str]) -> dict[str, str | None]:
    return refused_tokens(runtime, tokens["access"])


@pytest.mark.parametrize("case", REFUSALS)
def test_the_authorizer_refuses_and_the_function_never_runs(
    client: httpx.Client,
    refused: Mapping[str, str | None],
    console_output: Captured,
    case: str,
) -> None:
    token = refused[case]
    headers = {} if token is None else bearer(token)
    response = client.get("/probe/echo", headers=headers)
    assert response.status_code == 401
    assert response.json() == UNAUTHORIZED
    assert not probe_invoked(console_output, response)


def test_a_resigned_but_otherwise_valid_token_passes(
    client: httpx.Client, tokens: Mapping[str, str]
) -> None:
    """The refusals above fail for their one reason, not for being re-signed."""
    assert client.get("/probe/echo", headers=bearer(resign(tokens["access"]))).status_code == 200


def test_an_id_token_passes_the_gateway_but_the_services_refuse_it(
    client: httpx.Client, tokens: Mapping[str, str]
) -> None:
    assert client.get("/probe/echo", headers=bearer(tokens["id"])).status_code == 200
    response = client.get("/status", headers=bearer(tokens["id"]))
    assert response.status_code == 401
    assert response.json()["error"] == "unauthorized"
    assert client.get("/status", headers=bearer(tokens["access"])).status_code == 200


# ---- the event a function receives ----


def test_the_payload_2_0_event_field_by_field(
    runtime: Runtime, client: httpx.Client, tokens: Mapping[str, str]
) -> None:
    body = {"hello": "wörld"}
    response = client.post(
        "/probe/echo?b=2&a=1&a=x%20y",
        content=json.dumps(body).encode(),
        headers=[
            ("Authorization", f"Bearer {tokens['access']}"),
            ("Content-Type", "application/json"),
            ("X-Dup", "one"),
            ("x-dup", "two"),
            ("Cookie", "c1=v1; c2=v2"),
            ("User-Agent", "field-by-field"),
        ],
    )
    assert response.status_code == 200
    seen = response.json()
    event = seen["event"]
    claims = jwt.decode(tokens["access"], options={"verify_signature": False})
    context = event["requestContext"]
    assert event["version"] == "2.0"
    assert event["routeKey"] == "POST /probe/{action}"
    assert event["rawPath"] == "/probe/echo"
    assert event["rawQueryString"] == "b=2&a=1&a=x%20y"
    assert event["queryStringParameters"] == {"b": "2", "a": "1,x y"}
    assert event["pathParameters"] == {"action": "echo"}
    assert event["cookies"] == ["c1=v1", "c2=v2"]
    assert event["headers"]["x-dup"] == "one,two"
    assert event["headers"]["content-type"] == "application/json"
    assert "cookie" not in event["headers"]
    assert all(name == name.lower() for name in event["headers"])
    assert json.loads(event["body"]) == body
    assert event["isBase64Encoded"] is False
    assert context["http"] == {
        "method": "POST",
        "path": "/probe/echo",
        "protocol": "HTTP/1.1",
        "sourceIp": "127.0.0.1",
        "userAgent": "field-by-field",
    }
    assert context["requestId"] == response.headers["apigw-requestid"]
    assert context["routeKey"] == "POST /probe/{action}"
    assert context["stage"] == "$default"
    assert abs(context["timeEpoch"] / 1000 - time.time()) < 30
    assert time.strptime(context["time"], "%d/%b/%Y:%H:%M:%S +0000")
    jwt_context = context["authorizer"]["jwt"]
    assert jwt_context["claims"] == {k: str(v) for k, v in claims.items()}
    # The route declares no scopes: null, though the token has a scope claim
    # (aws/aws-lambda-go#317).
    assert claims["scope"]
    assert jwt_context["scopes"] is None
    # The response mapping: cookies become Set-Cookie headers.
    assert response.headers.get_list("set-cookie") == ["a=1; Path=/", "b=2"]


def test_binary_bodies_arrive_base64_encoded(client: httpx.Client) -> None:
    response = client.post("/any/echo", content=b"\x00\xffraw", headers={"content-type": "x/y"})
    event = response.json()["event"]
    assert event["isBase64Encoded"] is True
    assert base64.b64decode(event["body"]) == b"\x00\xffraw"
    assert event["routeKey"] == "ANY /any/{action}"


def test_a_greedy_path_takes_the_rest(client: httpx.Client) -> None:
    event = client.get("/open/a/b/c").json()["event"]
    assert event["pathParameters"] == {"proxy": "a/b/c"}


def test_the_worker_has_the_declared_environment_and_a_lambda_context(
    runtime: Runtime, client: httpx.Client
) -> None:
    seen = client.get("/open/x").json()
    environment = seen["environment"]
    assert environment["AWS_ENDPOINT_URL"] == runtime.emulator.url
    assert environment["AWS_REGION"] == runtime.emulator.region
    assert environment["AWS_LAMBDA_FUNCTION_NAME"] == "probe-api"
    assert environment["PROBE_TABLE"]  # the declared variable
    assert 0 < seen["context"]["remaining_ms"] <= PROBE_TIMEOUT * 1000  # the declared timeout
    uuid.UUID(seen["context"]["aws_request_id"])


def test_a_result_without_status_code_is_a_200_json_body(client: httpx.Client) -> None:
    response = client.get("/any/bare")
    assert response.status_code == 200
    assert response.headers["content-type"] == "application/json"
    assert response.json()["bare"] is True


def test_a_plain_string_result_is_the_body_as_it_is(client: httpx.Client) -> None:
    """The developer guide's format 2.0 table: "Hello from Lambda!" is sent as
    the body Hello from Lambda!, not JSON-quoted."""
    response = client.get("/any/string")
    assert response.status_code == 200
    assert response.headers["content-type"] == "application/json"
    assert response.content == b"Hello from Lambda!"


def test_the_function_sees_the_path_percent_decoded(client: httpx.Client) -> None:
    """middleapi/standard-server#93, honojs/hono#2156: HTTP API decodes the
    path in rawPath and requestContext.http.path."""
    event = client.get("/open/a%20b/%40c").json()["event"]
    assert event["rawPath"] == "/open/a b/@c"
    assert event["requestContext"]["http"]["path"] == "/open/a b/@c"
    assert event["pathParameters"] == {"proxy": "a b/@c"}


def test_an_event_over_lambdas_6_mb_is_a_500_and_the_function_never_runs(
    client: httpx.Client, console_output: Captured
) -> None:
    """Lambda quotas: 6 MB per synchronous request, counted on the event: a
    4.8 MB binary body is a 6.4 MB base64 event. HTTP API answers an
    integration failure `500 {"message":"Internal Server Error"}` (developer
    guide, "Troubleshooting issues with HTTP API Lambda integrations")."""
    response = client.post(
        "/any/echo", content=b"\x00" * 4_800_000, headers={"content-type": "x/y"}
    )
    assert response.status_code == 500
    assert response.json() == {"message": "Internal Server Error"}
    assert not probe_invoked(console_output, response)
    assert "RequestEntityTooLargeException" in console_output.text()
    # Under the limit, a body of the same order as text passes.
    fits = client.post(
        "/any/bare", content=b"x" * 3_000_000, headers={"content-type": "text/plain"}
    )
    assert fits.status_code == 200, fits.text


def test_a_result_over_lambdas_6_mb_is_a_500(
    client: httpx.Client, console_output: Captured
) -> None:
    """Lambda refuses a response over 6291556 bytes ("Response payload size
    exceeded maximum allowed payload size", DataBiosphere/azul#8192); HTTP
    API answers the integration failure with its 500."""
    response = client.get("/any/huge")
    assert response.status_code == 500
    assert response.json() == {"message": "Internal Server Error"}
    assert "Function.ResponseSizeTooLarge" in console_output.text()


def test_a_method_no_route_takes_is_http_apis_json_404(client: httpx.Client) -> None:
    response = client.request("TRACE", "/healthz")
    assert response.status_code == 404
    assert response.headers["content-type"] == "application/json"
    assert response.json() == {"message": "Not Found"}


# ---- gateway answers ----


def test_unknown_route_is_the_gateways_404(client: httpx.Client) -> None:
    response = client.get("/no/such/route")
    assert response.status_code == 404
    assert response.json() == {"message": "Not Found"}
    assert client.delete("/healthz").status_code == 404


def test_cors_preflight_is_answered_without_the_function(
    client: httpx.Client, console_output: Captured
) -> None:
    asked = {
        "Access-Control-Request-Method": "POST",
        "Access-Control-Request-Headers": "authorization,content-type",
    }
    allowed = client.options("/any/echo", headers={"Origin": "http://localhost:3000", **asked})
    assert allowed.status_code == 204
    assert allowed.headers["access-control-allow-origin"] == "http://localhost:3000"
    assert "POST" in allowed.headers["access-control-allow-methods"]
    assert not probe_invoked(console_output, allowed)
    refused = client.options("/any/echo", headers={"Origin": "https://evil.example", **asked})
    assert refused.status_code == 204
    assert "access-control-allow-origin" not in refused.headers
    actual = client.get("/healthz", headers={"Origin": "http://localhost:3000"})
    assert actual.headers["access-control-allow-origin"] == "http://localhost:3000"
    assert "x-request-id" in actual.headers["access-control-expose-headers"]


def test_a_change_to_the_stack_config_reaches_the_local_api(client: httpx.Client) -> None:
    """The test stack file adds an origin to Pulumi.dev.yaml's; nothing else was edited."""
    asked = {"Origin": EXTRA_ORIGIN, "Access-Control-Request-Method": "GET"}
    response = client.options("/items", headers=asked)
    assert response.headers.get("access-control-allow-origin") == EXTRA_ORIGIN


def test_throttling_answers_429(runtime: Runtime) -> None:
    with httpx.Client(base_url=runtime.url) as client, ThreadPoolExecutor(8) as pool:
        statuses = list(
            pool.map(lambda _: client.get("/open/t").status_code, range(TEST_BURST * 3))
        )
    assert 429 in statuses
    assert 200 in statuses
    assert statuses.count(200) <= TEST_BURST + 1  # + what refilled while they ran


def test_a_body_over_10_mb_is_413_before_it_is_read(runtime: Runtime) -> None:
    port = int(runtime.url.rsplit(":", 1)[1])
    with socket.create_connection(("127.0.0.1", port), timeout=5) as raw:
        raw.sendall(
            b"POST /any/echo HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\n"
            b"Content-Length: 10485761\r\n\r\n"
        )
        status_line = raw.recv(200).split(b"\r\n", 1)[0]
    assert status_line == b"HTTP/1.1 413 Request Entity Too Large"


# ---- workers ----


def test_a_function_error_is_500(client: httpx.Client, console_output: Captured) -> None:
    response = client.get("/any/fail")
    assert response.status_code == 500
    assert response.json() == {"message": "Internal Server Error"}
    assert "[probe.api] " in console_output.text()


def test_a_timeout_is_503(client: httpx.Client) -> None:
    response = client.get("/any/sleep")
    assert response.status_code == 503
    assert response.json() == {"message": "Service Unavailable"}


def test_a_crashed_worker_is_replaced_on_the_next_request(client: httpx.Client) -> None:
    before = client.get("/any/bare").json()["pid"]
    crashed = client.get("/any/crash")
    assert crashed.status_code == 500
    after = client.get("/any/bare").json()["pid"]
    assert after != before


def test_overlapping_requests_start_more_workers(
    runtime: Runtime, client: httpx.Client, console_output: Captured
) -> None:
    seen = len(console_output.text())
    with ThreadPoolExecutor(1) as pool:
        held = pool.submit(client.get, "/any/hold")
        holder = console_output.holding_worker(seen)
        # The holder is busy: this request overlaps it, and gets a worker of its own.
        beside = client.get("/any/bare").json()["pid"]
        os.kill(holder, signal.SIGKILL)  # ends the held request now, not at the timeout
        assert held.result().status_code == 500
    assert beside != holder
    assert runtime.pools["probe-api"].size <= runtime.pools["probe-api"].function.concurrency


def test_editing_a_services_source_restarts_its_workers(
    client: httpx.Client, console_output: Captured
) -> None:
    before = client.get("/any/bare").json()["pid"]
    seen = len(console_output.text())
    handler = PROBE / "probe_handler.py"
    stat = handler.stat()
    os.utime(handler, (stat.st_atime, stat.st_mtime + 1))
    console_output.wait_for("probe: source changed", start=seen)
    assert client.get("/any/bare").json()["pid"] != before


def test_each_services_openapi_is_served_with_swagger_ui(client: httpx.Client) -> None:
    page = client.get("/_local/docs/health")
    assert page.status_code == 200
    assert "swagger-ui" in page.text
    spec = client.get("/_local/docs/health/openapi.json")
    assert spec.status_code == 200
    assert "/healthz" in spec.json()["paths"]
    assert client.get("/_local/docs/nope").status_code == 404
    # dev enables docs, so the program routes each service's own docs too.
    assert "/healthz" in client.get("/docs/health/openapi.json").json()["paths"]


def test_openapi_json_is_the_whole_api_as_make_openapi_writes_it(
    client: httpx.Client, generated_openapi: dict[str, Any]
) -> None:
    response = client.get("/openapi.json")
    assert response.status_code == 200
    assert response.headers["content-type"] == "application/json"
    assert response.json() == generated_openapi


def test_the_docs_index_shows_the_whole_api_and_lists_every_service(
    client: httpx.Client,
) -> None:
    page = client.get("/_local/docs")
    assert page.status_code == 200
    assert '"url": "/openapi.json"' in page.text
    for service in ("auth", "health", "items"):
        assert f'<a href="/_local/docs/{service}">{service}</a>' in page.text


@pytest.mark.parametrize("page", ["/_local/docs", "/_local/docs/items"])
def test_the_docs_pages_load_only_local_assets_with_their_content_types(
    client: httpx.Client, page: str
) -> None:
    loaded = re.findall(r'(?:src|href)="([^"]+)"', client.get(page).text)
    assets = [url for url in loaded if url.startswith("/_local/docs/assets/")]
    assert assets  # the script and the styles at least
    assert all(url.startswith("/") and "//" not in url for url in loaded)
    content_types = {
        url.rsplit(".", 1)[1]: client.get(url).headers["content-type"] for url in assets
    }
    assert content_types == {
        "css": "text/css; charset=utf-8",
        "js": "text/javascript; charset=utf-8",
        "png": "image/png",
    }


def test_a_services_own_docs_page_loads_every_file_from_its_function(
    client: httpx.Client,
) -> None:
    """What a deployed stack with enableDocs serves: the page and Swagger UI's
    files from the service's function, through the gateway's declared routes,
    under a Content-Security-Policy of the function's own origin."""
    page = client.get("/docs/items")
    assert page.status_code == 200
    policy = page.headers["content-security-policy"]
    assert policy.startswith("default-src 'self';")
    loaded = re.findall(r'(?:src|href)="([^"]+)"', page.text)
    files = [url for url in loaded if url.startswith("/docs/items/assets/")]
    assert len(files) == 5  # Swagger UI's script, styles and icon; the page's own two
    for url in files:
        answer = client.get(url)
        assert answer.status_code == 200, url
        assert answer.headers["content-security-policy"] == policy
        assert answer.content
    assert client.get("/docs/items/assets/nothing.js").status_code == 404


# ---- the smoke suite ----


def test_the_smoke_suite_passes_locally(
    runtime: Runtime, console_output: Captured, capsys: pytest.CaptureFixture[str]
) -> None:
    assert runtime.model is not None
    assert runtime.model.api is not None
    if "POST /auth/start" not in {r.route_key for r in runtime.model.api.routes}:
        pytest.skip("the program declares no auth service yet")
    # As `make smoke` runs it: dev's test destinations, whose codes make dev echoes.
    assert smoke.main(["--api-url", runtime.url, "--stack", "dev"], environ={}) == 0
    assert "0 failed, 0 skipped" in capsys.readouterr().out
    # A test destination is never sent a message, not even here.
    assert "SMS to +15555550100" not in console_output.text()
