"""The DynamoDB side: the key schema every write uses, the exact storage
of numbers, and that the calls made are exactly the IAM actions declared."""

from __future__ import annotations

import re
import uuid
from decimal import Decimal
from pathlib import Path
from typing import Any

import boto3
import pytest

from items import service
from items.dynamodb_repository import DynamoItemRepository
from items.models import ItemCreate, ItemPatch
from items.repository import ItemAlreadyExists, ItemNotFound, VersionMismatch
from service_manifest import load_manifest

MANIFEST = load_manifest(Path(__file__).parents[1] / "service.toml")


class RecordingClient:
    """A boto3 client that notes which operations were called."""

    def __init__(self, client: Any) -> None:
        self._client = client
        self.calls: set[str] = set()

    def __getattr__(self, name: str) -> Any:
        self.calls.add(name)
        return getattr(self._client, name)


@pytest.fixture
def raw(table: str) -> Any:
    return boto3.client("dynamodb")


@pytest.fixture
def recording(raw: Any) -> RecordingClient:
    return RecordingClient(raw)


@pytest.fixture
def repository(table: str, recording: RecordingClient) -> DynamoItemRepository:
    return DynamoItemRepository(recording, table)


@pytest.fixture
def owner() -> str:
    return f"owner-{uuid.uuid4()}"


def test_keys_and_attributes_as_stored(
    repository: DynamoItemRepository, raw: Any, table: str, owner: str
) -> None:
    body = ItemCreate(name="Lamp", price=Decimal("19.99"), tags=["a", "b"], item_id="lamp")
    service.create_item(repository, owner, body)
    stored = raw.get_item(
        TableName=table, Key={"PK": {"S": f"ITEMS#{owner}"}, "SK": {"S": "ITEM#lamp"}}
    )["Item"]
    assert set(stored) == {
        "PK",
        "SK",
        "item_id",
        "name",
        "price",
        "currency",
        "description",
        "tags",
        "created_at",
        "updated_at",
        "version",
    }
    assert stored["price"] == {"N": "19.99"}
    assert stored["version"] == {"N": "1"}
    assert stored["tags"] == {"L": [{"S": "a"}, {"S": "b"}]}


def test_every_key_written_starts_with_the_service_prefix(
    repository: DynamoItemRepository, raw: Any, table: str, owner: str
) -> None:
    service.create_item(repository, owner, ItemCreate(name="a", price=Decimal(1)))
    service.replace_item(
        repository, owner, "put", ItemCreate(name="b", price=Decimal(2)), expected_version=None
    )
    keys = raw.query(
        TableName=table,
        KeyConditionExpression="PK = :pk",
        ExpressionAttributeValues={":pk": {"S": f"ITEMS#{owner}"}},
    )["Items"]
    assert len(keys) == 2
    for item in keys:
        assert any(item["PK"]["S"].startswith(prefix) for prefix in MANIFEST.key_prefixes)
        assert re.fullmatch(r"ITEM#[A-Za-z0-9_-]{1,64}", item["SK"]["S"])


def test_the_calls_made_are_exactly_the_declared_actions(
    repository: DynamoItemRepository, recording: RecordingClient, owner: str
) -> None:
    item = service.create_item(repository, owner, ItemCreate(name="a", price=Decimal(1)))
    service.get_item(repository, owner, item.item_id)
    repository.list_after(owner, None, 10)
    service.update_item(repository, owner, item.item_id, ItemPatch(name="b"), expected_version=1)
    service.replace_item(
        repository, owner, item.item_id, ItemCreate(name="c", price=Decimal(1)), expected_version=2
    )
    service.delete_item(repository, owner, item.item_id, expected_version=3)

    called = {
        "dynamodb:" + "".join(part.title() for part in name.split("_")) for name in recording.calls
    }
    (permission,) = MANIFEST.function("api").permissions
    assert called == set(permission.actions)
    assert "dynamodb:Scan" not in called


def test_conditional_failures_tell_absent_from_another_version(
    repository: DynamoItemRepository, owner: str
) -> None:
    item = service.create_item(repository, owner, ItemCreate(name="a", price=Decimal(1)))
    with pytest.raises(ItemAlreadyExists):
        repository.create(owner, item)
    with pytest.raises(VersionMismatch):
        repository.update(owner, item.item_id, {"name": "x"}, now="t", expected_version=9)
    with pytest.raises(ItemNotFound):
        repository.update(owner, "absent", {"name": "x"}, now="t", expected_version=1)
    with pytest.raises(VersionMismatch):
        repository.delete(owner, item.item_id, expected_version=9)
    with pytest.raises(ItemNotFound):
        repository.delete(owner, "absent", expected_version=None)
    with pytest.raises(VersionMismatch):
        repository.upsert(
            owner, "absent", {**item.model_dump(), "name": "x"}, now="t", expected_version=1
        )
    assert repository.get(owner, item.item_id) == item
    assert repository.get(owner, "absent") is None


def test_an_upsert_keeps_created_at_and_counts_versions(
    repository: DynamoItemRepository, owner: str
) -> None:
    fields = {"name": "a", "price": Decimal(1), "currency": "USD", "description": "", "tags": []}
    first = repository.upsert(
        owner, "x", fields, now="2026-01-01T00:00:00.000Z", expected_version=None
    )
    second = repository.upsert(
        owner, "x", fields, now="2026-01-02T00:00:00.000Z", expected_version=1
    )
    assert (first.version, second.version) == (1, 2)
    assert second.created_at == first.created_at == "2026-01-01T00:00:00.000Z"
    assert second.updated_at == "2026-01-02T00:00:00.000Z"
