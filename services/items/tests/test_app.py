"""Every row of the contract's items table, through the ASGI app."""

from __future__ import annotations

import io
import json
import logging
import re
import time
from collections.abc import Callable, Iterator
from typing import Any

import pytest
from botocore.exceptions import ClientError, EndpointConnectionError, ReadTimeoutError
from fastapi.testclient import TestClient
from httpx2 import Response

from items.app import app
from items.cursors import CursorCodec
from items.deps import cursor_codec, get_cursors, get_repository
from items.dynamodb_repository import DynamoItemRepository
from items.preconditions import IF_MATCH_PATTERN
from service_kernel import get_logger
from service_kernel.testing import AsAuthorizedBy, id_token_claims

MakeItem = Callable[..., dict[str, Any]]
JSON = {"content-type": "application/json"}


def raw_post(client: TestClient, path: str, body: str, **headers: str) -> Any:
    return client.post(
        path, content=body.encode(), headers={"content-type": "application/json", **headers}
    )


# --- POST /items ----------------------------------------------------------


def test_create_answers_201_with_location_etag_and_the_item(alice: TestClient) -> None:
    response = raw_post(alice, "/items", '{"name": "  Lamp  ", "price": 19.99, "tags": ["home"]}')
    assert response.status_code == 201
    item = response.json()
    assert response.headers["location"] == f"/items/{item['item_id']}"
    assert response.headers["etag"] == '"1"'
    assert item == {
        "item_id": item["item_id"],
        "name": "Lamp",
        "price": 19.99,
        "currency": "USD",
        "description": "",
        "tags": ["home"],
        "created_at": item["created_at"],
        "updated_at": item["created_at"],
        "version": 1,
    }
    assert item["created_at"].endswith("Z")
    assert alice.get(response.headers["location"]).json() == item


def test_price_comes_back_with_the_digits_sent(alice: TestClient) -> None:
    created = raw_post(alice, "/items", '{"name": "a", "price": 19.99}')
    assert '"price":19.99,' in created.text
    assert '"price":19.99,' in alice.get(created.headers["location"]).text


def test_server_ids_sort_by_creation_time(alice: TestClient, make_item: MakeItem) -> None:
    ids = []
    for _ in range(3):
        ids.append(make_item(alice)["item_id"])
        time.sleep(0.002)  # ULIDs order by the millisecond; within one they are random
    assert all(re.fullmatch(r"[0-9A-HJKMNP-TV-Z]{26}", item_id) for item_id in ids)
    assert ids == sorted(ids)
    assert [item["item_id"] for item in alice.get("/items").json()["items"]] == ids


def test_create_with_a_taken_item_id_is_409_and_leaves_the_item(
    alice: TestClient, make_item: MakeItem
) -> None:
    original = make_item(alice, item_id="lamp", name="Original")
    response = alice.post("/items", json={"item_id": "lamp", "name": "Other", "price": 1})
    assert response.status_code == 409
    assert response.json()["error"] == "conflict"
    assert alice.get("/items/lamp").json() == original


@pytest.mark.parametrize("field", ["owner", "version", "created_at", "updated_at", "PK", "SK"])
def test_fields_the_server_owns_are_422_and_never_stored(alice: TestClient, field: str) -> None:
    response = alice.post("/items", json={"name": "a", "price": 1, "item_id": "x", field: "9"})
    assert response.status_code == 422
    body = response.json()
    assert body["error"] == "validation_error"
    assert body["details"][0]["loc"] == ["body", field]
    assert alice.get("/items/x").status_code == 404


@pytest.mark.parametrize(
    ("body", "status", "code"),
    [
        ("{", 400, "invalid_json"),
        ("", 400, "invalid_json"),
        ('{"name": "a", "price": NaN}', 400, "invalid_json"),
        ('{"name": "a", "price": Infinity}', 400, "invalid_json"),
        ('{"name": "a", "price": -Infinity}', 400, "invalid_json"),
        ("[]", 422, "validation_error"),
        ('"text"', 422, "validation_error"),
        ("{}", 422, "validation_error"),
        ('{"name": "a"}', 422, "validation_error"),
        ('{"price": 1}', 422, "validation_error"),
    ],
)
def test_bad_bodies_are_4xx_in_the_envelope(
    alice: TestClient, body: str, status: int, code: str
) -> None:
    response = raw_post(alice, "/items", body)
    assert response.status_code == status
    assert response.json()["error"] == code
    assert response.json()["request_id"] == response.headers["x-request-id"]


@pytest.mark.parametrize(
    ("sent", "stored"),
    [
        ("19.99", "19.99"),
        ("0", "0"),
        ("-0", "0"),
        ("-0.00", "0"),
        ("0.1", "0.1"),
        ("19.90", "19.9"),
        ("1e2", "100"),
        ("1000000", "1000000"),
        ("1000000.00", "1000000"),
        ("999999.99", "999999.99"),
    ],
)
def test_valid_prices_are_stored_exactly(alice: TestClient, sent: str, stored: str) -> None:
    response = raw_post(alice, "/items", f'{{"name": "a", "price": {sent}}}')
    assert response.status_code == 201
    assert f'"price":{stored},' in alice.get(response.headers["location"]).text


@pytest.mark.parametrize(
    "price",
    [
        "-0.01",
        "1000000.01",
        "0.001",
        "0.30000000000000004",
        "19.999999999999999999999",
        "1e999999",
        "-1e999999",
        "1e-999999",
        "1e99999999999999999999",
        "1e-99999999999999999999",
        '"19.99"',
        "true",
        "null",
        "[1]",
    ],
)
def test_invalid_prices_are_422(alice: TestClient, price: str) -> None:
    response = raw_post(alice, "/items", f'{{"name": "a", "price": {price}, "item_id": "p"}}')
    assert response.status_code == 422
    assert response.json()["details"][0]["loc"] == ["body", "price"]
    assert alice.get("/items/p").status_code == 404


@pytest.mark.parametrize(
    "fields",
    [
        {"name": ""},
        {"name": "   "},
        {"name": "n" * 201},
        {"currency": "usd"},
        {"currency": "EURO"},
        {"description": "d" * 2001},
        {"tags": ["a", "a"]},
        {"tags": [f"t{n}" for n in range(21)]},
        {"tags": [""]},
        {"tags": ["t" * 51]},
        {"tags": "a"},
        {"item_id": "has space"},
        {"item_id": "i" * 65},
        {"item_id": ""},
    ],
)
def test_fields_out_of_contract_are_422(alice: TestClient, fields: dict[str, Any]) -> None:
    response = alice.post("/items", json={"name": "a", "price": 1, **fields})
    assert response.status_code == 422
    assert response.json()["details"][0]["loc"][:2] == ["body", next(iter(fields))]


def test_limits_of_the_contract_are_accepted(alice: TestClient) -> None:
    body = {
        "name": "n" * 200,
        "price": 1,
        "currency": "EUR",
        "description": "d" * 2000,
        "tags": [f"{n:02d}" + "t" * 48 for n in range(20)],
        "item_id": "A-z_9" * 12 + "abcd",
    }
    response = alice.post("/items", json=body)
    assert response.status_code == 201
    assert {key: response.json()[key] for key in body} == body


def test_a_body_over_256_kib_is_413(alice: TestClient) -> None:
    response = alice.post("/items", json={"name": "a", "price": 1, "description": "d" * 300_000})
    assert response.status_code == 413
    assert response.json()["error"] == "payload_too_large"


# --- GET /items/{item_id} -------------------------------------------------


def test_get_answers_the_item_with_its_etag(alice: TestClient, make_item: MakeItem) -> None:
    item = make_item(alice, item_id="lamp")
    response = alice.get("/items/lamp")
    assert response.status_code == 200
    assert response.json() == item
    assert response.headers["etag"] == '"1"'


def test_get_an_unknown_item_is_404(alice: TestClient) -> None:
    response = alice.get("/items/nothing-here")
    assert response.status_code == 404
    assert response.json()["error"] == "not_found"


def test_an_item_id_outside_the_pattern_is_422(alice: TestClient) -> None:
    assert alice.get("/items/bad.id").status_code == 422


# --- GET /items -----------------------------------------------------------


def test_list_answers_items_in_item_id_order(alice: TestClient, make_item: MakeItem) -> None:
    for item_id in ["b", "C", "a", "_", "-", "0"]:
        make_item(alice, item_id=item_id)
    response = alice.get("/items")
    assert response.status_code == 200
    body = response.json()
    assert [item["item_id"] for item in body["items"]] == ["-", "0", "C", "_", "a", "b"]
    assert body["next_cursor"] is None


def test_list_pages_follow_next_cursor(alice: TestClient, make_item: MakeItem) -> None:
    ids = [f"i{n:02d}" for n in range(25)]
    for item_id in ids:
        make_item(alice, item_id=item_id)
    first = alice.get("/items").json()
    assert len(first["items"]) == 20  # the default limit
    seen = [item["item_id"] for item in first["items"]]
    cursor = first["next_cursor"]
    while cursor is not None:
        page = alice.get("/items", params={"limit": 2, "cursor": cursor}).json()
        seen += [item["item_id"] for item in page["items"]]
        cursor = page["next_cursor"]
    assert seen == ids


def test_an_empty_list(alice: TestClient) -> None:
    assert alice.get("/items").json() == {"items": [], "next_cursor": None}


@pytest.mark.parametrize("limit", ["0", "101", "-1", "ten", "1.5"])
def test_limit_outside_1_to_100_is_422(alice: TestClient, limit: str) -> None:
    response = alice.get("/items", params={"limit": limit})
    assert response.status_code == 422
    assert response.json()["details"][0]["loc"] == ["query", "limit"]


@pytest.mark.parametrize("limit", ["1", "100"])
def test_limit_bounds_are_accepted(alice: TestClient, limit: str) -> None:
    assert alice.get("/items", params={"limit": limit}).status_code == 200


def _first_cursor(client: TestClient, make_item: MakeItem) -> str:
    for item_id in ("a", "b"):
        make_item(client, item_id=item_id)
    cursor = client.get("/items", params={"limit": 1}).json()["next_cursor"]
    assert isinstance(cursor, str)
    return cursor


def _flip(text: str, index: int) -> str:
    return text[:index] + ("A" if text[index] != "A" else "B") + text[index + 1 :]


@pytest.mark.parametrize(
    "tamper",
    [
        lambda c: _flip(c, 3),  # the payload
        lambda c: _flip(c, len(c) - 5),  # the MAC
        lambda c: c.replace(".", ""),
        lambda c: c + "A",
        lambda c: c.split(".")[0],
        lambda c: "not-a-cursor",
        lambda c: "",
        lambda c: "é." + c,
    ],
)
def test_an_altered_cursor_is_400_invalid_cursor(
    alice: TestClient, make_item: MakeItem, tamper: Callable[[str], str]
) -> None:
    cursor = _first_cursor(alice, make_item)
    response = alice.get("/items", params={"cursor": tamper(cursor)})
    assert response.status_code == 400
    body = response.json()
    assert body["error"] == "invalid_cursor"
    assert cursor not in json.dumps(body)


def _page_later(alice: TestClient, cursor: str, seconds: float) -> Response:
    """GET /items with `cursor`, as if `seconds` had passed since it was minted."""
    real = cursor_codec()
    app.dependency_overrides[get_cursors] = lambda: CursorCodec(
        key=real.key, ttl_seconds=real.ttl_seconds, clock=lambda: real.clock() + seconds
    )
    try:
        return alice.get("/items", params={"cursor": cursor})
    finally:
        app.dependency_overrides.clear()


def test_an_expired_cursor_is_400_invalid_cursor(alice: TestClient, make_item: MakeItem) -> None:
    response = _page_later(alice, _first_cursor(alice, make_item), 301)
    assert response.status_code == 400
    assert response.json()["error"] == "invalid_cursor"


def test_a_cursor_within_its_ttl_is_accepted(alice: TestClient, make_item: MakeItem) -> None:
    response = _page_later(alice, _first_cursor(alice, make_item), 290)
    assert [item["item_id"] for item in response.json()["items"]] == ["b"]


# --- PATCH /items/{item_id} -----------------------------------------------


def test_patch_changes_only_the_fields_sent(alice: TestClient, make_item: MakeItem) -> None:
    before = make_item(alice, item_id="lamp", description="old", tags=["a"])
    response = alice.patch("/items/lamp", content=b'{"price": 0.30, "name": " New "}', headers=JSON)
    assert response.status_code == 200
    after = response.json()
    assert response.headers["etag"] == '"2"'
    assert after == {
        **before,
        "name": "New",
        "price": 0.3,
        "version": 2,
        "updated_at": after["updated_at"],
    }
    assert after["updated_at"] >= before["updated_at"]
    assert alice.get("/items/lamp").json() == after


@pytest.mark.parametrize("if_match", ['"1"', "1", 'W/"1"', ' "1" '])
def test_patch_with_the_current_version_in_if_match_succeeds(
    alice: TestClient, make_item: MakeItem, if_match: str
) -> None:
    make_item(alice, item_id="lamp")
    response = alice.patch("/items/lamp", json={"name": "New"}, headers={"If-Match": if_match})
    assert response.status_code == 200
    assert response.json()["version"] == 2


@pytest.mark.parametrize("if_match", ['"2"', '"0"', "7"])
def test_patch_with_a_stale_version_is_412_and_changes_nothing(
    alice: TestClient, make_item: MakeItem, if_match: str
) -> None:
    before = make_item(alice, item_id="lamp")
    response = alice.patch("/items/lamp", json={"name": "New"}, headers={"If-Match": if_match})
    assert response.status_code == 412
    assert response.json()["error"] == "precondition_failed"
    assert alice.get("/items/lamp").json() == before


@pytest.mark.parametrize("if_match", ["*", '"1", "2"', '"one"', '"-1"', '"1', "", "W/1"])
def test_a_malformed_if_match_is_422_and_changes_nothing(
    alice: TestClient, make_item: MakeItem, if_match: str
) -> None:
    """A header outside its documented pattern is a bad request parameter,
    refused with the others (422) before any write; 412 means a version."""
    before = make_item(alice, item_id="lamp")
    response = alice.patch("/items/lamp", json={"name": "New"}, headers={"If-Match": if_match})
    assert response.status_code == 422
    assert response.json()["error"] == "validation_error"
    assert [d["loc"] for d in response.json()["details"]] == [["header", "if-match"]]
    assert alice.get("/items/lamp").json() == before


def test_a_malformed_if_match_is_refused_with_the_path_and_body_not_before_them(
    alice: TestClient,
) -> None:
    response = alice.patch("/items/bad id", json={"name": "New"}, headers={"If-Match": "*"})
    assert response.status_code == 422
    locations = {tuple(d["loc"]) for d in response.json()["details"]}
    assert locations == {("path", "item_id"), ("header", "if-match")}


@pytest.mark.parametrize("headers", [{}, {"If-Match": '"1"'}])
def test_patch_an_unknown_item_is_404(alice: TestClient, headers: dict[str, str]) -> None:
    response = alice.patch("/items/nothing", json={"name": "x"}, headers=headers)
    assert response.status_code == 404
    assert alice.get("/items/nothing").status_code == 404


@pytest.mark.parametrize(
    "body",
    [
        {},
        {"name": None},
        {"price": -1},
        {"version": 5},
        {"owner": "bob-sub"},
        {"item_id": "other"},
        {"updated_at": "2020-01-01T00:00:00Z"},
    ],
)
def test_patch_with_a_bad_body_is_422_and_changes_nothing(
    alice: TestClient, make_item: MakeItem, body: dict[str, Any]
) -> None:
    before = make_item(alice, item_id="lamp")
    response = alice.patch("/items/lamp", json=body)
    assert response.status_code == 422
    assert response.json()["error"] == "validation_error"
    assert alice.get("/items/lamp").json() == before


def test_patch_with_invalid_json_is_400(alice: TestClient, make_item: MakeItem) -> None:
    make_item(alice, item_id="lamp")
    assert (
        alice.patch("/items/lamp", content=b"{nope", headers=JSON).json()["error"] == "invalid_json"
    )


# --- PUT /items/{item_id} -------------------------------------------------


def test_put_creates_an_absent_item(alice: TestClient) -> None:
    response = alice.put("/items/lamp", json={"name": "Lamp", "price": 5})
    assert response.status_code == 201
    assert response.headers["location"] == "/items/lamp"
    assert response.headers["etag"] == '"1"'
    item = response.json()
    assert item["item_id"] == "lamp"
    assert item["version"] == 1
    assert item["created_at"] == item["updated_at"]
    assert alice.get("/items/lamp").json() == item


def test_put_replaces_every_field_of_an_existing_item(
    alice: TestClient, make_item: MakeItem
) -> None:
    before = make_item(alice, item_id="lamp", description="old", tags=["a"], currency="EUR")
    response = alice.put("/items/lamp", json={"name": "Lamp 2", "price": 7.5})
    assert response.status_code == 200
    assert "location" not in response.headers
    assert response.headers["etag"] == '"2"'
    after = response.json()
    assert after == {
        "item_id": "lamp",
        "name": "Lamp 2",
        "price": 7.5,
        "currency": "USD",
        "description": "",
        "tags": [],
        "created_at": before["created_at"],
        "updated_at": after["updated_at"],
        "version": 2,
    }


def test_put_honours_if_match(alice: TestClient, make_item: MakeItem) -> None:
    before = make_item(alice, item_id="lamp")
    stale = alice.put("/items/lamp", json={"name": "x", "price": 1}, headers={"If-Match": '"3"'})
    assert stale.status_code == 412
    assert alice.get("/items/lamp").json() == before
    fresh = alice.put("/items/lamp", json={"name": "x", "price": 1}, headers={"If-Match": '"1"'})
    assert fresh.status_code == 200
    assert fresh.json()["version"] == 2


def test_put_with_if_match_never_creates(alice: TestClient) -> None:
    response = alice.put("/items/lamp", json={"name": "x", "price": 1}, headers={"If-Match": '"1"'})
    assert response.status_code == 412
    assert alice.get("/items/lamp").status_code == 404


def test_put_accepts_the_paths_item_id_in_the_body(alice: TestClient) -> None:
    response = alice.put("/items/lamp", json={"item_id": "lamp", "name": "x", "price": 1})
    assert response.status_code == 201


def test_put_with_another_item_id_in_the_body_is_422(alice: TestClient) -> None:
    response = alice.put("/items/lamp", json={"item_id": "other", "name": "x", "price": 1})
    assert response.status_code == 422
    assert response.json()["details"][0]["loc"] == ["body", "item_id"]
    assert alice.get("/items/lamp").status_code == 404
    assert alice.get("/items/other").status_code == 404


@pytest.mark.parametrize("body", [{"name": "x"}, {"name": "x", "price": 1, "version": 3}])
def test_put_with_a_bad_body_is_422(alice: TestClient, body: dict[str, Any]) -> None:
    assert alice.put("/items/lamp", json=body).status_code == 422
    assert alice.get("/items/lamp").status_code == 404


# --- DELETE /items/{item_id} ----------------------------------------------


def test_delete_answers_204_and_the_item_is_gone(alice: TestClient, make_item: MakeItem) -> None:
    make_item(alice, item_id="lamp")
    response = alice.delete("/items/lamp")
    assert response.status_code == 204
    assert response.content == b""
    assert alice.get("/items/lamp").status_code == 404


def test_delete_an_unknown_item_is_404(alice: TestClient) -> None:
    response = alice.delete("/items/lamp", headers={"If-Match": '"1"'})
    assert response.status_code == 404
    assert response.json()["error"] == "not_found"


def test_delete_honours_if_match(alice: TestClient, make_item: MakeItem) -> None:
    before = make_item(alice, item_id="lamp")
    assert alice.delete("/items/lamp", headers={"If-Match": '"2"'}).status_code == 412
    assert alice.delete("/items/lamp", headers={"If-Match": "nope"}).status_code == 422
    assert alice.get("/items/lamp").json() == before
    assert alice.delete("/items/lamp", headers={"If-Match": '"1"'}).status_code == 204


# --- who may call ---------------------------------------------------------

ROUTES = [
    ("POST", "/items"),
    ("GET", "/items"),
    ("GET", "/items/lamp"),
    ("PATCH", "/items/lamp"),
    ("PUT", "/items/lamp"),
    ("DELETE", "/items/lamp"),
]


@pytest.mark.parametrize(("method", "path"), ROUTES)
def test_every_route_needs_a_caller(anonymous: TestClient, method: str, path: str) -> None:
    response = anonymous.request(method, path, json={"name": "a", "price": 1})
    assert response.status_code == 401
    assert response.json()["error"] == "unauthorized"


@pytest.mark.parametrize(("method", "path"), ROUTES)
def test_an_id_token_is_refused(table: str, method: str, path: str) -> None:
    client = TestClient(AsAuthorizedBy(app, id_token_claims("alice-sub")))
    assert client.request(method, path, json={"name": "a", "price": 1}).status_code == 401


# --- when the table cannot answer -----------------------------------------


class UnavailableTable:
    """A DynamoDB client whose every call fails as `error` does."""

    def __init__(self, error: Exception) -> None:
        self.error = error

    def __getattr__(self, _: str) -> Callable[..., Any]:
        def fail(**__: Any) -> Any:
            raise self.error

        return fail


@pytest.mark.parametrize(
    "error",
    [
        ClientError(
            {"Error": {"Code": "ProvisionedThroughputExceededException", "Message": "slow down"}},
            "GetItem",
        ),
        EndpointConnectionError(endpoint_url="http://127.0.0.1:9"),
        ReadTimeoutError(endpoint_url="http://127.0.0.1:9"),
    ],
)
def test_a_throttled_or_unreachable_table_is_503_with_retry_after(
    alice: TestClient, error: Exception
) -> None:
    app.dependency_overrides[get_repository] = lambda: DynamoItemRepository(
        UnavailableTable(error), "app-table"
    )
    try:
        response = alice.get("/items/lamp")
    finally:
        app.dependency_overrides.clear()
    assert response.status_code == 503
    assert response.headers["retry-after"] == "1"
    assert response.json()["error"] == "service_unavailable"


def test_any_other_table_error_is_a_500_without_details(alice: TestClient) -> None:
    error = ClientError({"Error": {"Code": "ValidationException", "Message": "secret"}}, "Query")
    app.dependency_overrides[get_repository] = lambda: DynamoItemRepository(
        UnavailableTable(error), "app-table"
    )
    try:
        response = alice.get("/items")
    finally:
        app.dependency_overrides.clear()
    assert response.status_code == 500
    assert response.json()["error"] == "internal_error"
    assert "secret" not in response.text


# --- what the logs never carry --------------------------------------------


@pytest.fixture
def log_lines() -> Iterator[io.StringIO]:
    """Every line the service logs during a test, formatted as on Lambda."""
    stream = io.StringIO()
    handler = logging.StreamHandler(stream)
    handler.setFormatter(get_logger().registered_formatter)
    std_logger = logging.getLogger(get_logger().name)
    std_logger.addHandler(handler)
    try:
        yield stream
    finally:
        std_logger.removeHandler(handler)


def test_logs_carry_neither_bodies_nor_cursors_nor_the_key(
    alice: TestClient, make_item: MakeItem, log_lines: io.StringIO
) -> None:
    cursor = _first_cursor(alice, make_item)
    alice.get("/items", params={"cursor": cursor})
    alice.get("/items", params={"cursor": cursor[:-2] + "xx"})
    alice.post("/items", json={"name": "body-marker-7f3a", "price": 1})
    alice.post("/items", json={"name": "body-marker-7f3a", "price": "bad"})
    logged = log_lines.getvalue()
    assert '"status":400' in logged  # the access log was captured at all
    assert cursor.split(".")[1] not in logged
    assert cursor.split(".")[0] not in logged
    assert "body-marker-7f3a" not in logged
    assert cursor_codec().key.decode() not in logged


def body_schema(document: dict[str, Any], method: str, path: str) -> Any:
    """A route's body schema, a named component (generated clients name its class)."""
    body = document["paths"][path][method]["requestBody"]["content"]["application/json"]
    name = body["schema"]["$ref"].removeprefix("#/components/schemas/")
    return {"schema": document["components"]["schemas"][name]}


def test_the_openapi_schema_describes_the_bodies_really_accepted() -> None:
    document = app.openapi()
    paths = document["paths"]
    for method, path, model in [
        ("post", "/items", "ItemCreate"),
        ("put", "/items/{item_id}", "ItemCreate"),
        ("patch", "/items/{item_id}", "ItemPatch"),
    ]:
        schema = body_schema(document, method, path)["schema"]
        assert schema["title"] == model
        assert schema["additionalProperties"] is False
        assert "null" not in json.dumps(schema)
        price = schema["properties"]["price"]
        assert price["type"] == "number"
        assert "string" not in json.dumps(price)
    parameters = {p["name"]: p for p in paths["/items/{item_id}"]["patch"]["parameters"]}
    assert parameters["if-match"]["schema"]["pattern"] == IF_MATCH_PATTERN
    patch = body_schema(document, "patch", "/items/{item_id}")
    assert patch["schema"]["minProperties"] == 1  # `{}` is refused
    tags = body_schema(document, "post", "/items")["schema"]
    assert tags["properties"]["tags"]["uniqueItems"] is True  # duplicates are refused
    created = paths["/items"]["post"]["responses"]["201"]["headers"]
    assert {"ETag", "Location", "x-request-id"} <= set(created)
    cursor = next(p for p in paths["/items"]["get"]["parameters"] if p["name"] == "cursor")
    assert cursor["schema"]["type"] == "string"  # never null
    listing = paths["/items"]["get"]["responses"]
    assert listing["400"]["description"].startswith("invalid_cursor")
    assert "invalid_json" not in listing["400"]["description"]  # GET has no body
    for item in paths.values():
        for operation in item.values():
            assert "Retry-After" in operation["responses"]["503"]["headers"]
    assert set(paths["/items/{item_id}"]["put"]["responses"]) >= {"200", "201", "412"}
    item_schema = app.openapi()["components"]["schemas"]["Item"]
    assert item_schema["properties"]["price"]["type"] == "number"
