"""Pending users in the shared table: one partition, `PK = AUTH#PENDING`,
`SK = <sub>`, with `due` (epoch seconds) and `expires_at` (the table's TTL,
a day after `due`, so a record outlives a missed cleanup run but not for
ever). The partition holds at most the users created in the last few
minutes, which the send budgets bound. botocore only."""

from __future__ import annotations

from typing import Any

from auth.protocol import KEY_PREFIX

PARTITION = f"{KEY_PREFIX}PENDING"
KEEP_AFTER_DUE_SECONDS = 24 * 3600


class DynamoDbPendingUsers:
    def __init__(self, dynamodb: Any, table: str) -> None:
        self._dynamodb = dynamodb
        self._table = table

    def add(self, sub: str, due: int) -> None:
        self._dynamodb.put_item(
            TableName=self._table,
            Item={
                "PK": {"S": PARTITION},
                "SK": {"S": sub},
                "due": {"N": str(due)},
                "expires_at": {"N": str(due + KEEP_AFTER_DUE_SECONDS)},
            },
        )

    def remove(self, sub: str) -> None:
        self._dynamodb.delete_item(
            TableName=self._table, Key={"PK": {"S": PARTITION}, "SK": {"S": sub}}
        )

    def due(self, now: float) -> list[str]:
        subs: list[str] = []
        query: dict[str, Any] = {
            "TableName": self._table,
            "KeyConditionExpression": "PK = :pending",
            "FilterExpression": "#due <= :now",
            "ExpressionAttributeNames": {"#due": "due"},
            "ExpressionAttributeValues": {
                ":pending": {"S": PARTITION},
                ":now": {"N": str(int(now))},
            },
            "ConsistentRead": True,
        }
        while True:
            page = self._dynamodb.query(**query)
            subs += [item["SK"]["S"] for item in page.get("Items", [])]
            if "LastEvaluatedKey" not in page:
                return subs
            query["ExclusiveStartKey"] = page["LastEvaluatedKey"]
