"""Counters in the shared table, under this service's own key prefix.

One item per key: `PK = <key>` (always `AUTH#…`), `SK = COUNT`, `count`,
`expires_at` (epoch seconds, the table's TTL attribute). A window is fixed:
it opens with its first count and closes at `expires_at`. DynamoDB deletes
expired items late (up to days), so expiry is checked here, in each
condition. Every write is one conditional request, so concurrent requests
never count past a limit. botocore only: the triggers use it too."""

from __future__ import annotations

import functools
from collections.abc import Callable
from typing import Any, ParamSpec, TypeVar

from botocore.exceptions import BotoCoreError, ClientError

from auth.counters import CountersUnavailable, LimitReached, Window

P = ParamSpec("P")
R = TypeVar("R")


def _available(method: Callable[P, R]) -> Callable[P, R]:
    @functools.wraps(method)
    def call(*args: P.args, **kwargs: P.kwargs) -> R:
        try:
            return method(*args, **kwargs)
        except (BotoCoreError, ClientError) as exc:
            raise CountersUnavailable(type(exc).__name__) from None

    return call


SORT_KEY = "COUNT"
# A lost race to open a window is retried, then counted as full.
ATTEMPTS = 3


class DynamoDbCounters:
    def __init__(self, dynamodb: Any, table: str) -> None:
        self._dynamodb = dynamodb
        self._table = table

    @_available
    def take(self, key: str, limit: int, window_seconds: int, now: float) -> None:
        moment = int(now)
        for _ in range(ATTEMPTS):
            if self._add_to_open_window(key, moment, limit):
                return
            if self._open_window(key, moment + window_seconds, moment):
                return
        raise LimitReached(window_seconds)

    @_available
    def add(self, key: str, window_seconds: int, now: float) -> int:
        moment = int(now)
        for _ in range(ATTEMPTS):
            counted = self._add_to_open_window(key, moment, None)
            if counted:
                return counted
            if self._open_window(key, moment + window_seconds, moment):
                return 1
        return 0  # lost every race: nothing was counted

    @_available
    def window(self, key: str, now: float) -> Window | None:
        item = self._dynamodb.get_item(
            TableName=self._table, Key=self._key(key), ConsistentRead=True
        ).get("Item")
        if not item:
            return None
        window = Window(int(item["count"]["N"]), int(item["expires_at"]["N"]))
        return window if window.expires_at > int(now) else None

    @_available
    def reset(self, key: str) -> None:
        self._dynamodb.delete_item(TableName=self._table, Key=self._key(key))

    def _key(self, key: str) -> dict[str, Any]:
        return {"PK": {"S": key}, "SK": {"S": SORT_KEY}}

    def _add_to_open_window(self, key: str, moment: int, limit: int | None) -> int:
        """The window's count once this one is added; 0 when there is no open window."""
        condition = "expires_at > :now"
        values = {":one": {"N": "1"}, ":now": {"N": str(moment)}}
        if limit is not None:
            condition += " AND #count < :limit"
            values[":limit"] = {"N": str(limit)}
        try:
            updated = self._dynamodb.update_item(
                TableName=self._table,
                Key=self._key(key),
                UpdateExpression="ADD #count :one",
                ConditionExpression=condition,
                ExpressionAttributeNames={"#count": "count"},
                ExpressionAttributeValues=values,
                ReturnValues="UPDATED_NEW",
                ReturnValuesOnConditionCheckFailure="ALL_OLD",
            )
        except ClientError as exc:
            if exc.response["Error"]["Code"] != "ConditionalCheckFailedException":
                raise
            old = exc.response.get("Item") or {}
            expires_at = int(old.get("expires_at", {}).get("N", "0"))
            if expires_at > moment:
                raise LimitReached(expires_at - moment) from None
            return 0  # no window, or an expired one DynamoDB has not deleted yet
        return int(updated["Attributes"]["count"]["N"])

    def _open_window(self, key: str, expires_at: int, moment: int) -> bool:
        try:
            self._dynamodb.put_item(
                TableName=self._table,
                Item={
                    **self._key(key),
                    "count": {"N": "1"},
                    "expires_at": {"N": str(expires_at)},
                },
                ConditionExpression="attribute_not_exists(PK) OR expires_at <= :now",
                ExpressionAttributeValues={":now": {"N": str(moment)}},
            )
        except ClientError as exc:
            if exc.response["Error"]["Code"] != "ConditionalCheckFailedException":
                raise
            return False  # another request opened the window first
        return True
