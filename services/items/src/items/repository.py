"""The port between the service functions and storage: what the items
service needs from a store, and the errors a store reports. Each write is
one conditional request, so no caller ever reads before it writes."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any, Protocol

from items.models import Item


class ItemNotFound(LookupError):
    """No item with this id belongs to this owner (another owner's item included)."""


class ItemAlreadyExists(Exception):
    """The owner already has an item with this id; it was left unchanged."""


class VersionMismatch(Exception):
    """A write was conditional on a version the item no longer has (or, for
    PUT, the item does not exist); nothing was written."""


class StoreUnavailable(Exception):
    """The store could not answer now (throttled, unreachable, timed out);
    the request may be retried as it was."""


@dataclass(frozen=True)
class ItemSlice:
    """Items in ascending item_id order, and whether more may follow the last."""

    items: Sequence[Item]
    more: bool


class ItemRepository(Protocol):
    def create(self, owner: str, item: Item) -> None:
        """Store a new item; ItemAlreadyExists when its id is taken."""

    def get(self, owner: str, item_id: str) -> Item | None: ...

    def list_after(self, owner: str, after: str | None, limit: int) -> ItemSlice:
        """Up to `limit` of the owner's items whose id sorts after `after`."""

    def update(
        self,
        owner: str,
        item_id: str,
        changes: Mapping[str, Any],
        *,
        now: str,
        expected_version: int | None,
    ) -> Item:
        """Set `changes`, bump the version; ItemNotFound or VersionMismatch."""

    def upsert(
        self,
        owner: str,
        item_id: str,
        fields: Mapping[str, Any],
        *,
        now: str,
        expected_version: int | None,
    ) -> Item:
        """Create or fully replace (version 1 means created); VersionMismatch
        when `expected_version` is given and the item is absent or elsewhere."""

    def delete(self, owner: str, item_id: str, *, expected_version: int | None) -> None:
        """Remove the item; ItemNotFound or VersionMismatch."""
