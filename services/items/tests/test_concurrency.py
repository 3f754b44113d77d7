"""Concurrent conditional writes over real HTTP, against a moto server: the
app's repository talks to it through its endpoint_url, several threads at once."""

from __future__ import annotations

import threading
import uuid
from collections.abc import Callable, Iterator
from concurrent.futures import ThreadPoolExecutor
from typing import Any

import boto3
import pytest
from botocore.config import Config
from fastapi.testclient import TestClient
from moto.moto_server.werkzeug_app import (
    DomainDispatcherApplication,
    MotoRequestHandler,
    create_backend_app,
)
from werkzeug.serving import make_server

from items.app import app
from items.cursors import CursorCodec
from items.deps import get_cursors, get_repository
from items.dynamodb_repository import DynamoItemRepository
from service_kernel.testing import AsAuthorizedBy, access_claims

WRITERS = 8


class OneRequestAtATime:
    """DynamoDB checks a write's condition and applies it atomically (its
    developer guide, "Condition expressions"); moto's backend takes no lock, so
    under a threaded server two conditional writes can both see the condition
    hold. Serving one request at a time gives the atomicity DynamoDB has, while
    the clients still race over real HTTP."""

    def __init__(self, app: Any) -> None:
        self.app = app
        self.lock = threading.Lock()

    def __call__(self, environ: Any, start_response: Any) -> list[bytes]:
        with self.lock:
            return list(self.app(environ, start_response))


@pytest.fixture(scope="module")
def endpoint() -> Iterator[str]:
    app = OneRequestAtATime(DomainDispatcherApplication(create_backend_app))
    server = make_server("127.0.0.1", 0, app, threaded=True, request_handler=MotoRequestHandler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_port}"
    finally:
        server.shutdown()
        server.server_close()


@pytest.fixture
def repository(endpoint: str, create_table: Callable[[Any], str]) -> Iterator[DynamoItemRepository]:
    """The app's repository on the moto server, for the length of one test."""
    client: Any = boto3.client(
        "dynamodb",
        endpoint_url=endpoint,
        # One attempt: a retried write would blur who won.
        config=Config(max_pool_connections=WRITERS * 2, retries={"max_attempts": 1}),
    )
    table = create_table(client)
    repository = DynamoItemRepository(client, table)
    app.dependency_overrides[get_repository] = lambda: repository
    # Listing signs a cursor; its key's SSM read is tested elsewhere (test_signing_key).
    app.dependency_overrides[get_cursors] = lambda: CursorCodec(key=b"k" * 32, ttl_seconds=60)
    try:
        yield repository
    finally:
        app.dependency_overrides.clear()
        client.delete_table(TableName=table)


def run_together(calls: list[Callable[[], int]]) -> list[int]:
    """Run the calls in threads released at the same moment."""
    start = threading.Barrier(len(calls))

    def run(call: Callable[[], int]) -> int:
        start.wait()
        return call()

    with ThreadPoolExecutor(len(calls)) as pool:
        return list(pool.map(run, calls))


def as_user(sub: str) -> TestClient:
    return TestClient(AsAuthorizedBy(app, access_claims(sub)), raise_server_exceptions=False)


def test_one_conditional_patch_per_version_wins(repository: DynamoItemRepository) -> None:
    sub = f"racer-{uuid.uuid4()}"
    created = as_user(sub).post("/items", json={"name": "contended", "price": 1})
    item_id = created.json()["item_id"]

    def patch(writer: int) -> Callable[[], int]:
        def call() -> int:
            response = as_user(sub).patch(
                f"/items/{item_id}", json={"price": writer}, headers={"If-Match": '"1"'}
            )
            return response.status_code

        return call

    statuses = run_together([patch(writer) for writer in range(WRITERS)])

    assert sorted(statuses) == [200] + [412] * (WRITERS - 1)
    final = as_user(sub).get(f"/items/{item_id}").json()
    assert final["version"] == 2
    assert final["price"] in range(WRITERS)


def test_concurrent_creates_of_distinct_ids_are_all_stored(
    repository: DynamoItemRepository,
) -> None:
    sub = f"creator-{uuid.uuid4()}"
    ids = [f"item-{n:02d}" for n in range(WRITERS * 2)]

    def create(item_id: str) -> Callable[[], int]:
        def call() -> int:
            body = {"item_id": item_id, "name": item_id, "price": 1}
            return as_user(sub).post("/items", json=body).status_code

        return call

    assert run_together([create(item_id) for item_id in ids]) == [201] * len(ids)
    listed = as_user(sub).get("/items", params={"limit": 100}).json()
    assert [item["item_id"] for item in listed["items"]] == ids


def test_concurrent_creates_of_one_id_store_exactly_one(repository: DynamoItemRepository) -> None:
    sub = f"claimer-{uuid.uuid4()}"

    def create(writer: int) -> Callable[[], int]:
        def call() -> int:
            body = {"item_id": "same", "name": f"writer {writer}", "price": 1}
            return as_user(sub).post("/items", json=body).status_code

        return call

    statuses = run_together([create(writer) for writer in range(WRITERS)])
    assert sorted(statuses) == [201] + [409] * (WRITERS - 1)
    assert as_user(sub).get("/items/same").json()["version"] == 1
