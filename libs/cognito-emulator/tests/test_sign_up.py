"""Pre sign-up on SignUp and AdminCreateUser, sign-up codes, password policy."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest
from botocore.exceptions import ClientError

from cognito_emulator import sign_up_code
from cognito_emulator.testing import InProcessInvoker


def auto_confirm(event: dict[str, Any], _: Any) -> dict[str, Any]:
    event["response"].update({"autoConfirmUser": True, "autoVerifyEmail": True})
    return event


def attributes(pool: Any, username: str) -> dict[str, str]:
    user = pool.cognito.admin_get_user(UserPoolId=pool.pool_id, Username=username)
    return {a["Name"]: a["Value"] for a in user["UserAttributes"]}


def test_sign_up_sends_the_pre_sign_up_event(pool: Any, lambdas: InProcessInvoker) -> None:
    result = pool.sign_up(
        "ada@example.com",
        ValidationData=[{"Name": "origin", "Value": "web"}],
        ClientMetadata={"flow": "password"},
    )
    (event,) = lambdas.events("PreSignUp")
    assert event["triggerSource"] == "PreSignUp_SignUp"
    assert event["version"] == "1"
    assert event["userName"] == result["UserSub"]
    assert event["callerContext"]["clientId"] == pool.client_id
    assert event["request"]["userAttributes"]["email"] == "ada@example.com"
    assert event["request"]["validationData"] == {"origin": "web"}
    assert event["request"]["clientMetadata"] == {"flow": "password"}
    assert event["response"] == {
        "autoConfirmUser": False,
        "autoVerifyEmail": False,
        "autoVerifyPhone": False,
    }


def test_auto_confirm_and_auto_verify_are_honoured(
    pool: Any, lambdas: InProcessInvoker, arn: Callable[[str], str]
) -> None:
    lambdas.handlers[arn("PreSignUp")] = auto_confirm
    result = pool.sign_up("ada@example.com")
    assert result["UserConfirmed"] is True
    assert attributes(pool, "ada@example.com")["email_verified"] == "true"
    assert sign_up_code(pool.pool_id, result["UserSub"]) is None


def test_an_unconfirmed_user_confirms_with_the_code_cognito_sent(pool: Any) -> None:
    result = pool.sign_up("ada@example.com")
    assert result["UserConfirmed"] is False
    code = sign_up_code(pool.pool_id, result["UserSub"])
    assert code is not None
    assert len(code) == 6
    pool.cognito.confirm_sign_up(
        ClientId=pool.client_id, Username="ada@example.com", ConfirmationCode=code
    )
    user = pool.cognito.admin_get_user(UserPoolId=pool.pool_id, Username="ada@example.com")
    assert user["UserStatus"] == "CONFIRMED"


def test_a_wrong_confirmation_code_is_a_code_mismatch(pool: Any) -> None:
    result = pool.sign_up("ada@example.com")
    wrong = "000000" if sign_up_code(pool.pool_id, result["UserSub"]) != "000000" else "111111"
    with pytest.raises(ClientError) as mismatch:
        pool.cognito.confirm_sign_up(
            ClientId=pool.client_id, Username="ada@example.com", ConfirmationCode=wrong
        )
    assert mismatch.value.response["Error"]["Code"] == "CodeMismatchException"


def test_confirming_a_confirmed_user_is_not_authorized(
    pool: Any, lambdas: InProcessInvoker, arn: Callable[[str], str]
) -> None:
    lambdas.handlers[arn("PreSignUp")] = auto_confirm
    pool.sign_up("ada@example.com")
    with pytest.raises(ClientError) as refused:
        pool.cognito.confirm_sign_up(
            ClientId=pool.client_id, Username="ada@example.com", ConfirmationCode="123456"
        )
    assert refused.value.response["Error"]["Code"] == "NotAuthorizedException"


def test_a_failing_pre_sign_up_leaves_no_user(
    pool: Any, lambdas: InProcessInvoker, arn: Callable[[str], str]
) -> None:
    def deny(event: dict[str, Any], _: Any) -> dict[str, Any]:
        raise ValueError("domain not allowed")

    lambdas.handlers[arn("PreSignUp")] = deny
    with pytest.raises(ClientError) as denied:
        pool.sign_up("ada@example.com")
    assert denied.value.response["Error"]["Code"] == "UserLambdaValidationException"
    assert denied.value.response["Error"]["Message"] == (
        "PreSignUp failed with error domain not allowed."
    )
    assert pool.cognito.list_users(UserPoolId=pool.pool_id)["Users"] == []


def test_verifying_an_attribute_the_user_lacks_is_an_invalid_response(
    pool: Any, lambdas: InProcessInvoker, arn: Callable[[str], str]
) -> None:
    def verify_phone(event: dict[str, Any], _: Any) -> dict[str, Any]:
        event["response"]["autoVerifyPhone"] = True
        return event

    lambdas.handlers[arn("PreSignUp")] = verify_phone
    with pytest.raises(ClientError) as invalid:
        pool.sign_up("ada@example.com")
    assert invalid.value.response["Error"]["Code"] == "InvalidLambdaResponseException"
    assert pool.cognito.list_users(UserPoolId=pool.pool_id)["Users"] == []


def test_admin_create_user_runs_pre_sign_up_with_its_own_source(
    pool: Any, lambdas: InProcessInvoker, arn: Callable[[str], str]
) -> None:
    def verify_phone(event: dict[str, Any], _: Any) -> dict[str, Any]:
        event["response"].update({"autoConfirmUser": True, "autoVerifyPhone": True})
        return event

    lambdas.handlers[arn("PreSignUp")] = verify_phone
    user = pool.cognito.admin_create_user(
        UserPoolId=pool.pool_id,
        Username="+15550100002",
        MessageAction="SUPPRESS",
        ClientMetadata={"by": "admin"},
    )["User"]
    (event,) = lambdas.events("PreSignUp")
    assert event["triggerSource"] == "PreSignUp_AdminCreateUser"
    assert event["userName"] == user["Username"]
    assert event["callerContext"]["clientId"] == "CLIENT_ID_NOT_APPLICABLE"
    assert event["request"]["userAttributes"]["phone_number"] == "+15550100002"
    assert event["request"]["clientMetadata"] == {"by": "admin"}
    assert user["UserStatus"] == "FORCE_CHANGE_PASSWORD"
    assert attributes(pool, "+15550100002")["phone_number_verified"] == "true"


ADMIN_SET = "Adm1nSet-password"


def admin_created(pool: Any, username: str) -> None:
    pool.cognito.admin_create_user(
        UserPoolId=pool.pool_id,
        Username=username,
        UserAttributes=[{"Name": "email", "Value": username}],
        MessageAction="SUPPRESS",
    )


def status(pool: Any, username: str) -> str:
    user = pool.cognito.admin_get_user(UserPoolId=pool.pool_id, Username=username)
    return str(user["UserStatus"])


def test_a_permanent_admin_password_confirms_the_user_without_a_code(
    pool: Any, lambdas: InProcessInvoker
) -> None:
    admin_created(pool, "ada@example.com")
    pool.cognito.admin_set_user_password(
        UserPoolId=pool.pool_id, Username="ada@example.com", Password=ADMIN_SET, Permanent=True
    )
    assert status(pool, "ada@example.com") == "CONFIRMED"
    # Setting a password runs no trigger; the user can now sign in either way.
    assert lambdas.sources() == ["PreSignUp_AdminCreateUser"]
    started = pool.cognito.initiate_auth(
        ClientId=pool.client_id,
        AuthFlow="CUSTOM_AUTH",
        AuthParameters={"USERNAME": "ada@example.com"},
    )
    assert started["ChallengeName"] == "CUSTOM_CHALLENGE"
    signed_in = pool.cognito.initiate_auth(
        ClientId=pool.client_id,
        AuthFlow="USER_PASSWORD_AUTH",
        AuthParameters={"USERNAME": "ada@example.com", "PASSWORD": ADMIN_SET},
    )
    assert "AccessToken" in signed_in["AuthenticationResult"]


def test_a_temporary_admin_password_forces_a_change(pool: Any) -> None:
    admin_created(pool, "ada@example.com")
    pool.cognito.admin_set_user_password(
        UserPoolId=pool.pool_id, Username="ada@example.com", Password=ADMIN_SET, Permanent=False
    )
    assert status(pool, "ada@example.com") == "FORCE_CHANGE_PASSWORD"


def test_an_admin_password_follows_the_pool_policy(pool: Any) -> None:
    admin_created(pool, "ada@example.com")
    with pytest.raises(ClientError) as weak:
        pool.cognito.admin_set_user_password(
            UserPoolId=pool.pool_id, Username="ada@example.com", Password="weak", Permanent=True
        )
    assert weak.value.response["Error"]["Code"] == "InvalidPasswordException"
    assert weak.value.response["Error"]["Message"] == (
        "Password did not conform with policy: Password not long enough"
    )
    assert status(pool, "ada@example.com") == "FORCE_CHANGE_PASSWORD"


def test_admin_create_user_refuses_an_existing_user(pool: Any) -> None:
    pool.sign_up("ada@example.com")
    with pytest.raises(ClientError) as exists:
        admin_created(pool, "ada@example.com")
    assert exists.value.response["Error"]["Code"] == "UsernameExistsException"
    assert status(pool, "ada@example.com") == "UNCONFIRMED"


@pytest.mark.parametrize(
    ("password", "rule"),
    [
        ("Sh0rt", "Password not long enough"),
        ("NOLOWER123", "Password must have lowercase characters"),
        ("noupper123", "Password must have uppercase characters"),
        ("NoNumbersHere", "Password must have numeric characters"),
    ],
)
def test_a_weak_password_names_the_rule_it_broke(pool: Any, password: str, rule: str) -> None:
    with pytest.raises(ClientError) as weak:
        pool.sign_up("ada@example.com", password)
    assert weak.value.response["Error"]["Code"] == "InvalidPasswordException"
    assert weak.value.response["Error"]["Message"] == (
        f"Password did not conform with policy: {rule}"
    )


def test_a_user_sent_no_code_confirms_with_none(pool: Any) -> None:
    """The pool auto-verifies e-mail only, so a phone sign-up is sent no code,
    and ConfirmSignUp takes only a code that was sent (ConfirmSignUp API
    reference); moto alone took any code when none had been issued."""
    result = pool.sign_up("+15550100002")
    assert sign_up_code(pool.pool_id, result["UserSub"]) is None
    with pytest.raises(ClientError) as mismatch:
        pool.cognito.confirm_sign_up(
            ClientId=pool.client_id, Username="+15550100002", ConfirmationCode="123456"
        )
    assert mismatch.value.response["Error"]["Code"] == "CodeMismatchException"
    assert status(pool, "+15550100002") == "UNCONFIRMED"
