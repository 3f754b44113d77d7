"""What each items route does, on any ItemRepository. No HTTP and no
DynamoDB here: routes translate, the repository stores."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from datetime import UTC, datetime

from ulid import ULID

from items import metrics
from items.cursors import CursorCodec
from items.models import Item, ItemCreate, ItemPage, ItemPatch
from items.repository import ItemAlreadyExists, ItemNotFound, ItemRepository, VersionMismatch


def utc_now() -> str:
    """RFC 3339 UTC with milliseconds, e.g. 2026-01-31T12:00:00.123Z."""
    return datetime.now(UTC).strftime("%Y-%m-%dT%H:%M:%S.%f")[:-3] + "Z"


def new_item_id() -> str:
    """A ULID: unique, and sorting by it sorts by creation time (to the ms)."""
    return str(ULID())


def create_item(repository: ItemRepository, owner: str, body: ItemCreate) -> Item:
    now = utc_now()
    item = Item(
        item_id=body.item_id or new_item_id(),
        name=body.name,
        price=body.price,
        currency=body.currency,
        description=body.description,
        tags=body.tags,
        created_at=now,
        updated_at=now,
        version=1,
    )
    with _conflicts_counted():
        repository.create(owner, item)
    metrics.item_created()
    return item


def get_item(repository: ItemRepository, owner: str, item_id: str) -> Item:
    item = repository.get(owner, item_id)
    if item is None:
        raise ItemNotFound(item_id)
    return item


def list_items(
    repository: ItemRepository,
    cursors: CursorCodec,
    owner: str,
    *,
    limit: int,
    cursor: str | None,
) -> ItemPage:
    after = None if cursor is None else cursors.decode(owner, cursor)
    page = repository.list_after(owner, after, limit)
    next_cursor = None
    if page.more and page.items:
        next_cursor = cursors.encode(owner, page.items[-1].item_id)
    return ItemPage(items=list(page.items), next_cursor=next_cursor)


def update_item(
    repository: ItemRepository,
    owner: str,
    item_id: str,
    patch: ItemPatch,
    *,
    expected_version: int | None,
) -> Item:
    with _conflicts_counted():
        item = repository.update(
            owner, item_id, patch.changes(), now=utc_now(), expected_version=expected_version
        )
    metrics.item_updated()
    return item


def replace_item(
    repository: ItemRepository,
    owner: str,
    item_id: str,
    body: ItemCreate,
    *,
    expected_version: int | None,
) -> tuple[Item, bool]:
    """The stored item, and whether this call created it."""
    fields = body.model_dump(exclude={"item_id"})
    with _conflicts_counted():
        item = repository.upsert(
            owner, item_id, fields, now=utc_now(), expected_version=expected_version
        )
    created = item.version == 1
    if created:
        metrics.item_created()
    else:
        metrics.item_updated()
    return item, created


def delete_item(
    repository: ItemRepository, owner: str, item_id: str, *, expected_version: int | None
) -> None:
    with _conflicts_counted():
        repository.delete(owner, item_id, expected_version=expected_version)
    metrics.item_deleted()


@contextmanager
def _conflicts_counted() -> Iterator[None]:
    """A write its condition refused (409, 412) is counted, then answered as before."""
    try:
        yield
    except (ItemAlreadyExists, VersionMismatch):
        metrics.write_conflict()
        raise
