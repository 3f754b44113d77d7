"""ItemRepository on the shared single table.

Key schema (every key starts with this service's prefix, so IAM can hold it
to `dynamodb:LeadingKeys = ITEMS#*`):

    PK = "ITEMS#<owner sub>"    SK = "ITEM#<item_id>"

One owner's items are one partition, sorted by item_id. Every write is a
single conditional request: ReturnValuesOnConditionCheckFailure=ALL_OLD tells
"absent" (404) from "other version" (412) without a second read."""

from __future__ import annotations

from collections.abc import Mapping
from decimal import Decimal
from typing import Any, NoReturn

from botocore.exceptions import BotoCoreError, ClientError

from items.models import Item
from items.repository import (
    ItemAlreadyExists,
    ItemNotFound,
    ItemSlice,
    StoreUnavailable,
    VersionMismatch,
)
from service_kernel.aws import error_code

PK_PREFIX = "ITEMS#"
SK_PREFIX = "ITEM#"
# The item attributes a client sets; the rest are the server's.
CLIENT_FIELDS = ("name", "price", "currency", "description", "tags")
# Answers that mean "try again later" (after the SDK's own retries), not
# "this request is wrong".
UNAVAILABLE_CODES = frozenset(
    {
        "ProvisionedThroughputExceededException",
        "ThrottlingException",
        "RequestLimitExceeded",
        "InternalServerError",
        "ServiceUnavailable",
    }
)


def item_key(owner: str, item_id: str) -> dict[str, dict[str, str]]:
    return {"PK": {"S": PK_PREFIX + owner}, "SK": {"S": SK_PREFIX + item_id}}


def _to_value(field: str, value: Any) -> dict[str, Any]:
    if field in ("price", "version"):
        # A number travels as its exact decimal digits.
        return {"N": format(Decimal(value), "f")}
    if field == "tags":
        return {"L": [{"S": tag} for tag in value]}
    return {"S": str(value)}


def _to_item(attributes: Mapping[str, Any]) -> Item:
    return Item(
        item_id=attributes["item_id"]["S"],
        name=attributes["name"]["S"],
        price=Decimal(attributes["price"]["N"]),
        currency=attributes["currency"]["S"],
        description=attributes["description"]["S"],
        tags=[tag["S"] for tag in attributes["tags"]["L"]],
        created_at=attributes["created_at"]["S"],
        updated_at=attributes["updated_at"]["S"],
        version=int(attributes["version"]["N"]),
    )


def _raise_missing_or_stale(exc: ClientError, item_id: str) -> NoReturn:
    """A failed `attribute_exists(PK) AND version = :expected`: with ALL_OLD on
    failure, an item in the answer means the version was stale, none means it
    does not exist; no second read needed."""
    if not _condition_failed(exc):
        raise exc
    if "Item" in exc.response:
        raise VersionMismatch(item_id) from None
    raise ItemNotFound(item_id) from None


def _condition_failed(exc: ClientError) -> bool:
    return error_code(exc) == "ConditionalCheckFailedException"


class DynamoItemRepository:
    def __init__(self, client: Any, table_name: str) -> None:
        self._client = client
        self._table = table_name

    def create(self, owner: str, item: Item) -> None:
        attributes = item_key(owner, item.item_id)
        attributes.update({f: _to_value(f, v) for f, v in item.model_dump().items()})
        try:
            self._call(
                "put_item",
                TableName=self._table,
                Item=attributes,
                ConditionExpression="attribute_not_exists(PK)",
            )
        except ClientError as exc:
            if _condition_failed(exc):
                raise ItemAlreadyExists(item.item_id) from None
            raise

    def get(self, owner: str, item_id: str) -> Item | None:
        response = self._call(
            "get_item", TableName=self._table, Key=item_key(owner, item_id), ConsistentRead=True
        )
        return _to_item(response["Item"]) if "Item" in response else None

    def list_after(self, owner: str, after: str | None, limit: int) -> ItemSlice:
        request: dict[str, Any] = {
            "TableName": self._table,
            "KeyConditionExpression": "PK = :pk AND begins_with(SK, :sk)",
            "ExpressionAttributeValues": {
                ":pk": {"S": PK_PREFIX + owner},
                ":sk": {"S": SK_PREFIX},
            },
            "Limit": limit,
            "ConsistentRead": True,
        }
        if after is not None:
            request["ExclusiveStartKey"] = item_key(owner, after)
        response = self._call("query", **request)
        return ItemSlice(
            items=[_to_item(attributes) for attributes in response.get("Items", [])],
            more="LastEvaluatedKey" in response,
        )

    def update(
        self,
        owner: str,
        item_id: str,
        changes: Mapping[str, Any],
        *,
        now: str,
        expected_version: int | None,
    ) -> Item:
        sets = {field: changes[field] for field in CLIENT_FIELDS if field in changes}
        sets["updated_at"] = now
        condition = "attribute_exists(PK)"
        if expected_version is not None:
            condition += " AND #version = :expected"
        try:
            return self._update(owner, item_id, sets, condition, expected_version)
        except ClientError as exc:
            _raise_missing_or_stale(exc, item_id)

    def upsert(
        self,
        owner: str,
        item_id: str,
        fields: Mapping[str, Any],
        *,
        now: str,
        expected_version: int | None,
    ) -> Item:
        sets = {field: fields[field] for field in CLIENT_FIELDS}
        sets.update(item_id=item_id, updated_at=now)
        condition = None if expected_version is None else "#version = :expected"
        try:
            return self._update(owner, item_id, sets, condition, expected_version, created_at=now)
        except ClientError as exc:
            if _condition_failed(exc):
                raise VersionMismatch(item_id) from None
            raise

    def delete(self, owner: str, item_id: str, *, expected_version: int | None) -> None:
        request: dict[str, Any] = {
            "TableName": self._table,
            "Key": item_key(owner, item_id),
            "ConditionExpression": "attribute_exists(PK)",
            "ReturnValuesOnConditionCheckFailure": "ALL_OLD",
        }
        if expected_version is not None:
            request["ConditionExpression"] += " AND #version = :expected"
            request["ExpressionAttributeNames"] = {"#version": "version"}
            request["ExpressionAttributeValues"] = {
                ":expected": _to_value("version", expected_version)
            }
        try:
            self._call("delete_item", **request)
        except ClientError as exc:
            _raise_missing_or_stale(exc, item_id)

    def _update(
        self,
        owner: str,
        item_id: str,
        sets: Mapping[str, Any],
        condition: str | None,
        expected_version: int | None,
        *,
        created_at: str | None = None,
    ) -> Item:
        """One UpdateItem that sets `sets`, bumps the version in the same
        expression (a new item starts at 1) and, for an upsert, keeps the
        first created_at."""
        names = {f"#{field}": field for field in sets}
        values = {f":{field}": _to_value(field, value) for field, value in sets.items()}
        clauses = [f"#{field} = :{field}" for field in sets]
        names["#version"] = "version"
        values[":one"] = {"N": "1"}
        values[":zero"] = {"N": "0"}
        clauses.append("#version = if_not_exists(#version, :zero) + :one")
        if created_at is not None:
            names["#created_at"] = "created_at"
            values[":created_at"] = {"S": created_at}
            clauses.append("#created_at = if_not_exists(#created_at, :created_at)")
        if expected_version is not None:
            values[":expected"] = _to_value("version", expected_version)
        request: dict[str, Any] = {
            "TableName": self._table,
            "Key": item_key(owner, item_id),
            "UpdateExpression": "SET " + ", ".join(clauses),
            "ExpressionAttributeNames": names,
            "ExpressionAttributeValues": values,
            "ReturnValues": "ALL_NEW",
        }
        if condition is not None:
            request["ConditionExpression"] = condition
            request["ReturnValuesOnConditionCheckFailure"] = "ALL_OLD"
        response = self._call("update_item", **request)
        return _to_item(response["Attributes"])

    def _call(self, operation: str, **request: Any) -> dict[str, Any]:
        try:
            response: dict[str, Any] = getattr(self._client, operation)(**request)
        except ClientError as exc:
            if error_code(exc) in UNAVAILABLE_CODES:
                raise StoreUnavailable(operation) from exc
            raise
        except BotoCoreError as exc:  # could not connect, or timed out
            raise StoreUnavailable(operation) from exc
        return response
