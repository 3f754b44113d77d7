"""Object-level authorization: user B can never see or touch user A's items,
and an item of A's answers B exactly as an item that does not exist."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest
from fastapi.testclient import TestClient

MakeItem = Callable[..., dict[str, Any]]


@pytest.fixture
def alices_lamp(alice: TestClient, make_item: MakeItem) -> dict[str, Any]:
    return make_item(alice, item_id="lamp", name="Alice's lamp")


def _same_as_missing(bob: TestClient, method: str, **kwargs: Any) -> None:
    """B's answer for A's item equals B's answer for an id nobody has."""
    theirs = bob.request(method, "/items/lamp", **kwargs)
    nobodys = bob.request(method, "/items/no-such-item", **kwargs)
    assert theirs.status_code == nobodys.status_code == 404
    strip = {"request_id"}
    assert {k: v for k, v in theirs.json().items() if k not in strip} == {
        k: v for k, v in nobodys.json().items() if k not in strip
    }


@pytest.mark.parametrize(
    ("method", "kwargs"),
    [
        ("GET", {}),
        ("PATCH", {"json": {"name": "Bob's now"}}),
        ("PATCH", {"json": {"name": "Bob's now"}, "headers": {"If-Match": '"1"'}}),
        ("DELETE", {}),
        ("DELETE", {"headers": {"If-Match": '"1"'}}),
    ],
)
def test_another_users_item_is_a_404_and_stays_unchanged(
    alice: TestClient,
    bob: TestClient,
    alices_lamp: dict[str, Any],
    method: str,
    kwargs: dict[str, Any],
) -> None:
    _same_as_missing(bob, method, **kwargs)
    assert alice.get("/items/lamp").json() == alices_lamp


def test_put_on_another_users_id_makes_the_callers_own_item(
    alice: TestClient, bob: TestClient, alices_lamp: dict[str, Any]
) -> None:
    response = bob.put("/items/lamp", json={"name": "Bob's lamp", "price": 1})
    assert response.status_code == 201
    assert bob.get("/items/lamp").json()["name"] == "Bob's lamp"
    assert alice.get("/items/lamp").json() == alices_lamp


def test_put_with_if_match_never_reaches_another_users_item(
    alice: TestClient, bob: TestClient, alices_lamp: dict[str, Any]
) -> None:
    response = bob.put(
        "/items/lamp", json={"name": "Bob's lamp", "price": 1}, headers={"If-Match": '"1"'}
    )
    assert response.status_code == 412
    assert alice.get("/items/lamp").json() == alices_lamp


def test_post_of_the_same_id_by_another_user_is_theirs_not_a_conflict(
    alice: TestClient, bob: TestClient, alices_lamp: dict[str, Any]
) -> None:
    response = bob.post("/items", json={"item_id": "lamp", "name": "Bob's", "price": 2})
    assert response.status_code == 201
    assert alice.get("/items/lamp").json() == alices_lamp


def test_lists_show_only_the_callers_items(
    alice: TestClient, bob: TestClient, make_item: MakeItem, alices_lamp: dict[str, Any]
) -> None:
    make_item(bob, item_id="bobs")
    assert [item["item_id"] for item in alice.get("/items").json()["items"]] == ["lamp"]
    assert [item["item_id"] for item in bob.get("/items").json()["items"]] == ["bobs"]


def test_another_users_cursor_is_400_invalid_cursor(
    alice: TestClient, bob: TestClient, make_item: MakeItem
) -> None:
    for item_id in ("a", "b", "c"):
        make_item(alice, item_id=item_id)
        make_item(bob, item_id=item_id)
    alices_cursor = alice.get("/items", params={"limit": 1}).json()["next_cursor"]
    response = bob.get("/items", params={"cursor": alices_cursor})
    assert response.status_code == 400
    assert response.json()["error"] == "invalid_cursor"
