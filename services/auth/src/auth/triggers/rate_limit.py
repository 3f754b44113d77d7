"""Per-destination send limit (SMS pumping protection), counted in the shared
table under this service's own prefix.

One item per destination: `PK = AUTH#SEND#<HMAC-SHA256 of the destination>`,
`SK = RATE`, `send_count`, `expires_at` (epoch seconds, the table's TTL
attribute). The phone number or e-mail address itself is never stored. The
window is fixed: it opens on the first send and closes at `expires_at`.
DynamoDB deletes expired items late (up to days), so expiry is checked here."""

from __future__ import annotations

import hashlib
import hmac

from botocore.exceptions import ClientError

from auth.protocol import RATE_LIMITED
from auth.triggers.aws import client

KEY_PREFIX = "AUTH#"
_SORT_KEY = "RATE"


class RateLimitedError(Exception):
    def __init__(self, retry_after: int) -> None:
        self.retry_after = max(retry_after, 1)
        super().__init__(RATE_LIMITED.format(seconds=self.retry_after))


def destination_key(salt: str, destination: str) -> str:
    """The table key for a destination: a keyed hash, so the table never holds
    the number or address (salted per pool, which is not a secret)."""
    mac = hmac.new(salt.encode(), destination.strip().lower().encode(), hashlib.sha256)
    return f"{KEY_PREFIX}SEND#{mac.hexdigest()}"


def count_send(table: str, key: str, limit: int, window_seconds: int, now: float) -> None:
    """Count one send to the destination behind `key`, or raise
    RateLimitedError when its window already holds `limit` sends."""
    moment = int(now)
    for _ in range(3):  # a lost race to open the window is retried, then counted
        if _add_to_open_window(table, key, limit, moment):
            return
        if _open_window(table, key, moment + window_seconds, moment):
            return
    raise RateLimitedError(window_seconds)


def _add_to_open_window(table: str, key: str, limit: int, moment: int) -> bool:
    try:
        client("dynamodb").update_item(
            TableName=table,
            Key={"PK": {"S": key}, "SK": {"S": _SORT_KEY}},
            UpdateExpression="ADD send_count :one",
            ConditionExpression="expires_at > :now AND send_count < :limit",
            ExpressionAttributeValues={
                ":one": {"N": "1"},
                ":now": {"N": str(moment)},
                ":limit": {"N": str(limit)},
            },
            ReturnValuesOnConditionCheckFailure="ALL_OLD",
        )
    except ClientError as exc:
        if exc.response["Error"]["Code"] != "ConditionalCheckFailedException":
            raise
        old = exc.response.get("Item") or {}
        expires_at = int(old.get("expires_at", {}).get("N", "0"))
        if expires_at > moment:
            raise RateLimitedError(expires_at - moment) from None
        return False  # no window, or an expired one DynamoDB has not deleted yet
    return True


def _open_window(table: str, key: str, expires_at: int, moment: int) -> bool:
    try:
        client("dynamodb").put_item(
            TableName=table,
            Item={
                "PK": {"S": key},
                "SK": {"S": _SORT_KEY},
                "send_count": {"N": "1"},
                "expires_at": {"N": str(expires_at)},
            },
            ConditionExpression="attribute_not_exists(PK) OR expires_at <= :now",
            ExpressionAttributeValues={":now": {"N": str(moment)}},
        )
    except ClientError as exc:
        if exc.response["Error"]["Code"] != "ConditionalCheckFailedException":
            raise
        return False  # another send opened the window first
    return True
