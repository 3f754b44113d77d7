"""The business metrics: the code counts exactly what service.toml declares (which
the stack's dashboard graphs), and each is written, through the Lambda handler, when
what it counts happens; nothing else is.

The EMF lines are read from the handler's stdout (capsys), as CloudWatch reads them."""

from __future__ import annotations

import ast
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest

from items import metrics as items_metrics
from service_kernel import metrics
from service_kernel.testing import (
    Emitted,
    MetricPoint,
    countable_metrics,
    declared_metrics,
    emitted_metrics,
)
from service_manifest import load_manifest
from tests.lambda_gateway import Gateway

MANIFEST = load_manifest(Path(__file__).parents[1] / "service.toml")
SOURCES = Path(__file__).parents[1] / "src" / "items"
NAMESPACE = "serverless-backend/test"
ITEM = {"name": "Lamp", "price": 19.99}


Step = Callable[[Gateway], object]


def nothing(_: Gateway) -> None:
    pass


def put_item(gateway: Gateway) -> None:
    assert gateway("PUT", "/items/lamp", body=ITEM)[0] == 201


# What makes each declared metric happen: (what comes first, what counts it once).
SCENARIOS: dict[MetricPoint, tuple[Step, Step]] = {
    ("ItemsCreated", ()): (nothing, lambda gateway: gateway("POST", "/items", body=ITEM)),
    ("ItemsUpdated", ()): (put_item, lambda gateway: gateway("PATCH", "/items/lamp", body=ITEM)),
    ("ItemsDeleted", ()): (put_item, lambda gateway: gateway("DELETE", "/items/lamp")),
    ("WriteConflicts", ()): (
        put_item,
        lambda gateway: gateway("POST", "/items", body={**ITEM, "item_id": "lamp"}),
    ),
}


@pytest.fixture(autouse=True)
def nothing_pending() -> Iterator[None]:
    metrics.clear()
    yield
    metrics.clear()


def business(output: str) -> list[Emitted]:
    """The service's own metrics in the output (not the cold start's)."""
    return [metric for metric in emitted_metrics(output) if metric.name != "ColdStart"]


def test_the_code_counts_exactly_the_metrics_service_toml_declares() -> None:
    assert countable_metrics(items_metrics) == declared_metrics(MANIFEST)


def test_only_the_metrics_module_counts() -> None:
    """So items/metrics.py is the one place the code names a metric."""
    counting = {
        path.name
        for path in SOURCES.rglob("*.py")
        for node in ast.walk(ast.parse(path.read_text()))
        if isinstance(node, ast.ImportFrom) and node.module == "service_kernel.metrics"
    }
    assert counting == {"metrics.py"}


def test_every_declared_metric_has_a_scenario_below() -> None:
    assert set(SCENARIOS) == declared_metrics(MANIFEST)


@pytest.mark.parametrize("point", sorted(SCENARIOS), ids=lambda point: point[0])
def test_each_metric_is_written_once_when_what_it_counts_happens(
    point: MetricPoint, table: str, alice_sub: str, capsys: pytest.CaptureFixture[str]
) -> None:
    gateway = Gateway(alice_sub)
    before, action = SCENARIOS[point]
    before(gateway)
    capsys.readouterr()

    action(gateway)

    name, dimension = point
    assert business(capsys.readouterr().out) == [
        Emitted(NAMESPACE, name, {"service": "items", **dict(dimension)}, 1)
    ]


def test_a_put_counts_a_creation_then_an_update(
    table: str, alice_sub: str, capsys: pytest.CaptureFixture[str]
) -> None:
    gateway = Gateway(alice_sub)

    put_item(gateway)
    assert gateway("PUT", "/items/lamp", body=ITEM)[0] == 200

    assert [m.name for m in business(capsys.readouterr().out)] == ["ItemsCreated", "ItemsUpdated"]


def test_an_if_match_that_no_longer_matches_is_a_write_conflict(
    table: str, alice_sub: str, capsys: pytest.CaptureFixture[str]
) -> None:
    gateway = Gateway(alice_sub)
    put_item(gateway)
    capsys.readouterr()

    for method in ("PATCH", "PUT", "DELETE"):
        body = ITEM if method != "DELETE" else None
        status, _, _ = gateway(method, "/items/lamp", body=body, headers={"if-match": '"9"'})
        assert status == 412

    assert [m.name for m in business(capsys.readouterr().out)] == ["WriteConflicts"] * 3


def test_reads_and_refusals_count_nothing(
    table: str, alice_sub: str, capsys: pytest.CaptureFixture[str]
) -> None:
    gateway = Gateway(alice_sub)
    put_item(gateway)
    capsys.readouterr()

    gateway("GET", "/items/lamp")
    gateway("GET", "/items")
    gateway("GET", "/items/absent")
    gateway("DELETE", "/items/absent")  # 404: nothing deleted, no conflict
    gateway("POST", "/items", body={"name": ""})  # 422

    assert business(capsys.readouterr().out) == []
