"""The user pool and its app client; the Cognito triggers of the services."""

from __future__ import annotations

from pathlib import Path

import pytest

from infra.offline.declared import DeclaredStack, declare_stack
from infra.program.components.identity import auth_session_minutes
from infra.program.stack_files import stack_file
from service_manifest import Manifest


def test_users_sign_in_with_email_or_phone(declared: DeclaredStack) -> None:
    pool = declared.one("aws:cognito/userPool:UserPool").inputs

    assert pool["usernameAttributes"] == ["email", "phone_number"]
    assert pool["name"] == f"serverless-backend-{declared.stack}"


def test_the_password_policy_comes_from_config(declared: DeclaredStack) -> None:
    policy = declared.one("aws:cognito/userPool:UserPool").inputs["passwordPolicy"]
    settings = declared.config.user_pool

    assert policy["minimumLength"] == settings.password_minimum_length
    assert policy["requireSymbols"] is settings.password_require_symbols
    assert policy["requireNumbers"] is settings.password_require_numbers


def test_the_app_client_is_confidential_and_has_the_three_flows(declared: DeclaredStack) -> None:
    client = declared.one("aws:cognito/userPoolClient:UserPoolClient").inputs
    settings = declared.config.user_pool

    # Cognito refuses its calls without SECRET_HASH (issue 18; infra.operations.client_secret).
    assert client["generateSecret"] is True
    assert sorted(client["explicitAuthFlows"]) == [
        "ALLOW_CUSTOM_AUTH",
        "ALLOW_REFRESH_TOKEN_AUTH",
        "ALLOW_USER_PASSWORD_AUTH",
    ]
    assert client["preventUserExistenceErrors"] == "ENABLED"
    assert client["enableTokenRevocation"] is True
    assert client["accessTokenValidity"] == settings.access_token_validity_minutes
    assert client["idTokenValidity"] == settings.id_token_validity_minutes
    assert client["refreshTokenValidity"] == settings.refresh_token_validity_days
    assert client["tokenValidityUnits"] == {
        "accessToken": "minutes",
        "idToken": "minutes",
        "refreshToken": "days",
    }


def test_the_services_triggers_are_wired_into_the_pool(
    sample: DeclaredStack, sample_manifests: tuple[Manifest, ...]
) -> None:
    lambda_config = sample.one("aws:cognito/userPool:UserPool").inputs["lambdaConfig"]
    suffix = ":live" if sample.config.functions.snap_start else ""

    assert lambda_config == {
        "defineAuthChallenge": sample.function("sample-auth", "define_auth").outputs["arn"]
        + suffix,
        "createAuthChallenge": sample.function("sample-auth", "create_auth").outputs["arn"]
        + suffix,
    }


def test_only_cognito_of_this_pool_may_invoke_a_trigger(sample: DeclaredStack) -> None:
    pool = sample.one("aws:cognito/userPool:UserPool")
    cognito = [
        permission.inputs
        for permission in sample.of_type("aws:lambda/permission:Permission")
        if permission.inputs["principal"] == "cognito-idp.amazonaws.com"
    ]

    assert sorted(permission["function"] for permission in cognito) == [
        f"serverless-backend-{sample.stack}-sample-auth-create-auth",
        f"serverless-backend-{sample.stack}-sample-auth-define-auth",
    ]
    for permission in cognito:
        assert permission["sourceArn"] == pool.outputs["arn"]
        assert permission["action"] == "lambda:InvokeFunction"


def test_a_pool_without_triggers_has_no_lambda_config(declared: DeclaredStack) -> None:
    pool = declared.one("aws:cognito/userPool:UserPool").inputs
    manifests_have_triggers = any(
        resource.inputs["principal"] == "cognito-idp.amazonaws.com"
        for resource in declared.of_type("aws:lambda/permission:Permission")
    )

    assert ("lambdaConfig" in pool) is manifests_have_triggers


@pytest.mark.parametrize(
    ("otp_ttl_seconds", "minutes"), [(60, 3), (180, 3), (300, 5), (301, 6), (900, 15)]
)
def test_the_auth_session_lives_as_long_as_the_code(otp_ttl_seconds: int, minutes: int) -> None:
    """Cognito's default session is 3 minutes: with 5-minute codes, a code
    entered after 3 minutes was `session_expired` (issue 10, item 6)."""
    assert auth_session_minutes(otp_ttl_seconds) == minutes


def test_the_client_session_follows_the_stacks_code_ttl(declared: DeclaredStack) -> None:
    client = declared.one("aws:cognito/userPoolClient:UserPoolClient").inputs
    assert client["authSessionValidity"] == auth_session_minutes(
        declared.config.auth.otp_ttl_seconds
    )
    assert client["authSessionValidity"] * 60 >= declared.config.auth.otp_ttl_seconds


def test_clients_may_write_only_an_email_that_counts_once_verified(
    declared: DeclaredStack,
) -> None:
    client = declared.one("aws:cognito/userPoolClient:UserPoolClient").inputs
    pool = declared.one("aws:cognito/userPool:UserPool").inputs
    assert client["writeAttributes"] == ["email"]  # never phone_number
    update = pool["userAttributeUpdateSettings"]["attributesRequireVerificationBeforeUpdates"]
    assert update == ["email"]
    # Cognito requires such an attribute to be auto-verified.
    assert set(update) <= set(pool["autoVerifiedAttributes"])


def test_cognitos_own_email_goes_through_ses_from_the_declared_sender(
    declared: DeclaredStack,
) -> None:
    """Through the identity the stack declares, named by its ARN output: the pool waits
    for it (Cognito refuses a pool whose identity is not verified, aws/aws-cdk#18964, and
    checks that exact identity, aws-amplify/amplify-backend#3134)."""
    pool = declared.one("aws:cognito/userPool:UserPool")
    email = pool.inputs["emailConfiguration"]
    sender = declared.config.auth.email_sender
    identity = declared.one("aws:sesv2/emailIdentity:EmailIdentity")
    assert declared.config.user_pool.email_sender == "ses"
    assert email["emailSendingAccount"] == "DEVELOPER"
    assert email["fromEmailAddress"] == sender
    assert email["sourceArn"] == identity.outputs["arn"]
    assert identity.inputs["emailIdentity"] == declared.config.auth.sending_identity
    assert identity.urn in pool.dependencies


def test_until_its_identity_is_verified_a_pool_may_keep_cognitos_sender(tmp_path: Path) -> None:
    config = tmp_path / "Pulumi.dev.yaml"
    config.write_text(
        stack_file("dev").read_text().replace("emailSender: ses", "emailSender: cognito")
    )

    declared = declare_stack("dev", config_file=config, version="v")

    email = declared.one("aws:cognito/userPool:UserPool").inputs["emailConfiguration"]
    assert email == {"emailSendingAccount": "COGNITO_DEFAULT"}
    # The identity is still declared: SES mails its link, and the auth service sends
    # its codes through it.
    assert declared.one("aws:sesv2/emailIdentity:EmailIdentity").inputs["emailIdentity"]
