"""The service functions on an in-memory ItemRepository: the port is all
they need, and the DynamoDB one is only one way to keep it."""

from __future__ import annotations

import re
from collections.abc import Mapping
from decimal import Decimal
from typing import Any

import pytest

from items import service
from items.cursors import CursorCodec, InvalidCursor
from items.models import Item, ItemCreate, ItemPatch
from items.repository import (
    ItemAlreadyExists,
    ItemNotFound,
    ItemRepository,
    ItemSlice,
    VersionMismatch,
)


class MemoryRepository:
    def __init__(self) -> None:
        self.items: dict[tuple[str, str], Item] = {}

    def create(self, owner: str, item: Item) -> None:
        if (owner, item.item_id) in self.items:
            raise ItemAlreadyExists(item.item_id)
        self.items[owner, item.item_id] = item

    def get(self, owner: str, item_id: str) -> Item | None:
        return self.items.get((owner, item_id))

    def list_after(self, owner: str, after: str | None, limit: int) -> ItemSlice:
        ids = sorted(i for o, i in self.items if o == owner and (after is None or i > after))
        return ItemSlice([self.items[owner, i] for i in ids[:limit]], more=len(ids) > limit)

    def update(
        self,
        owner: str,
        item_id: str,
        changes: Mapping[str, Any],
        *,
        now: str,
        expected_version: int | None,
    ) -> Item:
        item = self.get(owner, item_id)
        if item is None:
            raise ItemNotFound(item_id)
        if expected_version not in (None, item.version):
            raise VersionMismatch(item_id)
        new = item.model_copy(update={**changes, "updated_at": now, "version": item.version + 1})
        self.items[owner, item_id] = new
        return new

    def upsert(
        self,
        owner: str,
        item_id: str,
        fields: Mapping[str, Any],
        *,
        now: str,
        expected_version: int | None,
    ) -> Item:
        item = self.get(owner, item_id)
        if expected_version is not None and (item is None or item.version != expected_version):
            raise VersionMismatch(item_id)
        new = Item(
            item_id=item_id,
            created_at=item.created_at if item else now,
            updated_at=now,
            version=item.version + 1 if item else 1,
            **fields,
        )
        self.items[owner, item_id] = new
        return new

    def delete(self, owner: str, item_id: str, *, expected_version: int | None) -> None:
        self.update(owner, item_id, {}, now="", expected_version=expected_version)
        del self.items[owner, item_id]


@pytest.fixture
def repository() -> ItemRepository:
    return MemoryRepository()


CURSORS = CursorCodec(key=b"k" * 32, ttl_seconds=60)


def test_create_sets_what_the_server_owns(repository: ItemRepository) -> None:
    item = service.create_item(repository, "alice", ItemCreate(name="a", price=Decimal("1.5")))
    assert re.fullmatch(r"[0-9A-HJKMNP-TV-Z]{26}", item.item_id)  # a ULID
    assert item.version == 1
    assert item.created_at == item.updated_at
    assert re.fullmatch(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z", item.created_at)


def test_update_and_replace_and_delete(repository: ItemRepository) -> None:
    body = ItemCreate(name="a", price=Decimal(1), item_id="x")
    service.create_item(repository, "alice", body)
    updated = service.update_item(repository, "alice", "x", ItemPatch(name="b"), expected_version=1)
    assert (updated.name, updated.version) == ("b", 2)
    replaced, created = service.replace_item(repository, "alice", "x", body, expected_version=2)
    assert (replaced.name, replaced.version, created) == ("a", 3, False)
    _, created = service.replace_item(repository, "alice", "y", body, expected_version=None)
    assert created
    service.delete_item(repository, "alice", "x", expected_version=3)
    with pytest.raises(ItemNotFound):
        service.get_item(repository, "alice", "x")


def test_list_pages_through_with_signed_cursors(repository: ItemRepository) -> None:
    for item_id in "edcba":
        service.create_item(
            repository, "alice", ItemCreate(name="n", price=Decimal(1), item_id=item_id)
        )
    seen: list[str] = []
    cursor = None
    while True:
        page = service.list_items(repository, CURSORS, "alice", limit=2, cursor=cursor)
        seen += [item.item_id for item in page.items]
        if page.next_cursor is None:
            break
        cursor = page.next_cursor
        with pytest.raises(InvalidCursor):
            service.list_items(repository, CURSORS, "bob", limit=2, cursor=cursor)
    assert seen == list("abcde")
