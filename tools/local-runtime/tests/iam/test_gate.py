"""IAM enforced in the running system: the real program for `dev`, whose
functions call the emulator with their own roles' identities (conftest's
session runtime), refused exactly as AWS refuses."""

from __future__ import annotations

import time
from typing import Any

import boto3
import httpx2 as httpx
import pytest
from botocore.config import Config
from botocore.exceptions import ClientError

from local_runtime.emulator import ACCOUNT_ID
from local_runtime.iam.gate import Identity
from local_runtime.runtime import Runtime
from tests.support import Captured, authorizer_of


def identity(runtime: Runtime, label: str) -> Identity:
    (name,) = [name for name, pool in runtime.pools.items() if pool.function.label == label]
    return runtime.identities[name]


def client_as(runtime: Runtime, label: str, service: str) -> Any:
    """A client signing with the credentials `label`'s worker has."""
    me = identity(runtime, label)
    return boto3.client(
        service,
        region_name=runtime.emulator.region,
        endpoint_url=runtime.emulator.url,
        aws_access_key_id=me.access_key,
        aws_secret_access_key=me.secret_key,
        aws_session_token=me.session_token,
        config=Config(retries={"max_attempts": 1}),
    )


def table(runtime: Runtime) -> str:
    assert runtime.model is not None
    (found,) = runtime.model.tables
    return found.name


def pool_id(runtime: Runtime) -> str:
    return authorizer_of(runtime).issuer.rsplit("/", 1)[1]


def principal(runtime: Runtime, label: str) -> str:
    return identity(runtime, label).principal(ACCOUNT_ID)


def refused(call: Any, **parameters: Any) -> dict[str, Any]:
    with pytest.raises(ClientError) as raised:
        call(**parameters)
    response: dict[str, Any] = raised.value.response
    return {"status": response["ResponseMetadata"]["HTTPStatusCode"], **response["Error"]}


@pytest.fixture(scope="module")
def client(runtime: Runtime) -> httpx.Client:
    return httpx.Client(base_url=runtime.url, timeout=30)


# ---- through the gateway, from a function's own worker ----


def test_a_function_that_declares_no_permission_is_refused_get_item(
    runtime: Runtime, client: httpx.Client, console_output: Captured
) -> None:
    """The issue's first finding: on AWS, GetItem without the permission is a
    400 AccessDeniedException naming the role session (the function's name)."""
    seen = client.get("/nothing/getitem", params={"pk": "PROBE#1"}).json()
    table_arn = f"arn:aws:dynamodb:{runtime.emulator.region}:{ACCOUNT_ID}:table/{table(runtime)}"
    assert seen == {
        "status": 400,
        "error": {
            "Code": "AccessDeniedException",
            "Message": (
                f"User: arn:aws:sts::{ACCOUNT_ID}:assumed-role/probe-nothing-role/probe-nothing "
                f"is not authorized to perform: dynamodb:GetItem on resource: {table_arn} "
                "because no identity-based policy allows the dynamodb:GetItem action"
            ),
        },
    }
    assert "IAM refused probe-nothing: dynamodb:GetItem on" in console_output.text()


def test_a_function_reads_its_own_prefix_and_is_refused_any_other(
    client: httpx.Client,
) -> None:
    """The probe's role, from its manifest: GetItem limited to `PROBE#` keys
    (ForAllValues:StringLike on dynamodb:LeadingKeys)."""
    assert client.get("/any/getitem", params={"pk": "PROBE#1"}).json() == {
        "ok": True,
        "item": None,
    }
    other = client.get("/any/getitem", params={"pk": "ITEMS#someone"}).json()
    assert other["status"] == 400
    assert other["error"]["Code"] == "AccessDeniedException"


def test_an_action_the_manifest_does_not_declare_is_refused(client: httpx.Client) -> None:
    seen = client.get("/any/putitem", params={"pk": "PROBE#1"}).json()
    assert seen["error"]["Code"] == "AccessDeniedException"
    assert "dynamodb:PutItem" in seen["error"]["Message"]


# ---- the program's own roles, called with each function's credentials ----


def test_items_is_confined_to_its_own_keys(runtime: Runtime) -> None:
    dynamodb = client_as(runtime, "items.api", "dynamodb")
    mine = {"PK": {"S": "ITEMS#alice"}, "SK": {"S": "ITEM#1"}}
    assert "Item" not in dynamodb.get_item(TableName=table(runtime), Key=mine)
    theirs = {"PK": {"S": "AUTH#SEND#abc"}, "SK": {"S": "RATE"}}
    error = refused(dynamodb.get_item, TableName=table(runtime), Key=theirs)
    assert error["status"] == 400
    assert error["Code"] == "AccessDeniedException"
    assert error["Message"].startswith(f"User: {principal(runtime, 'items.api')} ")
    # A Query is held to the partition its key condition names.
    error = refused(
        dynamodb.query,
        TableName=table(runtime),
        KeyConditionExpression="PK = :pk",
        ExpressionAttributeValues={":pk": {"S": "AUTH#SEND#abc"}},
    )
    assert error["Code"] == "AccessDeniedException"
    assert "dynamodb:Query" in error["Message"]
    # Scan is not in its manifest.
    assert refused(dynamodb.scan, TableName=table(runtime))["Code"] == "AccessDeniedException"


def test_health_may_describe_the_table_and_nothing_else(runtime: Runtime) -> None:
    dynamodb = client_as(runtime, "health.api", "dynamodb")
    assert dynamodb.describe_table(TableName=table(runtime))["Table"]["TableName"]
    key = {"PK": {"S": "ITEMS#alice"}, "SK": {"S": "ITEM#1"}}
    assert refused(dynamodb.get_item, TableName=table(runtime), Key=key)["status"] == 400


def test_the_auth_api_has_exactly_its_admin_calls(runtime: Runtime) -> None:
    cognito = client_as(runtime, "auth.api", "cognito-idp")
    username = f"gate-{time.time_ns()}@example.com"
    cognito.admin_create_user(
        UserPoolId=pool_id(runtime), Username=username, MessageAction="SUPPRESS"
    )
    error = refused(cognito.admin_disable_user, UserPoolId=pool_id(runtime), Username=username)
    assert error["status"] == 400
    assert error["Code"] == "AccessDeniedException"
    pool_arn = (
        f"arn:aws:cognito-idp:{runtime.emulator.region}:{ACCOUNT_ID}:userpool/{pool_id(runtime)}"
    )
    assert error["Message"] == (
        f"User: {principal(runtime, 'auth.api')} is not authorized to perform: "
        f"cognito-idp:AdminDisableUser on resource: {pool_arn} because no identity-based "
        "policy allows the cognito-idp:AdminDisableUser action"
    )


def test_public_app_client_calls_need_no_permission_and_no_signature(runtime: Runtime) -> None:
    """InitiateAuth is unauthenticated on AWS (botocore sends it unsigned):
    Cognito answers it, not IAM, for any caller."""
    from botocore import UNSIGNED

    authorizer = authorizer_of(runtime)
    unsigned = boto3.client(
        "cognito-idp",
        region_name=runtime.emulator.region,
        endpoint_url=runtime.emulator.url,
        config=Config(signature_version=UNSIGNED, retries={"max_attempts": 1}),
    )
    error = refused(
        unsigned.initiate_auth,
        ClientId=authorizer.audiences[0],
        AuthFlow="USER_PASSWORD_AUTH",
        AuthParameters={"USERNAME": "nobody@example.com", "PASSWORD": "Wrong-password-1"},
    )
    assert error["Code"] != "AccessDeniedException"
    # An operation that needs a signature does not run without one.
    missing = refused(unsigned.admin_delete_user, UserPoolId=pool_id(runtime), Username="x")
    assert missing["Code"] == "MissingAuthenticationTokenException"


def test_the_code_sender_may_text_phones_but_never_publish_to_a_topic(runtime: Runtime) -> None:
    """platform/infra/program/iam.py's SMS grant: Allow sns:Publish on *, Deny on
    arn:aws:sns:*:*:* (an explicit deny, as SNS reports it)."""
    sns = client_as(runtime, "auth.create_auth_challenge", "sns")
    assert sns.publish(PhoneNumber="+15555550142", Message="gate test")["MessageId"]
    topic = f"arn:aws:sns:{runtime.emulator.region}:{ACCOUNT_ID}:anything"
    error = refused(sns.publish, TopicArn=topic, Message="x")
    assert error["status"] == 403
    assert error["Code"] == "AuthorizationError"
    assert error["Message"] == (
        f"User: {principal(runtime, 'auth.create_auth_challenge')} is not authorized to "
        f"perform: SNS:Publish on resource: {topic} with an explicit deny in an "
        "identity-based policy"
    )


def test_the_code_sender_may_send_email_only_from_the_declared_sender(runtime: Runtime) -> None:
    ses = client_as(runtime, "auth.create_auth_challenge", "ses")
    message = {"Subject": {"Data": "s"}, "Body": {"Text": {"Data": "b"}}}
    to = {"ToAddresses": ["someone@example.com"]}
    ses.send_email(Source="no-reply@dev.example.com", Destination=to, Message=message)
    error = refused(ses.send_email, Source="ceo@dev.example.com", Destination=to, Message=message)
    assert error["status"] == 403
    assert error["Code"] == "AccessDenied"
    identity_arn = (
        f"arn:aws:ses:{runtime.emulator.region}:{ACCOUNT_ID}:identity/ceo@dev.example.com"
    )
    assert error["Message"] == (
        f"User `{principal(runtime, 'auth.create_auth_challenge')}' is not authorized to "
        f"perform `ses:SendEmail' on resource `{identity_arn}'"
    )


def test_each_trigger_has_its_own_role_session_and_its_own_permissions(runtime: Runtime) -> None:
    """Cognito invokes each trigger as the function it is: its own role."""
    labels = [
        "auth.pre_sign_up",
        "auth.define_auth_challenge",
        "auth.create_auth_challenge",
        "auth.verify_auth_challenge",
        "auth.custom_message",
    ]
    keys = {identity(runtime, label).access_key for label in labels}
    assert len(keys) == len(labels)

    def count(key: str) -> dict[str, Any]:
        return {
            "TableName": table(runtime),
            "Key": {"PK": {"S": key}, "SK": {"S": "RATE"}},
            "UpdateExpression": "ADD #count :one",
            "ExpressionAttributeNames": {"#count": "count"},
            "ExpressionAttributeValues": {":one": {"N": "1"}},
        }

    sender = client_as(runtime, "auth.create_auth_challenge", "dynamodb")
    sender.update_item(**count("AUTH#SEND#gate"))
    definer = client_as(runtime, "auth.define_auth_challenge", "dynamodb")
    assert refused(definer.update_item, **count("AUTH#SEND#gate"))["status"] == 400
    assert refused(sender.update_item, **count("ITEMS#x"))["status"] == 400
    # Its send counts are updates: it may not write a whole item.
    item = {"PK": {"S": "AUTH#SEND#gate"}, "SK": {"S": "RATE"}}
    assert refused(sender.put_item, TableName=table(runtime), Item=item)["status"] == 400


def test_the_budgets_transaction_is_authorised_item_by_item_under_the_functions_keys(
    runtime: Runtime,
) -> None:
    """auth's send budgets are one TransactWriteItems of updates: IAM checks
    each as dynamodb:UpdateItem with its key as dynamodb:LeadingKeys (DynamoDB
    guide, "Using IAM with DynamoDB transactions"), so the role's AUTH#-only
    grant allows it, and one item under another prefix refuses it whole."""
    api = client_as(runtime, "auth.api", "dynamodb")

    def update(key: str) -> dict[str, Any]:
        return {
            "Update": {
                "TableName": table(runtime),
                "Key": {"PK": {"S": key}, "SK": {"S": "COUNT"}},
                "UpdateExpression": "ADD #count :one",
                "ExpressionAttributeNames": {"#count": "count"},
                "ExpressionAttributeValues": {":one": {"N": "1"}},
            }
        }

    api.transact_write_items(TransactItems=[update("AUTH#SEND#gate"), update("AUTH#SOURCE#gate")])
    outside = [update("AUTH#SEND#gate"), update("ITEMS#gate")]
    assert refused(api.transact_write_items, TransactItems=outside)["status"] == 400


def test_the_runtimes_own_calls_act_as_the_account_administrator(runtime: Runtime) -> None:
    """Calls not signed by a function (the runtime, the tests, your own
    scripts with AWS_ENDPOINT_URL) are not held to any function's role."""
    dynamodb = runtime.emulator.client("dynamodb")
    assert dynamodb.scan(TableName=table(runtime), Limit=1)["ResponseMetadata"]
