"""What IAM authorises for each call: the services' "Actions, resources, and
condition keys" pages, and DynamoDB's guide on fine-grained access."""

from __future__ import annotations

from typing import Any

from local_runtime.iam.access import LEADING_KEYS, Target, access_requests
from local_runtime.iam.calls import ApiCall, Protocol
from local_runtime.iam.policy import AccessRequest
from local_runtime.model import TableKeys

ACCOUNT = "123456789012"
TABLE_ARN = f"arn:aws:dynamodb:eu-west-1:{ACCOUNT}:table/app"
TARGET = Target.of(ACCOUNT, [TableKeys("app", "PK", {"byOwner": "owner"})])


def requests(
    service: str, operation: str, protocol: Protocol = "json", **p: Any
) -> list[AccessRequest]:
    return access_requests(ApiCall(service, operation, protocol, "eu-west-1", "K", p), TARGET)


def key(pk: str) -> dict[str, Any]:
    return {"PK": {"S": pk}, "SK": {"S": "s"}}


def leading(request: AccessRequest) -> tuple[str, ...] | None:
    values = request.context.get(LEADING_KEYS.lower())
    return None if values is None else tuple(values)


def test_item_operations_name_the_table_and_the_partition_key_touched() -> None:
    for operation, parameters in (
        ("GetItem", {"Key": key("ITEMS#a")}),
        ("UpdateItem", {"Key": key("ITEMS#a")}),
        ("DeleteItem", {"Key": key("ITEMS#a")}),
        ("PutItem", {"Item": {**key("ITEMS#a"), "name": {"S": "n"}}}),
    ):
        (request,) = requests("dynamodb", operation, "json", TableName="app", **parameters)
        assert request.action == f"dynamodb:{operation}"
        assert request.resource == TABLE_ARN
        assert leading(request) == ("ITEMS#a",)


def test_a_query_names_the_key_conditions_partition_value() -> None:
    (request,) = requests(
        "dynamodb",
        "Query",
        TableName="app",
        KeyConditionExpression="#pk = :pk AND begins_with(SK, :sk)",
        ExpressionAttributeNames={"#pk": "PK"},
        ExpressionAttributeValues={":pk": {"S": "ITEMS#a"}, ":sk": {"S": "ITEM#"}},
    )
    assert leading(request) == ("ITEMS#a",)
    (legacy,) = requests(
        "dynamodb",
        "Query",
        TableName="app",
        KeyConditions={"PK": {"ComparisonOperator": "EQ", "AttributeValueList": [{"S": "X#1"}]}},
    )
    assert leading(legacy) == ("X#1",)


def test_an_index_query_names_the_index_and_its_partition_key() -> None:
    (request,) = requests(
        "dynamodb",
        "Query",
        TableName="app",
        IndexName="byOwner",
        KeyConditionExpression=":o = owner",
        ExpressionAttributeValues={":o": {"S": "alice"}},
    )
    assert request.resource == f"{TABLE_ARN}/index/byOwner"
    assert leading(request) == ("alice",)


def test_batches_are_authorised_per_table_with_every_key() -> None:
    (read,) = requests(
        "dynamodb", "BatchGetItem", RequestItems={"app": {"Keys": [key("A#1"), key("B#2")]}}
    )
    assert (read.action, read.resource, leading(read)) == (
        "dynamodb:BatchGetItem",
        TABLE_ARN,
        ("A#1", "B#2"),
    )
    (write,) = requests(
        "dynamodb",
        "BatchWriteItem",
        RequestItems={
            "app": [{"PutRequest": {"Item": key("A#1")}}, {"DeleteRequest": {"Key": key("C#3")}}]
        },
    )
    assert leading(write) == ("A#1", "C#3")


def test_transactions_are_authorised_item_by_item_as_the_underlying_operation() -> None:
    """DynamoDB guide, "Using IAM with DynamoDB transactions"."""
    found = requests(
        "dynamodb",
        "TransactWriteItems",
        TransactItems=[
            {"Put": {"TableName": "app", "Item": key("A#1")}},
            {"Update": {"TableName": "app", "Key": key("B#2")}},
            {"Delete": {"TableName": "app", "Key": key("C#3")}},
            {"ConditionCheck": {"TableName": "app", "Key": key("D#4")}},
        ],
    )
    assert [(r.action, leading(r)) for r in found] == [
        ("dynamodb:PutItem", ("A#1",)),
        ("dynamodb:UpdateItem", ("B#2",)),
        ("dynamodb:DeleteItem", ("C#3",)),
        ("dynamodb:ConditionCheckItem", ("D#4",)),
    ]
    (get,) = requests(
        "dynamodb",
        "TransactGetItems",
        TransactItems=[{"Get": {"TableName": "app", "Key": key("E#5")}}],
    )
    assert (get.action, leading(get)) == ("dynamodb:GetItem", ("E#5",))


def test_table_operations_touch_no_key_and_table_less_ones_name_every_resource() -> None:
    (describe,) = requests("dynamodb", "DescribeTable", TableName="app")
    assert (describe.resource, leading(describe)) == (TABLE_ARN, None)
    (listing,) = requests("dynamodb", "ListTables")
    assert listing.resource == "*"


def test_cognito_calls_name_the_user_pool() -> None:
    (request,) = requests("cognito-idp", "AdminCreateUser", UserPoolId="eu-west-1_abc")
    assert request.action == "cognito-idp:AdminCreateUser"
    assert request.resource == f"arn:aws:cognito-idp:eu-west-1:{ACCOUNT}:userpool/eu-west-1_abc"


def test_an_sms_names_the_phone_number_and_a_topic_publish_the_topic() -> None:
    (sms,) = requests("sns", "Publish", "query", PhoneNumber="+15555550100", Message="m")
    assert (sms.action, sms.resource) == ("sns:Publish", "+15555550100")
    topic = f"arn:aws:sns:eu-west-1:{ACCOUNT}:alerts"
    (published,) = requests("sns", "Publish", "query", TopicArn=topic, Message="m")
    assert published.resource == topic


def test_an_email_names_the_senders_address_identity() -> None:
    (request,) = requests("ses", "SendEmail", "query", Source='"Sign-in" <no-reply@example.com>')
    assert request.action == "ses:SendEmail"
    assert request.resource == f"arn:aws:ses:eu-west-1:{ACCOUNT}:identity/no-reply@example.com"
    assert request.context["ses:fromaddress"] == ("no-reply@example.com",)


def test_parameters_name_their_parameter_arn() -> None:
    (request,) = requests("ssm", "GetParameter", Name="/app/dev/table")
    assert request.resource == f"arn:aws:ssm:eu-west-1:{ACCOUNT}:parameter/app/dev/table"
    (versioned,) = requests("ssm", "GetParameter", Name="/app/dev/secrets/key:3")
    assert versioned.resource == f"arn:aws:ssm:eu-west-1:{ACCOUNT}:parameter/app/dev/secrets/key"


def test_who_am_i_needs_no_permission() -> None:
    assert requests("sts", "GetCallerIdentity", "query") == []
