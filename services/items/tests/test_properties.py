"""Properties over many generated cases (hypothesis): paging never skips or
repeats an item, and no body, however odd, gets a 5xx."""

from __future__ import annotations

import json
import uuid
from decimal import Decimal
from typing import Any

import boto3
from fastapi.testclient import TestClient
from hypothesis import given, settings
from hypothesis import strategies as st

from items import service
from items.app import app
from items.dynamodb_repository import DynamoItemRepository
from items.models import ITEM_ID_PATTERN, ItemCreate
from service_kernel.testing import AsAuthorizedBy, access_claims

EXAMPLES = settings(max_examples=50, deadline=None)

item_ids = st.from_regex(ITEM_ID_PATTERN, fullmatch=True)


def new_caller() -> tuple[str, TestClient]:
    sub = f"prop-{uuid.uuid4()}"
    return sub, TestClient(AsAuthorizedBy(app, access_claims(sub)), raise_server_exceptions=False)


@EXAMPLES
@given(
    chosen_ids=st.sets(item_ids, max_size=25),
    generated=st.integers(min_value=0, max_value=5),
    limit=st.integers(min_value=1, max_value=12),
)
def test_following_next_cursor_returns_every_item_once_in_item_id_order(
    table: str, chosen_ids: set[str], generated: int, limit: int
) -> None:
    sub, client = new_caller()
    repository = DynamoItemRepository(boto3.client("dynamodb"), table)
    bodies = [ItemCreate(name="n", price=Decimal("1.5"), item_id=item_id) for item_id in chosen_ids]
    bodies += [ItemCreate(name="n", price=Decimal(1)) for _ in range(generated)]
    stored = {service.create_item(repository, sub, body).item_id for body in bodies}

    seen: list[str] = []
    params: dict[str, Any] = {"limit": limit}
    for _ in range(len(stored) + 2):  # a page may be short, never empty mid-way
        response = client.get("/items", params=params)
        assert response.status_code == 200
        page = response.json()
        assert len(page["items"]) <= limit
        seen += [item["item_id"] for item in page["items"]]
        if page["next_cursor"] is None:
            break
        params = {"limit": limit, "cursor": page["next_cursor"]}
    else:
        raise AssertionError("next_cursor never ran out")
    assert seen == sorted(stored)


json_scalars = (
    st.none()
    | st.booleans()
    | st.integers()
    | st.floats(allow_nan=False, allow_infinity=False)
    | st.text(max_size=30)
)
json_values = st.recursive(
    json_scalars,
    lambda children: (
        st.lists(children, max_size=3) | st.dictionaries(st.text(max_size=5), children, max_size=3)
    ),
    max_leaves=8,
)
number_tokens = st.from_regex(
    r"-?(0|[1-9][0-9]{0,12})(\.[0-9]{1,6})?([eE][+-]?[0-9]{1,22})?", fullmatch=True
)
FIELDS = ["name", "price", "currency", "description", "tags", "item_id", "version", "owner"]


@st.composite
def bodies(draw: st.DrawFn) -> bytes:
    """Mostly item-shaped JSON with odd values; sometimes any bytes at all."""
    if draw(st.integers(0, 9)) == 0:
        return draw(st.binary(max_size=100))
    fields = draw(st.dictionaries(st.sampled_from(FIELDS), json_values, max_size=6))
    text = json.dumps(fields)
    if draw(st.booleans()):
        # A raw JSON number for price, digits as written (exponents and all).
        fields.pop("price", None)
        rest = json.dumps(fields)[1:-1]
        text = "{" + f'"price": {draw(number_tokens)}' + (", " + rest if rest else "") + "}"
    return text.encode()


if_match_values = st.none() | st.text(
    alphabet=st.characters(min_codepoint=32, max_codepoint=126), max_size=12
)


@EXAMPLES
@given(body=bodies(), if_match=if_match_values)
def test_random_bodies_never_get_a_5xx(table: str, body: bytes, if_match: str | None) -> None:
    _, client = new_caller()
    assert client.put("/items/existing", json={"name": "x", "price": 1}).status_code == 201
    headers = {"content-type": "application/json"}
    if if_match is not None:
        headers["if-match"] = if_match
    for method, path in (("POST", "/items"), ("PUT", "/items/p"), ("PATCH", "/items/existing")):
        response = client.request(method, path, content=body, headers=headers)
        assert response.status_code in {200, 201, 400, 409, 412, 422}, response.text
        if response.status_code >= 400:
            assert set(response.json()) >= {"error", "message", "request_id"}


@EXAMPLES
@given(
    cursor=st.none() | st.text(max_size=80),
    limit=st.none() | st.text(max_size=6) | st.integers().map(str),
)
def test_random_list_queries_never_get_a_5xx(
    table: str, cursor: str | None, limit: str | None
) -> None:
    _, client = new_caller()
    params = {
        name: value for name, value in (("cursor", cursor), ("limit", limit)) if value is not None
    }
    response = client.get("/items", params=params)
    assert response.status_code in {200, 400, 422}, response.text
