"""Concurrent conditional writes over real HTTP, against a moto server."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from concurrent.futures import ThreadPoolExecutor
from decimal import Decimal
from typing import Any

import boto3
import pytest
from botocore.config import Config
from moto.server import ThreadedMotoServer

from items import service
from items.dynamodb_repository import DynamoItemRepository
from items.models import ItemCreate, ItemPatch
from items.repository import VersionMismatch

WRITERS = 8


@pytest.fixture(scope="module")
def endpoint() -> Iterator[str]:
    server = ThreadedMotoServer(ip_address="127.0.0.1", port=0, verbose=False)
    server.start()
    try:
        host, port = server.get_host_and_port()
        yield f"http://{host}:{port}"
    finally:
        server.stop()


@pytest.fixture
def repository(endpoint: str, create_table: Callable[[Any], str]) -> Iterator[DynamoItemRepository]:
    client: Any = boto3.client(
        "dynamodb",
        endpoint_url=endpoint,
        config=Config(max_pool_connections=WRITERS * 2, retries={"max_attempts": 1}),
    )
    table = create_table(client)
    try:
        yield DynamoItemRepository(client, table)
    finally:
        client.delete_table(TableName=table)


def test_one_conditional_patch_per_version_wins(repository: DynamoItemRepository) -> None:
    body = ItemCreate(name="contended", price=Decimal("1.00"))
    item = service.create_item(repository, "alice", body)

    def patch(writer: int) -> str:
        change = ItemPatch(price=Decimal(writer))
        try:
            service.update_item(repository, "alice", item.item_id, change, expected_version=1)
        except VersionMismatch:
            return "412"
        return "200"

    with ThreadPoolExecutor(WRITERS) as pool:
        outcomes = list(pool.map(patch, range(WRITERS)))

    assert sorted(outcomes) == ["200"] + ["412"] * (WRITERS - 1)
    assert service.get_item(repository, "alice", item.item_id).version == 2


def test_concurrent_creates_of_distinct_ids_are_all_stored(
    repository: DynamoItemRepository,
) -> None:
    ids = [f"item-{n:02d}" for n in range(WRITERS * 2)]

    def create(item_id: str) -> None:
        service.create_item(
            repository, "alice", ItemCreate(name=item_id, price=Decimal(1), item_id=item_id)
        )

    with ThreadPoolExecutor(WRITERS) as pool:
        list(pool.map(create, ids))

    page = repository.list_after("alice", None, 100)
    assert [item.item_id for item in page.items] == ids
