"""Every message Cognito sends itself goes through the pool's CustomMessage
trigger first, and a trigger that fails stops it.

Cognito's developer guide, "Custom message Lambda trigger"
(https://docs.aws.amazon.com/cognito/latest/developerguide/user-pool-lambda-custom-message.html):
Cognito invokes the function before it sends a sign-up, resend, forgot
password, attribute verification, attribute update or invitation message,
with the trigger sources CustomMessage_SignUp, _ResendCode, _ForgotPassword,
_VerifyUserAttribute, _UpdateUserAttribute and _AdminCreateUser, the
placeholders codeParameter "{####}", linkParameter and usernameParameter
(AdminCreateUser only), and the call's ClientMetadata; the function returns
smsMessage, emailMessage and emailSubject, or leaves them for Cognito's own."""

from __future__ import annotations

from collections.abc import Callable
from functools import partial
from typing import Any

import pytest
from botocore.exceptions import ClientError

from cognito_emulator import sent_messages, sign_up_code, uninstall_triggers
from cognito_emulator.testing import InProcessInvoker

EMAIL = "ada@example.com"
PHONE = "+15550100002"
PASSWORD = "Passw0rd!"
NOT_VOUCHED = "CustomMessage failed with error not vouched for by the API."


def worded(event: dict[str, Any], _: Any) -> dict[str, Any]:
    """A trigger that words every message, keeping the code's placeholder."""
    code = event["request"]["codeParameter"]
    event["response"].update(
        {
            "emailSubject": "Your app code",
            "emailMessage": f"Hello, your app code is {code}",
            "smsMessage": f"App code {code}",
        }
    )
    return event


def refusing(event: dict[str, Any], _: Any) -> dict[str, Any]:
    raise ValueError("not vouched for by the API")


def without_the_code(event: dict[str, Any], _: Any) -> dict[str, Any]:
    event["response"]["emailMessage"] = "Welcome!"
    return event


@pytest.fixture
def custom_message(lambdas: InProcessInvoker, arn: Callable[[str], str]) -> Callable[[Any], None]:
    """custom_message(handler): the pool's CustomMessage function from now on."""

    def use(handler: Any) -> None:
        lambdas.handlers[arn("CustomMessage")] = handler

    return use


def refused(call: Callable[[], Any]) -> dict[str, str]:
    with pytest.raises(ClientError) as error:
        call()
    return dict(error.value.response["Error"])


def status(pool: Any, username: str) -> str:
    user = pool.cognito.admin_get_user(UserPoolId=pool.pool_id, Username=username)
    return str(user["UserStatus"])


def attributes(pool: Any, username: str) -> dict[str, str]:
    user = pool.cognito.admin_get_user(UserPoolId=pool.pool_id, Username=username)
    return {a["Name"]: a["Value"] for a in user["UserAttributes"]}


def signed_in(pool: Any, username: str = EMAIL) -> str:
    """A confirmed user's access token (password sign-in)."""
    pool.confirmed_user(username)
    tokens = pool.cognito.initiate_auth(
        ClientId=pool.client_id,
        AuthFlow="USER_PASSWORD_AUTH",
        AuthParameters={"USERNAME": username, "PASSWORD": PASSWORD},
    )
    return str(tokens["AuthenticationResult"]["AccessToken"])


SELF_SERVICE = {"RecoveryMechanisms": [{"Name": "verified_email", "Priority": 1}]}


@pytest.fixture
def recovering(make_pool: Callable[..., Any]) -> Any:
    """A pool with recovery by verified e-mail, and a confirmed user whose
    e-mail is verified."""
    made = make_pool(pool_options={"AccountRecoverySetting": SELF_SERVICE})
    made.confirmed_user(EMAIL)
    made.cognito.admin_update_user_attributes(
        UserPoolId=made.pool_id,
        Username=EMAIL,
        UserAttributes=[{"Name": "email_verified", "Value": "true"}],
    )
    return made


# SignUp


def test_sign_up_sends_its_code_through_custom_message(
    pool: Any, lambdas: InProcessInvoker, custom_message: Callable[[Any], None]
) -> None:
    """The event is Cognito's (developer guide, "Custom message Lambda
    trigger"), with SignUp's ClientMetadata (SignUp API reference,
    ClientMetadata: passed to pre sign-up, custom message and post
    confirmation), and the message sent is the trigger's, code in place."""
    custom_message(worded)
    result = pool.sign_up(EMAIL, ClientMetadata={"ticket": "t-1"})
    (event,) = lambdas.events("CustomMessage")
    assert event["triggerSource"] == "CustomMessage_SignUp"
    assert event["version"] == "1"
    assert event["region"] == "us-east-1"
    assert event["userPoolId"] == pool.pool_id
    assert event["userName"] == result["UserSub"]
    assert event["callerContext"]["clientId"] == pool.client_id
    assert "awsSdkVersion" in event["callerContext"]
    request = event["request"]
    assert request["userAttributes"]["sub"] == result["UserSub"]
    assert request["userAttributes"]["email"] == EMAIL
    assert request["userAttributes"]["cognito:user_status"] == "UNCONFIRMED"
    assert request["codeParameter"] == "{####}"
    assert request["linkParameter"] == "{##Click Here##}"
    assert request["usernameParameter"] is None
    assert request["clientMetadata"] == {"ticket": "t-1"}
    assert event["response"] == {"smsMessage": None, "emailMessage": None, "emailSubject": None}

    (message,) = sent_messages(pool.pool_id)
    code = sign_up_code(pool.pool_id, result["UserSub"])
    assert (message.trigger_source, message.channel, message.destination) == (
        "CustomMessage_SignUp",
        "email",
        EMAIL,
    )
    assert (message.user_sub, message.code) == (result["UserSub"], code)
    assert message.subject == "Your app code"
    assert message.body == f"Hello, your app code is {code}"
    assert result["CodeDeliveryDetails"] == {
        "Destination": "a***@e***",
        "DeliveryMedium": "EMAIL",
        "AttributeName": "email",
    }


def test_a_failing_custom_message_fails_sign_up_but_the_user_stays_unconfirmed(
    pool: Any, custom_message: Callable[[Any], None]
) -> None:
    """Cognito creates the user, then invokes the trigger "before sending"
    (developer guide, "Custom message Lambda trigger"): apps treat
    "CustomMessage failed with error …" from SignUp as a sign-up that was
    recorded (a public report named in issue 18's brief; we found no thread
    to link). No code was issued, so none confirms the user."""
    custom_message(refusing)
    error = refused(lambda: pool.sign_up(EMAIL))
    assert (error["Code"], error["Message"]) == ("UserLambdaValidationException", NOT_VOUCHED)
    assert status(pool, EMAIL) == "UNCONFIRMED"
    sub = attributes(pool, EMAIL)["sub"]
    assert sign_up_code(pool.pool_id, sub) is None
    assert sent_messages(pool.pool_id) == []
    mismatch = refused(
        lambda: pool.cognito.confirm_sign_up(
            ClientId=pool.client_id, Username=EMAIL, ConfirmationCode="123456"
        )
    )
    assert mismatch["Code"] == "CodeMismatchException"


def test_a_message_without_the_code_is_refused_and_not_sent(
    pool: Any, custom_message: Callable[[Any], None]
) -> None:
    """amazon-archives/amazon-cognito-identity-js#99: a trigger's emailMessage
    without {####} is InvalidParameterException on the emailBody pattern."""
    custom_message(without_the_code)
    error = refused(lambda: pool.sign_up(EMAIL))
    assert error["Code"] == "InvalidParameterException"
    assert "at 'emailBody' failed to satisfy constraint" in error["Message"]
    assert sent_messages(pool.pool_id) == []


def test_a_trigger_that_sets_no_text_sends_cognitos_own(pool: Any) -> None:
    """Developer guide, "Custom message Lambda trigger": a response left
    unset means Cognito's default message."""
    result = pool.sign_up(EMAIL)
    (message,) = sent_messages(pool.pool_id)
    code = sign_up_code(pool.pool_id, result["UserSub"])
    assert message.subject == "Your verification code"
    assert message.body == f"Your verification code is {code}."


def test_an_auto_confirmed_user_is_sent_nothing(
    pool: Any, lambdas: InProcessInvoker, arn: Callable[[str], str]
) -> None:
    """SignUp API reference: a confirmed user needs no confirmation code."""

    def auto_confirm(event: dict[str, Any], _: Any) -> dict[str, Any]:
        event["response"]["autoConfirmUser"] = True
        return event

    lambdas.handlers[arn("PreSignUp")] = auto_confirm
    result = pool.sign_up(EMAIL)
    assert result["UserConfirmed"] is True
    assert "CodeDeliveryDetails" not in result
    assert lambdas.events("CustomMessage") == []
    assert sent_messages(pool.pool_id) == []


def test_a_sign_up_with_no_auto_verified_channel_is_sent_nothing(
    pool: Any, lambdas: InProcessInvoker
) -> None:
    """The pool auto-verifies e-mail only (AutoVerifiedAttributes): a phone
    sign-up gets no code (developer guide, "Verifying contact information at
    sign-up": Cognito sends codes to the attributes it auto-verifies)."""
    result = pool.sign_up(PHONE)
    assert result["UserConfirmed"] is False
    assert "CodeDeliveryDetails" not in result
    assert lambdas.events("CustomMessage") == []
    assert sign_up_code(pool.pool_id, result["UserSub"]) is None


# ResendConfirmationCode


def test_resend_sends_a_new_code_through_custom_message(
    pool: Any, lambdas: InProcessInvoker, custom_message: Callable[[Any], None]
) -> None:
    """ResendConfirmationCode API reference: a new code, with the call's
    ClientMetadata to the custom message trigger (CustomMessage_ResendCode)."""
    result = pool.sign_up(EMAIL)
    first = sign_up_code(pool.pool_id, result["UserSub"])
    custom_message(worded)
    resent = pool.cognito.resend_confirmation_code(
        ClientId=pool.client_id, Username=EMAIL, ClientMetadata={"ticket": "t-2"}
    )
    event = lambdas.events("CustomMessage")[-1]
    assert event["triggerSource"] == "CustomMessage_ResendCode"
    assert event["request"]["clientMetadata"] == {"ticket": "t-2"}
    message = sent_messages(pool.pool_id)[-1]
    assert message.trigger_source == "CustomMessage_ResendCode"
    assert message.code == sign_up_code(pool.pool_id, result["UserSub"])
    assert resent["CodeDeliveryDetails"]["DeliveryMedium"] == "EMAIL"
    if first != message.code:
        stale = refused(
            lambda: pool.cognito.confirm_sign_up(
                ClientId=pool.client_id, Username=EMAIL, ConfirmationCode=first
            )
        )
        assert stale["Code"] == "CodeMismatchException"
    pool.cognito.confirm_sign_up(
        ClientId=pool.client_id, Username=EMAIL, ConfirmationCode=message.code
    )
    assert status(pool, EMAIL) == "CONFIRMED"


def test_a_failing_custom_message_fails_resend_and_sends_nothing(
    pool: Any, custom_message: Callable[[Any], None]
) -> None:
    result = pool.sign_up(EMAIL)
    first = sign_up_code(pool.pool_id, result["UserSub"])
    custom_message(refusing)
    error = refused(
        lambda: pool.cognito.resend_confirmation_code(ClientId=pool.client_id, Username=EMAIL)
    )
    assert (error["Code"], error["Message"]) == ("UserLambdaValidationException", NOT_VOUCHED)
    assert len(sent_messages(pool.pool_id)) == 1
    assert sign_up_code(pool.pool_id, result["UserSub"]) == first


def test_resend_to_a_confirmed_user_is_refused(pool: Any, lambdas: InProcessInvoker) -> None:
    """Cognito answers InvalidParameterException "User is already confirmed."."""
    pool.confirmed_user(EMAIL)
    calls = len(lambdas.events("CustomMessage"))
    error = refused(
        lambda: pool.cognito.resend_confirmation_code(ClientId=pool.client_id, Username=EMAIL)
    )
    assert (error["Code"], error["Message"]) == (
        "InvalidParameterException",
        "User is already confirmed.",
    )
    assert len(lambdas.events("CustomMessage")) == calls


def test_resend_to_an_unknown_user_is_simulated_without_a_trigger(
    pool: Any, lambdas: InProcessInvoker
) -> None:
    """Developer guide, "Managing user existence error responses": with
    PreventUserExistenceErrors ENABLED, confirmation APIs answer a code sent
    to a simulated delivery medium; nothing runs, nothing is sent."""
    resent = pool.cognito.resend_confirmation_code(
        ClientId=pool.client_id, Username="nobody@example.com"
    )
    assert resent["CodeDeliveryDetails"] == {
        "Destination": "n***@e***",
        "DeliveryMedium": "EMAIL",
        "AttributeName": "email",
    }
    assert lambdas.calls == []
    assert sent_messages(pool.pool_id) == []


def test_resend_to_an_unknown_user_without_prevention_is_user_not_found(
    make_pool: Callable[..., Any],
) -> None:
    legacy = make_pool(PreventUserExistenceErrors="LEGACY")
    error = refused(
        lambda: legacy.cognito.resend_confirmation_code(
            ClientId=legacy.client_id, Username="nobody@example.com"
        )
    )
    assert error["Code"] == "UserNotFoundException"


# ForgotPassword


def test_forgot_password_is_refused_where_recovery_is_admin_only(
    pool: Any, lambdas: InProcessInvoker
) -> None:
    """ForgotPassword API reference: the pool must have self-service account
    recovery options in AccountRecoverySettingType. The exact wording is our
    best reading of Cognito's; the refusal is what matters: no trigger runs
    and nothing is sent, for a known user or an unknown one."""
    pool.confirmed_user(EMAIL)
    calls = len(lambdas.calls)
    sent = len(sent_messages(pool.pool_id))
    for username in (EMAIL, "nobody@example.com"):
        error = refused(
            partial(pool.cognito.forgot_password, ClientId=pool.client_id, Username=username)
        )
        assert (error["Code"], error["Message"]) == (
            "NotAuthorizedException",
            "User password cannot be reset in the current state.",
        )
    assert len(lambdas.calls) == calls
    assert len(sent_messages(pool.pool_id)) == sent


def test_forgot_password_sends_its_code_through_custom_message(
    recovering: Any, lambdas: InProcessInvoker, custom_message: Callable[[Any], None]
) -> None:
    """Where recovery is self-service (verified_email), the code goes through
    CustomMessage_ForgotPassword to the verified e-mail, and only that code
    resets the password (ConfirmForgotPassword API reference)."""
    pool = recovering
    custom_message(worded)
    answer = pool.cognito.forgot_password(
        ClientId=pool.client_id, Username=EMAIL, ClientMetadata={"ticket": "t-3"}
    )
    event = lambdas.events("CustomMessage")[-1]
    assert event["triggerSource"] == "CustomMessage_ForgotPassword"
    assert event["request"]["clientMetadata"] == {"ticket": "t-3"}
    message = sent_messages(pool.pool_id)[-1]
    assert (message.trigger_source, message.destination) == ("CustomMessage_ForgotPassword", EMAIL)
    assert answer["CodeDeliveryDetails"]["DeliveryMedium"] == "EMAIL"
    wrong = "000000" if message.code != "000000" else "111111"
    confirm = pool.cognito.confirm_forgot_password
    mismatch = refused(
        lambda: confirm(
            ClientId=pool.client_id, Username=EMAIL, ConfirmationCode=wrong, Password="N3wPassw0rd"
        )
    )
    assert mismatch["Code"] == "CodeMismatchException"
    confirm(
        ClientId=pool.client_id,
        Username=EMAIL,
        ConfirmationCode=message.code,
        Password="N3wPassw0rd",
    )


def test_a_failing_custom_message_fails_forgot_password(
    recovering: Any, custom_message: Callable[[Any], None]
) -> None:
    pool = recovering
    sent = len(sent_messages(pool.pool_id))
    custom_message(refusing)
    error = refused(lambda: pool.cognito.forgot_password(ClientId=pool.client_id, Username=EMAIL))
    assert (error["Code"], error["Message"]) == ("UserLambdaValidationException", NOT_VOUCHED)
    assert len(sent_messages(pool.pool_id)) == sent


# GetUserAttributeVerificationCode


def test_an_attribute_verification_code_goes_through_custom_message(
    pool: Any, lambdas: InProcessInvoker, custom_message: Callable[[Any], None]
) -> None:
    """GetUserAttributeVerificationCode API reference: the code goes to the
    attribute, through CustomMessage_VerifyUserAttribute; VerifyUserAttribute
    with it marks the attribute verified."""
    token = signed_in(pool)
    custom_message(worded)
    answer = pool.cognito.get_user_attribute_verification_code(
        AccessToken=token, AttributeName="email", ClientMetadata={"ticket": "t-4"}
    )
    event = lambdas.events("CustomMessage")[-1]
    assert event["triggerSource"] == "CustomMessage_VerifyUserAttribute"
    assert event["request"]["clientMetadata"] == {"ticket": "t-4"}
    message = sent_messages(pool.pool_id)[-1]
    assert (message.destination, message.body) == (EMAIL, f"Hello, your app code is {message.code}")
    assert answer["CodeDeliveryDetails"]["AttributeName"] == "email"
    pool.cognito.verify_user_attribute(AccessToken=token, AttributeName="email", Code=message.code)
    assert attributes(pool, EMAIL)["email_verified"] == "true"


def test_a_failing_custom_message_sends_no_verification_code(
    pool: Any, custom_message: Callable[[Any], None]
) -> None:
    token = signed_in(pool)
    sent = len(sent_messages(pool.pool_id))
    custom_message(refusing)
    error = refused(
        lambda: pool.cognito.get_user_attribute_verification_code(
            AccessToken=token, AttributeName="email"
        )
    )
    assert (error["Code"], error["Message"]) == ("UserLambdaValidationException", NOT_VOUCHED)
    assert len(sent_messages(pool.pool_id)) == sent
    mismatch = refused(
        lambda: pool.cognito.verify_user_attribute(
            AccessToken=token, AttributeName="email", Code="123456"
        )
    )
    assert mismatch["Code"] == "CodeMismatchException"


# UpdateUserAttributes and the client's WriteAttributes


def test_a_client_writes_only_its_write_attributes(pool: Any) -> None:
    """CreateUserPoolClient API reference, WriteAttributes: the attributes the
    client may write; Cognito refuses any other with NotAuthorizedException
    "A client attempted to write unauthorized attribute", changing nothing."""
    token = signed_in(pool)
    error = refused(
        lambda: pool.cognito.update_user_attributes(
            AccessToken=token,
            UserAttributes=[
                {"Name": "email", "Value": "eve@example.com"},
                {"Name": "phone_number", "Value": PHONE},
            ],
        )
    )
    assert (error["Code"], error["Message"]) == (
        "NotAuthorizedException",
        "A client attempted to write unauthorized attribute",
    )
    assert attributes(pool, EMAIL)["email"] == EMAIL
    assert "phone_number" not in attributes(pool, EMAIL)


def test_sign_up_writes_only_the_clients_write_attributes(pool: Any) -> None:
    error = refused(
        lambda: pool.sign_up(EMAIL, UserAttributes=[{"Name": "phone_number", "Value": PHONE}])
    )
    assert error["Code"] == "NotAuthorizedException"
    assert pool.cognito.list_users(UserPoolId=pool.pool_id)["Users"] == []
    assert sent_messages(pool.pool_id) == []


def test_a_changed_email_is_sent_a_code_at_its_new_address(
    pool: Any, lambdas: InProcessInvoker, custom_message: Callable[[Any], None]
) -> None:
    """UpdateUserAttributes API reference: a changed e-mail the pool
    auto-verifies is sent a code (CustomMessage_UpdateUserAttribute) and is
    unverified until the code comes back."""
    token = signed_in(pool)
    custom_message(worded)
    answer = pool.cognito.update_user_attributes(
        AccessToken=token,
        UserAttributes=[{"Name": "email", "Value": "ada@example.org"}],
        ClientMetadata={"ticket": "t-5"},
    )
    event = lambdas.events("CustomMessage")[-1]
    assert event["triggerSource"] == "CustomMessage_UpdateUserAttribute"
    assert event["request"]["userAttributes"]["email"] == "ada@example.org"
    assert event["request"]["clientMetadata"] == {"ticket": "t-5"}
    message = sent_messages(pool.pool_id)[-1]
    assert message.destination == "ada@example.org"
    assert answer["CodeDeliveryDetailsList"] == [
        {"Destination": "a***@e***", "DeliveryMedium": "EMAIL", "AttributeName": "email"}
    ]
    changed = attributes(pool, "ada@example.org")
    assert (changed["email"], changed["email_verified"]) == ("ada@example.org", "false")


def test_writing_the_same_email_again_sends_nothing(pool: Any, lambdas: InProcessInvoker) -> None:
    """Only a changed e-mail is sent a code (UpdateUserAttributes API reference)."""
    token = signed_in(pool)
    calls = len(lambdas.events("CustomMessage"))
    answer = pool.cognito.update_user_attributes(
        AccessToken=token, UserAttributes=[{"Name": "email", "Value": EMAIL}]
    )
    assert answer["CodeDeliveryDetailsList"] == []
    assert len(lambdas.events("CustomMessage")) == calls


def test_a_failing_custom_message_changes_no_attribute(
    pool: Any, custom_message: Callable[[Any], None]
) -> None:
    token = signed_in(pool)
    sent = len(sent_messages(pool.pool_id))
    custom_message(refusing)
    error = refused(
        lambda: pool.cognito.update_user_attributes(
            AccessToken=token, UserAttributes=[{"Name": "email", "Value": "ada@example.org"}]
        )
    )
    assert (error["Code"], error["Message"]) == ("UserLambdaValidationException", NOT_VOUCHED)
    assert attributes(pool, EMAIL)["email"] == EMAIL
    assert len(sent_messages(pool.pool_id)) == sent


def test_an_email_verified_before_update_keeps_the_old_one_until_verified(
    make_pool: Callable[..., Any],
) -> None:
    """Developer guide, "Configuring email or phone verification" (keep
    original attribute value active when an update is pending): with
    AttributesRequireVerificationBeforeUpdate the old value stays until the
    code sent to the new one comes back."""
    settings = {"AttributesRequireVerificationBeforeUpdate": ["email"]}
    pool = make_pool(pool_options={"UserAttributeUpdateSettings": settings})
    token = signed_in(pool)
    pool.cognito.update_user_attributes(
        AccessToken=token, UserAttributes=[{"Name": "email", "Value": "ada@example.org"}]
    )
    assert attributes(pool, EMAIL)["email"] == EMAIL
    message = sent_messages(pool.pool_id)[-1]
    assert message.destination == "ada@example.org"
    pool.cognito.verify_user_attribute(AccessToken=token, AttributeName="email", Code=message.code)
    verified = attributes(pool, "ada@example.org")
    assert (verified["email"], verified["email_verified"]) == ("ada@example.org", "true")


# AdminCreateUser


def test_an_invitation_goes_through_custom_message(
    pool: Any, lambdas: InProcessInvoker, custom_message: Callable[[Any], None]
) -> None:
    """AdminCreateUser API reference: without MessageAction SUPPRESS Cognito
    sends the invitation by DesiredDeliveryMediums (SMS by default), through
    CustomMessage_AdminCreateUser with usernameParameter "{username}"."""
    custom_message(worded)
    pool.cognito.admin_create_user(
        UserPoolId=pool.pool_id, Username=PHONE, TemporaryPassword="Temp0rary!"
    )
    (event,) = lambdas.events("CustomMessage")
    assert event["triggerSource"] == "CustomMessage_AdminCreateUser"
    assert event["request"]["usernameParameter"] == "{username}"
    assert event["callerContext"]["clientId"] == "CLIENT_ID_NOT_APPLICABLE"
    (message,) = sent_messages(pool.pool_id)
    assert (message.channel, message.destination, message.code) == ("sms", PHONE, "Temp0rary!")
    assert message.body == "App code Temp0rary!"


def test_an_invitation_by_email_has_cognitos_text_with_the_username(pool: Any) -> None:
    pool.cognito.admin_create_user(
        UserPoolId=pool.pool_id,
        Username=EMAIL,
        TemporaryPassword="Temp0rary!",
        DesiredDeliveryMediums=["EMAIL"],
    )
    (message,) = sent_messages(pool.pool_id)
    assert message.channel == "email"
    assert message.body == f"Your username is {EMAIL} and temporary password is Temp0rary!."


def test_a_suppressed_invitation_runs_no_custom_message(
    pool: Any, lambdas: InProcessInvoker
) -> None:
    pool.cognito.admin_create_user(
        UserPoolId=pool.pool_id, Username=PHONE, MessageAction="SUPPRESS"
    )
    assert lambdas.events("CustomMessage") == []
    assert sent_messages(pool.pool_id) == []


def test_a_failing_custom_message_fails_admin_create_user(
    pool: Any, custom_message: Callable[[Any], None]
) -> None:
    """The call fails with the trigger's error; the emulator then keeps no
    user (our choice: AWS documents no half-made user for this call)."""
    custom_message(refusing)
    error = refused(lambda: pool.cognito.admin_create_user(UserPoolId=pool.pool_id, Username=PHONE))
    assert (error["Code"], error["Message"]) == ("UserLambdaValidationException", NOT_VOUCHED)
    assert pool.cognito.list_users(UserPoolId=pool.pool_id)["Users"] == []
    assert sent_messages(pool.pool_id) == []


def test_uninstall_forgets_the_messages_sent(pool: Any) -> None:
    pool.sign_up(EMAIL)
    assert sent_messages(pool.pool_id)
    uninstall_triggers()
    assert sent_messages(pool.pool_id) == []
