"""Every answer the kernel gives is in every service's OpenAPI document."""

from __future__ import annotations

import json
from typing import Any

import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient
from pydantic import BaseModel

from service_kernel import AnswerBody, create_app, error_responses
from service_kernel.testing import AsAuthorizedBy, access_claims, id_token_claims


@pytest.fixture(scope="module")
def document(app: FastAPI) -> dict[str, Any]:
    described: dict[str, Any] = app.openapi()
    return described


def answers(document: dict[str, Any], method: str, path: str) -> dict[str, Any]:
    responses: dict[str, Any] = document["paths"][path][method]["responses"]
    return responses


def test_fastapis_validation_error_is_replaced_by_the_kernels_envelope(
    document: dict[str, Any],
) -> None:
    assert "HTTPValidationError" not in json.dumps(document)
    invalid = answers(document, "post", "/greet")["422"]
    assert invalid["content"]["application/json"]["schema"] == {
        "$ref": "#/components/schemas/ValidationErrorBody"
    }
    assert "details" in document["components"]["schemas"]["ValidationErrorBody"]["required"]


def test_every_route_documents_the_middlewares_answers(document: dict[str, Any]) -> None:
    for path, item in document["paths"].items():
        for method, operation in item.items():
            assert {"413", "415", "500"} <= set(operation["responses"]), f"{method} {path}"


def test_a_route_with_a_body_documents_invalid_json(document: dict[str, Any]) -> None:
    assert "invalid_json" in answers(document, "post", "/greet")["400"]["description"]
    assert "400" not in answers(document, "get", "/me")


def test_a_route_that_needs_a_caller_names_the_bearer_scheme_and_its_401(
    document: dict[str, Any],
) -> None:
    scheme = document["components"]["securitySchemes"]["cognitoJwt"]
    assert (scheme["type"], scheme["scheme"], scheme["bearerFormat"]) == ("http", "bearer", "JWT")
    me = document["paths"]["/me"]["get"]
    assert me["security"] == [{"cognitoJwt": []}]
    assert "unauthorized" in me["responses"]["401"]["description"]
    assert "security" not in document["paths"]["/greet"]["post"]


def test_a_path_parameter_may_name_nothing(document: dict[str, Any]) -> None:
    assert "not_found" in answers(document, "post", "/echo/{name}")["404"]["description"]


def test_every_answer_carries_the_request_id_and_security_headers(
    document: dict[str, Any],
) -> None:
    defined = document["components"]["headers"]
    assert set(defined) == {
        "x-request-id",
        "X-Content-Type-Options",
        "Strict-Transport-Security",
        "Cache-Control",
    }
    for item in document["paths"].values():
        for operation in item.values():
            for response in operation["responses"].values():
                assert set(defined) <= set(response["headers"])


def test_what_the_app_answers_is_what_it_documents(app: FastAPI, document: dict[str, Any]) -> None:
    """Each refusal the kernel gives, sent for real, has its status documented."""
    caller = TestClient(AsAuthorizedBy(app, access_claims()), raise_server_exceptions=False)
    id_caller = TestClient(AsAuthorizedBy(app, id_token_claims()), raise_server_exceptions=False)
    anonymous = TestClient(app, raise_server_exceptions=False)
    json_type = {"content-type": "application/json"}
    sent = [
        ("post", "/greet", anonymous.post("/greet", content=b"{", headers=json_type)),
        ("post", "/greet", anonymous.post("/greet", json={"name": ""})),
        (
            "post",
            "/greet",
            anonymous.post("/greet", content=b"x", headers={"content-type": "text/plain"}),
        ),
        ("post", "/greet", anonymous.post("/greet", content=b"{}" * 200_000, headers=json_type)),
        ("get", "/me", anonymous.get("/me")),
        ("get", "/me", id_caller.get("/me")),
        ("post", "/echo/{name}", caller.post("/echo/x", content=b"[", headers=json_type)),
    ]
    for method, path, response in sent:
        assert str(response.status_code) in answers(document, method, path), (
            method,
            path,
            response.status_code,
        )


class Refused(BaseModel):
    error: str
    attempts_left: int


def test_a_route_may_name_its_own_body_and_headers_for_an_answer() -> None:
    app = FastAPI()

    @app.get(
        "/x",
        responses=error_responses(
            {401: ("invalid_code: wrong", Refused), 429: "too_many_requests"},
            headers={429: {"Retry-After": {"schema": {"type": "string"}}}},
        ),
    )
    def route() -> None:
        return None

    responses = app.openapi()["paths"]["/x"]["get"]["responses"]
    assert responses["401"]["content"]["application/json"]["schema"] == {
        "$ref": "#/components/schemas/Refused"
    }
    assert responses["429"]["headers"] == {"Retry-After": {"schema": {"type": "string"}}}


class Part(BaseModel):
    name: str


class Whole(BaseModel):
    parts: list[Part]


def test_a_body_a_route_documents_itself_keeps_its_nested_definitions() -> None:
    """A schema given through `openapi_extra` refers to components; its `$defs`
    must land there, or its refs point at nothing."""
    app = create_app("kernel-test", "0")
    schema = Whole.model_json_schema(ref_template="#/components/schemas/{model}")
    body = {"requestBody": {"content": {"application/json": {"schema": schema}}}}

    @app.post("/whole", openapi_extra=body)
    def whole() -> None:
        return None

    document = app.openapi()
    assert "$defs" not in json.dumps(document["paths"])
    assert document["components"]["schemas"]["Part"]["properties"]["name"]["type"] == "string"


class Reply(AnswerBody):
    always: str
    sometimes: str | None = None


def test_an_answer_bodys_unset_fields_are_optional_and_never_null() -> None:
    schema = Reply.model_json_schema(mode="serialization")
    assert schema["required"] == ["always"]
    assert schema["properties"]["sometimes"] == {"title": "Sometimes", "type": "string"}
