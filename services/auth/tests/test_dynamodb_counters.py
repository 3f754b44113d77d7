"""The counters on the emulator's DynamoDB (moto): fixed windows, and
`take_all` all or nothing (issue 18, finding 3: a refused request spent the
windows before the one that refused it)."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import boto3
import pytest
from moto import mock_aws

from auth.counters import LimitReached, Take, Window
from auth.dynamodb_counters import DynamoDbCounters
from service_kernel.testing import create_shared_table

NOW = 1_700_000_000


@pytest.fixture
def dynamodb() -> Iterator[Any]:
    with mock_aws():
        client = boto3.client("dynamodb", region_name="us-east-1")
        create_shared_table(client, "app-table")
        yield client


@pytest.fixture
def counters(dynamodb: Any) -> DynamoDbCounters:
    return DynamoDbCounters(dynamodb, "app-table")


def items(dynamodb: Any) -> dict[str, tuple[str, str]]:
    scanned = dynamodb.scan(TableName="app-table")["Items"]
    return {i["PK"]["S"]: (i["count"]["N"], i["expires_at"]["N"]) for i in scanned}


def test_take_all_counts_one_under_every_key(counters: DynamoDbCounters) -> None:
    takes = [Take("AUTH#A", 2, 60), Take("AUTH#B", 5, 3600)]
    counters.take_all(takes, NOW)
    counters.take_all(takes, NOW + 1)
    assert counters.window("AUTH#A", NOW + 1) == Window(2, NOW + 60)
    assert counters.window("AUTH#B", NOW + 1) == Window(2, NOW + 3600)


def test_a_refused_take_all_leaves_every_counter_as_it_was(
    counters: DynamoDbCounters, dynamodb: Any
) -> None:
    """One key full, one open with room, one expired, one never counted: the
    refusal counts none of them (a client out of its own budget cannot burn
    a victim's)."""
    counters.take_all([Take("AUTH#FULL", 1, 900)], NOW)
    counters.take_all([Take("AUTH#ROOM", 5, 900)], NOW)
    counters.take_all([Take("AUTH#OLD", 5, 60)], NOW - 120)
    before = items(dynamodb)
    takes = [
        Take("AUTH#ROOM", 5, 900),
        Take("AUTH#OLD", 5, 60),
        Take("AUTH#NEW", 5, 900),
        Take("AUTH#FULL", 1, 900),
    ]
    with pytest.raises(LimitReached) as refused:
        counters.take_all(takes, NOW + 10)
    assert refused.value.key == "AUTH#FULL"
    assert refused.value.retry_after == 890
    assert items(dynamodb) == before


def test_a_refusal_waits_for_the_last_full_window(counters: DynamoDbCounters) -> None:
    counters.take_all([Take("AUTH#SHORT", 1, 60), Take("AUTH#LONG", 1, 3600)], NOW)
    with pytest.raises(LimitReached) as refused:
        counters.take_all([Take("AUTH#SHORT", 1, 60), Take("AUTH#LONG", 1, 3600)], NOW)
    assert refused.value.key == "AUTH#SHORT"
    assert refused.value.full == ("AUTH#SHORT", "AUTH#LONG")
    assert refused.value.retry_after == 3600


def test_an_expired_window_opens_afresh(counters: DynamoDbCounters) -> None:
    counters.take_all([Take("AUTH#A", 1, 60)], NOW)
    counters.take_all([Take("AUTH#A", 1, 60)], NOW + 60)
    assert counters.window("AUTH#A", NOW + 60) == Window(1, NOW + 120)


def test_add_counts_without_a_limit(counters: DynamoDbCounters) -> None:
    assert [counters.add("AUTH#F", 86400, NOW) for _ in range(3)] == [1, 2, 3]
    assert counters.add("AUTH#F", 86400, NOW + 86400) == 1


def test_give_back_uncounts_one_and_never_below_zero(counters: DynamoDbCounters) -> None:
    counters.add("AUTH#F", 600, NOW)
    counters.give_back("AUTH#F", NOW)
    counters.give_back("AUTH#F", NOW)
    assert counters.window("AUTH#F", NOW) == Window(0, NOW + 600)
    counters.give_back("AUTH#NONE", NOW)  # no window: nothing to give back
    assert counters.window("AUTH#NONE", NOW) is None


def test_restart_opens_a_new_window_whatever_was_there(counters: DynamoDbCounters) -> None:
    counters.add("AUTH#T", 60, NOW)
    counters.add("AUTH#T", 60, NOW)
    counters.restart("AUTH#T", 3600, NOW + 30)
    assert counters.window("AUTH#T", NOW + 30) == Window(1, NOW + 3630)


def test_reset_closes_the_window_and_a_missing_one_stays_missing(
    counters: DynamoDbCounters, dynamodb: Any
) -> None:
    counters.add("AUTH#F", 600, NOW)
    counters.reset("AUTH#F")
    assert counters.window("AUTH#F", NOW) is None
    assert counters.add("AUTH#F", 600, NOW) == 1
    counters.reset("AUTH#NONE")
    assert "AUTH#NONE" not in items(dynamodb)
