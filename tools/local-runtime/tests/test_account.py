"""The emulated account refuses what a fresh AWS account refuses, and answers the
account-wide reads `make preflight` makes."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import boto3
import pytest
from botocore.exceptions import ClientError

from local_runtime import model
from local_runtime.account import COGNITO_EMAIL_ROLE, FRESH, SET_UP
from local_runtime.emulator import ACCOUNT_ID
from local_runtime.model import Resource
from local_runtime.runtime import Runtime
from tests.bare_account import bare_account

REGION = "eu-west-1"
SENDER = "no-reply@dev.example.com"
SENDER_ARN = f"arn:aws:ses:{REGION}:{ACCOUNT_ID}:identity/{SENDER}"


@pytest.fixture(scope="module")
def fresh() -> Iterator[str]:
    with bare_account(REGION) as url:
        yield url


def _client(url: str, service: str) -> Any:
    return boto3.client(
        service,
        region_name=REGION,
        endpoint_url=url,
        aws_access_key_id="testing",
        aws_secret_access_key="testing",
    )


def _pool_through(arn: str) -> dict[str, Any]:
    return {
        "PoolName": "p",
        "EmailConfiguration": {
            "EmailSendingAccount": "DEVELOPER",
            "From": SENDER,
            "SourceArn": arn,
        },
    }


def test_a_pool_sending_through_an_unverified_identity_is_refused(fresh: str) -> None:
    # Cognito checks the exact identity SourceArn names before it creates the pool:
    # "Email address is not verified. The following identities failed the check in
    # region ..." (aws/aws-cdk#18964; aws-amplify/amplify-backend#3134).
    cognito = _client(fresh, "cognito-idp")
    with pytest.raises(ClientError) as refused:
        cognito.create_user_pool(**_pool_through(SENDER_ARN))
    error = refused.value.response["Error"]
    assert error["Code"] == "InvalidParameterException"
    assert "Email address is not verified" in error["Message"]
    assert SENDER_ARN in error["Message"]
    assert cognito.list_user_pools(MaxResults=10)["UserPools"] == []


def test_a_verified_domain_does_not_stand_for_the_address_identity_the_pool_names(
    fresh: str,
) -> None:
    # The identity is checked by its exact ARN (aws-amplify/amplify-backend#3134).
    _client(fresh, "ses").verify_domain_identity(Domain="dev.example.com")
    with pytest.raises(ClientError):
        _client(fresh, "cognito-idp").create_user_pool(**_pool_through(SENDER_ARN))


def test_a_pool_sending_through_a_verified_identity_is_created_with_cognitos_email_role(
    fresh: str,
) -> None:
    _client(fresh, "ses").verify_email_identity(EmailAddress=SENDER)
    cognito = _client(fresh, "cognito-idp")
    pool = cognito.create_user_pool(**_pool_through(SENDER_ARN))["UserPool"]
    assert pool["Id"]
    # Cognito creates its e-mail service-linked role for a pool that sends through SES
    # (Amazon Cognito Developer Guide, "Using service-linked roles").
    role = _client(fresh, "iam").get_role(RoleName=COGNITO_EMAIL_ROLE)["Role"]
    assert role["Path"] == "/aws-service-role/email.cognito-idp.amazonaws.com/"


def test_a_pool_with_cognitos_own_sender_needs_no_identity(fresh: str) -> None:
    cognito = _client(fresh, "cognito-idp")
    created = cognito.create_user_pool(
        PoolName="default", EmailConfiguration={"EmailSendingAccount": "COGNITO_DEFAULT"}
    )
    assert created["UserPool"]["Id"]


def test_an_sms_spend_limit_above_a_new_accounts_quota_is_refused(fresh: str) -> None:
    # Every new account's SMS spending quota is $1.00 a month (Amazon SNS Developer
    # Guide, "Requesting increases to your monthly SMS spending quota"), and
    # pulumi-aws does not retry SetSMSAttributes (sms_preferences.go).
    sns = _client(fresh, "sns")
    with pytest.raises(ClientError) as refused:
        sns.set_sms_attributes(attributes={"MonthlySpendLimit": "10"})
    assert refused.value.response["Error"]["Code"] == "InvalidParameter"
    assert "MonthlySpendLimit" in refused.value.response["Error"]["Message"]
    sns.set_sms_attributes(attributes={"MonthlySpendLimit": "1"})
    assert sns.get_sms_attributes(attributes=["MonthlySpendLimit"])["attributes"] == {
        "MonthlySpendLimit": "1"
    }


def test_a_new_account_is_in_both_sandboxes_with_reduced_lambda_concurrency(
    fresh: str,
) -> None:
    assert _client(fresh, "sns").get_sms_sandbox_account_status()["IsInSandbox"] is True
    assert _client(fresh, "sns").list_origination_numbers()["PhoneNumbers"] == []
    assert _client(fresh, "sesv2").get_account()["ProductionAccessEnabled"] is False
    limit = _client(fresh, "lambda").get_account_settings()["AccountLimit"]
    assert limit["ConcurrentExecutions"] == FRESH.lambda_concurrency


def test_make_devs_account_has_its_setup_done(runtime: Runtime) -> None:
    url = runtime.emulator.url
    sns = _client(url, "sns")
    assert sns.get_sms_attributes()["attributes"]["MonthlySpendLimit"] == "1"
    countries = {n["Iso2CountryCode"] for n in sns.list_origination_numbers()["PhoneNumbers"]}
    assert countries == {n.country for n in SET_UP.origination_numbers} == {"US", "CA"}
    limit = _client(url, "lambda").get_account_settings()["AccountLimit"]
    assert limit["ConcurrentExecutions"] == SET_UP.lambda_concurrency


def test_make_dev_creates_the_pool_after_the_identity_it_sends_through(runtime: Runtime) -> None:
    """The program names the identity by reference, so the emulator (refusing a pool whose
    identity is not verified) creates the identity first and the pool is there."""
    cognito = _client(runtime.emulator.url, "cognito-idp")
    (pool,) = cognito.list_user_pools(MaxResults=10)["UserPools"]
    email = cognito.describe_user_pool(UserPoolId=pool["Id"])["UserPool"]["EmailConfiguration"]
    assert email["EmailSendingAccount"] == "DEVELOPER"
    assert email["SourceArn"].endswith(":identity/no-reply@dev.example.com")


def test_a_program_declaring_an_sms_spend_limit_above_the_quota_is_refused_at_start(
    runtime: Runtime,
) -> None:
    """As `pulumi up` would fail on a new account (sms_preferences.go does not retry)."""
    declared = Resource(
        "aws:sns/smsPreferences:SmsPreferences",
        "sms-preferences",
        "aws_sns_sms_id",
        {"monthlySpendLimit": 10.0, "defaultSmsType": "Transactional"},
        {},
    )

    created = runtime.emulator.create([declared], (model.SMS_PREFERENCES,))

    (refused,) = created.settings_not_applied
    assert refused.startswith("sms-preferences: NOT CREATED")
    assert "InvalidParameter" in refused
    sns = _client(runtime.emulator.url, "sns")
    assert sns.get_sms_attributes()["attributes"]["MonthlySpendLimit"] == "1"
