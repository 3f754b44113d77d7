"""Counters in the shared table, under this service's own key prefix.

One item per key: `PK = <key>` (always `AUTH#…`), `SK = COUNT`, `count`,
`expires_at` (epoch seconds, the table's TTL attribute). A window is fixed:
it opens with its first count and closes at `expires_at`. DynamoDB deletes
expired items late (up to days), so expiry is checked here, in each
condition. Every write is conditional, so concurrent requests never count
past a limit, and `take_all` is one `TransactWriteItems` of conditional
updates: every window counts one, or none does (DynamoDB's transactions are
all or nothing, and IAM authorises each update as `dynamodb:UpdateItem`).
botocore only: the triggers use it too."""

from __future__ import annotations

import functools
from collections.abc import Callable, Sequence
from typing import Any, Literal, ParamSpec, TypeVar

from botocore.exceptions import BotoCoreError, ClientError

from auth.counters import CountersUnavailable, LimitReached, Take, Window

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
# A lost race (a window opened or closed meanwhile) is retried, then counted as full.
ATTEMPTS = 3
_CHECK_FAILED = "ConditionalCheckFailed"

# How a take is written: added to an open window, or opening a new one.
_Mode = Literal["add", "open"]


class DynamoDbCounters:
    def __init__(self, dynamodb: Any, table: str) -> None:
        self._dynamodb = dynamodb
        self._table = table

    @_available
    def take_all(self, takes: Sequence[Take], now: float) -> None:
        moment = int(now)
        # Most windows are open: add to each first, and open only those that are not.
        modes: list[_Mode] = ["add"] * len(takes)
        for _ in range(ATTEMPTS):
            writes = [
                {"Update": self._take(take, moment, mode)}
                for take, mode in zip(takes, modes, strict=True)
            ]
            try:
                self._dynamodb.transact_write_items(TransactItems=writes)
                return
            except ClientError as exc:
                if exc.response["Error"]["Code"] != "TransactionCanceledException":
                    raise
                reasons = exc.response.get("CancellationReasons") or []
            full = []
            for index, reason in enumerate(reasons[: len(takes)]):
                if reason.get("Code") != _CHECK_FAILED:
                    continue
                window = _window_of(reason.get("Item") or {})
                if window is None or window.expires_at <= moment:
                    modes[index] = "open"
                elif window.count >= takes[index].limit:
                    full.append((takes[index].key, window.expires_at - moment))
                else:
                    modes[index] = "add"  # another request opened it meanwhile
            if full:
                keys = tuple(key for key, _ in full)
                raise LimitReached(max(wait for _, wait in full), keys[0], keys)
        longest = max(takes, key=lambda take: take.window_seconds)
        raise LimitReached(longest.window_seconds, longest.key)

    @_available
    def add(self, key: str, window_seconds: int, now: float) -> int:
        moment = int(now)
        for _ in range(ATTEMPTS):
            counted = self._add_to_open_window(key, moment)
            if counted:
                return counted
            if self._open_window(key, moment + window_seconds, moment):
                return 1
        return 0  # lost every race: nothing was counted

    @_available
    def give_back(self, key: str, now: float) -> None:
        try:
            self._dynamodb.update_item(
                TableName=self._table,
                Key=self._key(key),
                UpdateExpression="ADD #count :minus",
                ConditionExpression="expires_at > :now AND #count > :zero",
                ExpressionAttributeNames={"#count": "count"},
                ExpressionAttributeValues={
                    ":minus": {"N": "-1"},
                    ":now": {"N": str(int(now))},
                    ":zero": {"N": "0"},
                },
            )
        except ClientError as exc:
            if exc.response["Error"]["Code"] != "ConditionalCheckFailedException":
                raise
            # No open window, or nothing in it: nothing to give back.

    @_available
    def restart(self, key: str, window_seconds: int, now: float) -> None:
        self._dynamodb.update_item(
            TableName=self._table,
            Key=self._key(key),
            UpdateExpression="SET #count = :one, expires_at = :expires_at",
            ExpressionAttributeNames={"#count": "count"},
            ExpressionAttributeValues={
                ":one": {"N": "1"},
                ":expires_at": {"N": str(int(now) + window_seconds)},
            },
        )

    @_available
    def window(self, key: str, now: float) -> Window | None:
        item = self._dynamodb.get_item(
            TableName=self._table, Key=self._key(key), ConsistentRead=True
        ).get("Item")
        window = _window_of(item or {})
        return window if window is not None and window.expires_at > int(now) else None

    @_available
    def reset(self, key: str) -> None:
        # Closed, not deleted: an update needs no dynamodb:DeleteItem (the API
        # may not delete), and the table's TTL removes the item soon after.
        try:
            self._dynamodb.update_item(
                TableName=self._table,
                Key=self._key(key),
                UpdateExpression="SET expires_at = :closed",
                ConditionExpression="attribute_exists(PK)",
                ExpressionAttributeValues={":closed": {"N": "0"}},
            )
        except ClientError as exc:
            if exc.response["Error"]["Code"] != "ConditionalCheckFailedException":
                raise
            # No window: nothing to forget.

    def _key(self, key: str) -> dict[str, Any]:
        return {"PK": {"S": key}, "SK": {"S": SORT_KEY}}

    def _take(self, take: Take, moment: int, mode: _Mode) -> dict[str, Any]:
        """One update of a transaction: counted in the open window while it has
        room, or opening a window where none is open."""
        if mode == "add":
            update = "ADD #count :one"
            condition = "expires_at > :now AND #count < :limit"
            values = {":limit": {"N": str(take.limit)}}
        else:
            update = "SET #count = :one, expires_at = :expires_at"
            condition = "attribute_not_exists(PK) OR expires_at <= :now"
            values = {":expires_at": {"N": str(moment + take.window_seconds)}}
        return {
            "TableName": self._table,
            "Key": self._key(take.key),
            "UpdateExpression": update,
            "ConditionExpression": condition,
            "ExpressionAttributeNames": {"#count": "count"},
            "ExpressionAttributeValues": {
                ":one": {"N": "1"},
                ":now": {"N": str(moment)},
                **values,
            },
            "ReturnValuesOnConditionCheckFailure": "ALL_OLD",
        }

    def _add_to_open_window(self, key: str, moment: int) -> int:
        """The window's count once this one is added; 0 when there is no open window."""
        try:
            updated = self._dynamodb.update_item(
                TableName=self._table,
                Key=self._key(key),
                UpdateExpression="ADD #count :one",
                ConditionExpression="expires_at > :now",
                ExpressionAttributeNames={"#count": "count"},
                ExpressionAttributeValues={":one": {"N": "1"}, ":now": {"N": str(moment)}},
                ReturnValues="UPDATED_NEW",
            )
        except ClientError as exc:
            if exc.response["Error"]["Code"] != "ConditionalCheckFailedException":
                raise
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


def _window_of(item: dict[str, Any]) -> Window | None:
    if "expires_at" not in item:
        return None
    return Window(int(item.get("count", {}).get("N", "0")), int(item["expires_at"]["N"]))
