"""What IAM authorises for an API call: each action, on which resource, with
which condition keys, as the services document them.

Pure. Resources are the ARNs each service's "Actions, resources, and
condition keys" page names; an operation with no resource type is `*`.
- DynamoDB: the table (`.../table/<name>`, `/index/<name>` for an index
  query); `dynamodb:LeadingKeys` holds the partition-key values the request
  touches (Key, Item, the key condition's equality, every item of a batch or
  transaction). A transaction is authorised item by item, as the underlying
  PutItem/UpdateItem/DeleteItem/GetItem and ConditionCheckItem (DynamoDB guide,
  "Using IAM with DynamoDB transactions").
- Cognito user pools: the pool (`userpool/<id>`).
- SNS Publish: the topic or target ARN, or the phone number itself for an SMS
  (what SNS names in its denial, e.g. Zappa#1941, amplify-flutter#3546).
- SES SendEmail: the identity of the sender's address (`identity/<address>`,
  what SES names in its denial, e.g. dwyl/aws-ses-lambda#10), with
  `ses:FromAddress`, the sender's address (SES's condition keys).
- SSM parameters: `parameter/<name>` (a version selector `:<n>` left out).
- sts:GetCallerIdentity needs no permission (STS API reference).
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any

from local_runtime.iam.calls import ApiCall
from local_runtime.iam.policy import AccessRequest
from local_runtime.model import TableKeys

LEADING_KEYS = "dynamodb:LeadingKeys"


@dataclass(frozen=True)
class Target:
    """Where the calls go: the emulator's account, and the tables' key schemas
    by table name."""

    account: str
    tables: Mapping[str, TableKeys] = field(default_factory=dict)

    @staticmethod
    def of(account: str, tables: Iterable[TableKeys]) -> Target:
        return Target(account, {table.name: table for table in tables})

    def arn(self, call: ApiCall, resource: str) -> str:
        return f"arn:aws:{call.service}:{call.region}:{self.account}:{resource}"


def access_requests(call: ApiCall, target: Target) -> list[AccessRequest]:
    """Every authorisation the call needs (none: no permission is needed)."""
    if (call.service, call.operation) in _NO_PERMISSION:
        return []
    describe = _BY_SERVICE.get(call.service, _anything)
    return list(describe(call, target))


_NO_PERMISSION = {("sts", "GetCallerIdentity")}


def _anything(call: ApiCall, _: Target) -> Iterable[AccessRequest]:
    yield AccessRequest.of(f"{call.service}:{call.operation}", "*")


# ---- DynamoDB ----

_TRANSACT_WRITES = {
    "Put": "PutItem",
    "Update": "UpdateItem",
    "Delete": "DeleteItem",
    "ConditionCheck": "ConditionCheckItem",
}


def _dynamodb(call: ApiCall, target: Target) -> Iterable[AccessRequest]:
    p, operation = call.parameters, call.operation
    if operation in ("BatchGetItem", "BatchWriteItem"):
        for table, spec in _mapping(p.get("RequestItems")).items():
            yield _table_request(call, target, operation, table, _batch_keys(spec))
    elif operation == "TransactGetItems":
        for entry in _mappings(p.get("TransactItems")):
            get = _mapping(entry.get("Get"))
            keys = [_mapping(get.get("Key"))]
            yield _table_request(call, target, "GetItem", str(get.get("TableName")), keys)
    elif operation == "TransactWriteItems":
        for entry in _mappings(p.get("TransactItems")):
            for kind, action in _TRANSACT_WRITES.items():
                if kind in entry:
                    item = _mapping(entry[kind])
                    keys = [_mapping(item.get("Item")) or _mapping(item.get("Key"))]
                    yield _table_request(call, target, action, str(item.get("TableName")), keys)
    elif "TableName" in p:
        table, index = str(p["TableName"]), str(p.get("IndexName") or "")
        touched = _item_keys(p, operation, _partition_key(target.tables.get(table), index))
        yield _table_request(call, target, operation, table, touched, index)
    else:
        yield AccessRequest.of(f"dynamodb:{operation}", "*")


def _table_request(
    call: ApiCall,
    target: Target,
    operation: str,
    table: str,
    keys: list[Mapping[str, Any]] | None,
    index: str = "",
) -> AccessRequest:
    """One table's authorisation; with the keys an item operation touches,
    their partition-key values as `dynamodb:LeadingKeys`."""
    resource = target.arn(call, f"table/{table}" + (f"/index/{index}" if index else ""))
    action = f"dynamodb:{operation}"
    if keys is None:
        return AccessRequest.of(action, resource)
    partition_key = _partition_key(target.tables.get(table), index)
    values = {_value(key.get(partition_key)) for key in keys}
    leading = sorted(value for value in values if value is not None)
    return AccessRequest.of(action, resource, **{LEADING_KEYS: leading})


def _batch_keys(spec: Any) -> list[Mapping[str, Any]]:
    """A batch's keys for one table: BatchGetItem's `Keys`, or each
    BatchWriteItem put's item and delete's key."""
    if isinstance(spec, Mapping):
        return _mappings(spec.get("Keys"))
    return [
        _mapping(_mapping(write.get("PutRequest")).get("Item"))
        or _mapping(_mapping(write.get("DeleteRequest")).get("Key"))
        for write in _mappings(spec)
    ]


def _item_keys(
    p: Mapping[str, Any], operation: str, partition_key: str
) -> list[Mapping[str, Any]] | None:
    """The keys a single-table operation touches; None for one that touches
    no item by key (DescribeTable, Scan...)."""
    if operation in ("GetItem", "UpdateItem", "DeleteItem"):
        return [_mapping(p.get("Key"))]
    if operation == "PutItem":
        return [_mapping(p.get("Item"))]
    if operation == "Query":
        return [_queried_key(p, partition_key)]
    return None


def _partition_key(schema: TableKeys | None, index: str) -> str:
    if schema is None:
        return ""
    return schema.index_partition_keys.get(index, "") if index else schema.partition_key


_EQUALITY = re.compile(r"([#:]?[\w.\-]+)\s*=\s*([#:]?[\w.\-]+)")


def _queried_key(p: Mapping[str, Any], partition_key: str) -> Mapping[str, Any]:
    """The partition-key value a Query asks for, as a key: from the key
    condition's `<key> = :value` (names resolved), or legacy KeyConditions."""
    names = _mapping(p.get("ExpressionAttributeNames"))
    values = _mapping(p.get("ExpressionAttributeValues"))
    for left, right in _EQUALITY.findall(str(p.get("KeyConditionExpression") or "")):
        for name, value in ((left, right), (right, left)):
            if names.get(name, name) == partition_key and value.startswith(":"):
                return {partition_key: values.get(value)}
    legacy = _mapping(_mapping(p.get("KeyConditions")).get(partition_key))
    listed = legacy.get("AttributeValueList")
    if legacy.get("ComparisonOperator") == "EQ" and isinstance(listed, list) and listed:
        return {partition_key: listed[0]}
    return {}


def _value(attribute: Any) -> str | None:
    """A key attribute's value as IAM compares it: its string form."""
    if isinstance(attribute, Mapping):
        for kind in ("S", "N", "B"):
            if isinstance(attribute.get(kind), str):
                return str(attribute[kind])
    return None


# ---- the other services ----


def _cognito_idp(call: ApiCall, target: Target) -> Iterable[AccessRequest]:
    pool = call.parameters.get("UserPoolId")
    resource = target.arn(call, f"userpool/{pool}") if pool else "*"
    yield AccessRequest.of(f"cognito-idp:{call.operation}", resource)


def _sns(call: ApiCall, _: Target) -> Iterable[AccessRequest]:
    p = call.parameters
    resource = p.get("TopicArn") or p.get("TargetArn") or p.get("PhoneNumber") or "*"
    yield AccessRequest.of(f"sns:{call.operation}", str(resource))


_SENDS = {"SendEmail", "SendRawEmail", "SendTemplatedEmail", "SendBulkTemplatedEmail"}
_ADDRESS = re.compile(r"<([^<>]+)>\s*$")


def _ses(call: ApiCall, target: Target) -> Iterable[AccessRequest]:
    source = str(call.parameters.get("Source") or "")
    resource = "*"
    if call.operation in _SENDS and source:
        found = _ADDRESS.search(source)
        address = (found.group(1) if found else source).strip()
        resource = target.arn(call, f"identity/{address}")
        yield AccessRequest.of(f"ses:{call.operation}", resource, **{"ses:FromAddress": [address]})
        return
    yield AccessRequest.of(f"ses:{call.operation}", resource)


def _ssm(call: ApiCall, target: Target) -> Iterable[AccessRequest]:
    p = call.parameters
    names = [p["Name"]] if "Name" in p else p.get("Names") or ([p["Path"]] if "Path" in p else [])
    if not names:
        yield AccessRequest.of(f"ssm:{call.operation}", "*")
    for name in names:
        # `name:version` or `name:label` selects one version of the parameter
        # `name` (SSM user guide, "Working with parameter versions"): the
        # resource is the parameter's ARN.
        parameter = str(name).partition(":")[0]
        resource = target.arn(call, "parameter/" + parameter.lstrip("/"))
        yield AccessRequest.of(f"ssm:{call.operation}", resource)


_BY_SERVICE: dict[str, Callable[[ApiCall, Target], Iterable[AccessRequest]]] = {
    "dynamodb": _dynamodb,
    "cognito-idp": _cognito_idp,
    "sns": _sns,
    "ses": _ses,
    "ssm": _ssm,
}


def _mapping(value: Any) -> Mapping[str, Any]:
    return value if isinstance(value, Mapping) else {}


def _mappings(value: Any) -> list[Mapping[str, Any]]:
    return [item for item in value if isinstance(item, Mapping)] if isinstance(value, list) else []


# The services whose resources and condition keys are mapped above.
MAPPED_SERVICES = tuple(_BY_SERVICE)
