"""The merge rules, on small hand-made documents: what the gateway routes, who
guards it, what it answers itself, and how components of two services meet."""

from __future__ import annotations

import json
from typing import Any

import pytest

from local_runtime.openapi_merge import (
    GATEWAY_MESSAGE,
    SECURITY_SCHEME,
    ApiInfo,
    MergeError,
    ServiceApi,
    gateway_route,
    merge,
    render,
)
from service_manifest import AUTH_JWT, AUTH_PUBLIC, Route

INFO = ApiInfo(title="serverless-backend", version="1.2.3")
GATEWAY_REF = {"$ref": f"#/components/schemas/{GATEWAY_MESSAGE}"}


def ref(name: str) -> dict[str, str]:
    return {"$ref": f"#/components/schemas/{name}"}


def operation(
    operation_id: str, answer: dict[str, Any] | None = None, **responses: Any
) -> dict[str, Any]:
    """A FastAPI-like operation: a 200 with `answer` as its schema, plus `responses`."""
    ok: dict[str, Any] = {"description": "Successful Response"}
    if answer is not None:
        ok["content"] = {"application/json": {"schema": answer}}
    return {
        "operationId": operation_id,
        "tags": ["own-tag"],
        "responses": {"200": ok, **responses},
    }


def document(paths: dict[str, Any], schemas: dict[str, Any] | None = None) -> dict[str, Any]:
    return {
        "openapi": "3.1.0",
        "info": {"title": "svc", "version": "0.1.0+abc"},
        "paths": paths,
        "components": {"schemas": schemas or {}},
    }


def obj(**properties: str) -> dict[str, Any]:
    return {"type": "object", "properties": {k: {"type": v} for k, v in properties.items()}}


def ops(merged: dict[str, Any]) -> dict[str, dict[str, Any]]:
    """Every operation by `METHOD path`."""
    return {
        f"{method.upper()} {path}": op
        for path, item in merged["paths"].items()
        for method, op in item.items()
    }


# ---- the document ----


def test_one_openapi_3_1_document_with_the_projects_info_and_a_tag_per_service() -> None:
    merged = merge(
        [
            ServiceApi("b", document({"/b": {"get": operation("b")}}), [Route("GET", "/b")]),
            ServiceApi("a", document({"/a": {"get": operation("a")}}), [Route("GET", "/a")]),
        ],
        ApiInfo("serverless-backend", "1.2.3", "The whole API."),
    )
    assert merged["openapi"] == "3.1.0"
    assert merged["info"] == {
        "title": "serverless-backend",
        "version": "1.2.3",
        "description": "The whole API.",
    }
    assert merged["tags"] == [{"name": "a"}, {"name": "b"}]
    assert ops(merged)["GET /a"]["tags"] == ["a"]  # the service's name, not its own tags
    assert ops(merged)["GET /b"]["tags"] == ["b"]


def test_render_is_sorted_indented_and_ends_with_a_newline() -> None:
    text = render({"b": 1, "a": {"d": [2, 1], "c": "é"}})
    assert (
        text
        == '{\n  "a": {\n    "c": "é",\n    "d": [\n      2,\n      1\n    ]\n  },\n  "b": 1\n}\n'
    )


def test_the_same_services_in_any_order_give_the_same_bytes() -> None:
    a = ServiceApi("a", document({"/a": {"get": operation("a")}}), [Route("GET", "/a")])
    b = ServiceApi("b", document({"/b": {"get": operation("b")}}), [Route("GET", "/b")])
    assert render(merge([a, b], INFO)) == render(merge([b, a], INFO))


# ---- only what the gateway routes ----


def test_only_operations_the_gateway_routes_are_kept() -> None:
    paths = {
        "/routed": {"get": operation("routed"), "post": operation("not_routed")},
        "/unrouted": {"get": operation("unrouted")},
    }
    merged = merge([ServiceApi("svc", document(paths), [Route("GET", "/routed")])], INFO)
    assert set(ops(merged)) == {"GET /routed"}


def test_the_docs_routes_are_left_out_even_when_routed() -> None:
    paths = {
        "/docs/svc": {"get": operation("ui")},
        "/docs/svc/openapi.json": {"get": operation("spec")},
        "/thing": {"get": operation("thing")},
    }
    routes = [
        Route("GET", "/docs/svc", AUTH_PUBLIC),
        Route("GET", "/docs/svc/openapi.json", AUTH_PUBLIC),
        Route("GET", "/thing"),
    ]
    merged = merge([ServiceApi("svc", document(paths), routes)], INFO)
    assert set(ops(merged)) == {"GET /thing"}


@pytest.mark.parametrize(
    ("routes", "expected"),
    [
        ([Route("GET", "/x", AUTH_PUBLIC), Route("ANY", "/x", AUTH_JWT)], AUTH_PUBLIC),
        ([Route("ANY", "/x", AUTH_JWT), Route("ANY", "$default", AUTH_PUBLIC)], AUTH_JWT),
        ([Route("ANY", "$default", AUTH_PUBLIC)], AUTH_PUBLIC),
        ([Route("GET", "/y", AUTH_PUBLIC)], None),
    ],
)
def test_the_route_for_an_operation_is_the_exact_method_then_any_then_default(
    routes: list[Route], expected: str | None
) -> None:
    found = gateway_route(routes, "get", "/x")
    assert (found.auth if found is not None else None) == expected


# ---- who guards what ----


def test_security_is_required_on_exactly_the_jwt_routes() -> None:
    paths = {"/open": {"get": operation("open")}, "/closed": {"get": operation("closed")}}
    routes = [Route("GET", "/open", AUTH_PUBLIC), Route("GET", "/closed", AUTH_JWT)]
    merged = merge([ServiceApi("svc", document(paths), routes)], INFO)
    assert ops(merged)["GET /closed"]["security"] == [{SECURITY_SCHEME: []}]
    assert ops(merged)["GET /open"]["security"] == []
    assert "security" not in merged  # no default: every operation says its own
    assert merged["components"]["securitySchemes"] == {
        SECURITY_SCHEME: {
            "type": "http",
            "scheme": "bearer",
            "bearerFormat": "JWT",
            "description": merged["components"]["securitySchemes"][SECURITY_SCHEME]["description"],
        }
    }
    assert (
        "Cognito access token"
        in (merged["components"]["securitySchemes"][SECURITY_SCHEME]["description"])
    )


def test_the_services_own_bearer_scheme_is_the_gateways_and_the_manifest_decides() -> None:
    """Each service's document names the kernel's `cognitoJwt` scheme on the
    routes that need a caller; the merge keeps the name, describes it as the
    gateway checks it, and the manifest decides which routes require it."""
    closed = {**operation("closed"), "security": [{SECURITY_SCHEME: []}]}
    own = document({"/closed": {"get": closed}, "/open": {"get": operation("open")}})
    own["components"]["securitySchemes"] = {
        SECURITY_SCHEME: {"type": "http", "scheme": "bearer", "description": "the service's"}
    }
    routes = [Route("GET", "/closed", AUTH_JWT), Route("GET", "/open", AUTH_PUBLIC)]
    merged = merge([ServiceApi("svc", own, routes)], INFO)
    assert list(merged["components"]["securitySchemes"]) == [SECURITY_SCHEME]
    assert "authorizer" in merged["components"]["securitySchemes"][SECURITY_SCHEME]["description"]
    assert ops(merged)["GET /closed"]["security"] == [{SECURITY_SCHEME: []}]
    assert ops(merged)["GET /open"]["security"] == []


# ---- what the gateway answers itself ----


def test_the_gateway_adds_401_to_jwt_routes_and_429_to_every_route() -> None:
    paths = {"/open": {"get": operation("open")}, "/closed": {"get": operation("closed")}}
    routes = [Route("GET", "/open", AUTH_PUBLIC), Route("GET", "/closed", AUTH_JWT)]
    merged = merge([ServiceApi("svc", document(paths), routes)], INFO)
    closed, open_ = ops(merged)["GET /closed"], ops(merged)["GET /open"]
    assert "401" not in open_["responses"]
    for status, message in (("401", "Unauthorized"), ("429", "Too Many Requests")):
        answer = closed["responses"][status]["content"]["application/json"]
        assert answer == {"schema": GATEWAY_REF, "example": {"message": message}}
    assert open_["responses"]["429"] == closed["responses"]["429"]
    assert merged["components"]["schemas"][GATEWAY_MESSAGE]["required"] == ["message"]


def test_a_services_own_answer_for_the_status_is_kept_beside_the_gateways() -> None:
    own_401 = {
        "description": "unauthorized: an ID token",
        "content": {"application/json": {"schema": ref("ErrorBody")}},
    }
    paths = {"/closed": {"get": operation("closed", **{"401": own_401})}}
    schemas = {"ErrorBody": obj(error="string", message="string", request_id="string")}
    routes = [Route("GET", "/closed", AUTH_JWT)]
    merged = merge([ServiceApi("svc", document(paths, schemas), routes)], INFO)
    answer = ops(merged)["GET /closed"]["responses"]["401"]
    assert answer["content"]["application/json"]["schema"] == {
        "anyOf": [ref("ErrorBody"), GATEWAY_REF]
    }
    assert answer["description"].startswith("unauthorized: an ID token; or, from the gateway:")


# ---- components ----


def test_identical_components_of_two_services_are_shared_once() -> None:
    error = obj(error="string", message="string")
    a = document({"/a": {"get": operation("a", ref("ErrorBody"))}}, {"ErrorBody": error})
    b = document({"/b": {"get": operation("b", ref("ErrorBody"))}}, {"ErrorBody": error})
    merged = merge(
        [ServiceApi("a", a, [Route("GET", "/a")]), ServiceApi("b", b, [Route("GET", "/b")])], INFO
    )
    assert set(merged["components"]["schemas"]) == {"ErrorBody", GATEWAY_MESSAGE}
    for key in ("GET /a", "GET /b"):
        assert ops(merged)[key]["responses"]["200"]["content"]["application/json"]["schema"] == (
            ref("ErrorBody")
        )


def test_a_name_two_services_define_differently_is_prefixed_in_both() -> None:
    a = document({"/a": {"get": operation("a", ref("Thing"))}}, {"Thing": obj(size="integer")})
    b = document({"/b": {"get": operation("b", ref("Thing"))}}, {"Thing": obj(name="string")})
    merged = merge(
        [ServiceApi("a", a, [Route("GET", "/a")]), ServiceApi("b", b, [Route("GET", "/b")])], INFO
    )
    schemas = merged["components"]["schemas"]
    assert set(schemas) == {"a_Thing", "b_Thing", GATEWAY_MESSAGE}
    assert schemas["a_Thing"] == obj(size="integer")
    assert schemas["b_Thing"] == obj(name="string")
    answer = {key: op["responses"]["200"]["content"] for key, op in ops(merged).items()}
    assert answer["GET /a"]["application/json"]["schema"] == ref("a_Thing")
    assert answer["GET /b"]["application/json"]["schema"] == ref("b_Thing")


def test_a_component_that_refers_to_a_renamed_one_is_renamed_too() -> None:
    """`Page` is written the same in both, but its `Thing` is not the same Thing."""
    page = {"type": "object", "properties": {"things": {"type": "array", "items": ref("Thing")}}}
    a = document(
        {"/a": {"get": operation("a", ref("Page"))}}, {"Page": page, "Thing": obj(size="integer")}
    )
    b = document(
        {"/b": {"get": operation("b", ref("Page"))}}, {"Page": page, "Thing": obj(name="string")}
    )
    merged = merge(
        [ServiceApi("a", a, [Route("GET", "/a")]), ServiceApi("b", b, [Route("GET", "/b")])], INFO
    )
    schemas = merged["components"]["schemas"]
    assert set(schemas) == {"a_Page", "a_Thing", "b_Page", "b_Thing", GATEWAY_MESSAGE}
    assert schemas["a_Page"]["properties"]["things"]["items"] == ref("a_Thing")
    assert schemas["b_Page"]["properties"]["things"]["items"] == ref("b_Thing")


def test_components_only_left_out_operations_use_are_left_out() -> None:
    paths = {
        "/kept": {"get": operation("kept", ref("Kept"))},
        "/unrouted": {"get": operation("unrouted", ref("Unused"))},
    }
    schemas = {
        "Kept": {"type": "object", "properties": {"part": ref("Part")}},
        "Part": obj(x="string"),
        "Unused": obj(y="string"),
    }
    merged = merge([ServiceApi("svc", document(paths, schemas), [Route("GET", "/kept")])], INFO)
    assert set(merged["components"]["schemas"]) == {"Kept", "Part", GATEWAY_MESSAGE}


def test_an_operation_id_two_services_use_is_prefixed_in_both() -> None:
    a = document({"/a": {"get": operation("read")}, "/a2": {"get": operation("only_a")}})
    b = document({"/b": {"get": operation("read")}})
    merged = merge(
        [
            ServiceApi("a", a, [Route("GET", "/a"), Route("GET", "/a2")]),
            ServiceApi("b", b, [Route("GET", "/b")]),
        ],
        INFO,
    )
    ids = {key: op["operationId"] for key, op in ops(merged).items()}
    assert ids == {"GET /a": "a_read", "GET /b": "b_read", "GET /a2": "only_a"}


def test_one_route_served_by_two_services_is_refused() -> None:
    a = document({"/x": {"get": operation("a")}})
    b = document({"/x": {"get": operation("b")}})
    routes = [Route("GET", "/x")]
    with pytest.raises(MergeError, match="GET /x"):
        merge([ServiceApi("a", a, routes), ServiceApi("b", b, routes)], INFO)


def test_two_services_may_share_a_path_with_different_methods() -> None:
    a = document({"/x": {"get": operation("read")}})
    b = document({"/x": {"post": operation("write")}})
    merged = merge(
        [
            ServiceApi("a", a, [Route("GET", "/x")]),
            ServiceApi("b", b, [Route("POST", "/x")]),
        ],
        INFO,
    )
    assert {key: op["tags"] for key, op in ops(merged).items()} == {
        "GET /x": ["a"],
        "POST /x": ["b"],
    }


def test_the_input_documents_are_left_as_they_were() -> None:
    original = document({"/a": {"get": operation("a", ref("T"))}}, {"T": obj(x="string")})
    before = json.dumps(original, sort_keys=True)
    merge([ServiceApi("a", original, [Route("GET", "/a", AUTH_JWT)])], INFO)
    assert json.dumps(original, sort_keys=True) == before


def test_a_service_may_not_define_the_merges_own_gateway_message() -> None:
    own = document({"/a": {"get": operation("a", ref(GATEWAY_MESSAGE))}}, {GATEWAY_MESSAGE: {}})
    with pytest.raises(MergeError, match=GATEWAY_MESSAGE):
        merge([ServiceApi("a", own, [Route("GET", "/a")])], INFO)
