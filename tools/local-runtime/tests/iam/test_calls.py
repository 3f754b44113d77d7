"""Reading the API call out of a request, as botocore sends it."""

from __future__ import annotations

import json

import pytest

from local_runtime.iam.calls import needs_signature, read_call

SIGNED = (
    "AWS4-HMAC-SHA256 Credential=ASIAEXAMPLE/20260101/eu-west-1/{service}/aws4_request, "
    "SignedHeaders=host;x-amz-date, Signature=abc"
)


def test_a_json_protocol_call_names_its_signer_service_and_operation() -> None:
    headers = {
        "authorization": SIGNED.format(service="dynamodb"),
        "x-amz-target": "DynamoDB_20120810.GetItem",
    }
    call = read_call(headers, json.dumps({"TableName": "t"}).encode(), "us-east-1")
    assert call is not None
    assert (call.service, call.operation, call.protocol) == ("dynamodb", "GetItem", "json")
    assert (call.access_key, call.region) == ("ASIAEXAMPLE", "eu-west-1")
    assert call.parameters == {"TableName": "t"}


def test_a_query_protocol_call_reads_its_form() -> None:
    headers = {"authorization": SIGNED.format(service="sns")}
    body = b"Action=Publish&Version=2010-03-31&PhoneNumber=%2B15555550100&Message=hi"
    call = read_call(headers, body, "us-east-1")
    assert call is not None
    assert (call.service, call.operation, call.protocol) == ("sns", "Publish", "query")
    assert call.parameters["PhoneNumber"] == "+15555550100"


def test_an_unsigned_call_is_read_from_its_target() -> None:
    headers = {"x-amz-target": "AWSCognitoIdentityProviderService.InitiateAuth"}
    call = read_call(headers, b"{}", "eu-west-1")
    assert call is not None
    assert (call.service, call.operation, call.access_key) == ("cognito-idp", "InitiateAuth", None)


@pytest.mark.parametrize(
    "headers",
    [
        {},  # a pool's JWKS, moto's own pages
        {"authorization": SIGNED.format(service="ses")},  # SES v2: REST, no Action
    ],
)
def test_a_request_naming_no_operation_is_no_call(headers: dict[str, str]) -> None:
    assert read_call(headers, b"", "us-east-1") is None


@pytest.mark.parametrize(
    "operation",
    [
        "InitiateAuth",
        "RespondToAuthChallenge",
        "SignUp",
        "ConfirmSignUp",
        "GlobalSignOut",
        "RevokeToken",
        "GetUser",
    ],
)
def test_cognitos_public_app_client_calls_need_no_signature(operation: str) -> None:
    """botocore's model sends them unsigned (`authtype: none`); Cognito's guide
    lists them as unauthenticated ("signed versus unsigned APIs")."""
    assert not needs_signature("cognito-idp", operation)


@pytest.mark.parametrize(
    ("service", "operation"),
    [("cognito-idp", "AdminCreateUser"), ("dynamodb", "GetItem"), ("sns", "Publish")],
)
def test_every_other_call_needs_one(service: str, operation: str) -> None:
    assert needs_signature(service, operation)
