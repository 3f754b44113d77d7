"""The Cognito adapter: the calls it makes, and each Cognito error code
turned into auth's own exception. Stub clients stand in for Cognito, so
every code can be had, including those moto never sends."""

from __future__ import annotations

import base64
import hashlib
import hmac
from collections.abc import Callable
from typing import Any

import pytest
from botocore.exceptions import ClientError, ConnectTimeoutError, EndpointConnectionError

from auth.cognito_identity_provider import CognitoIdentityProvider
from auth.identity_provider import (
    AlreadySignedOut,
    BadCredentials,
    CannotUseCodes,
    CodeRateLimited,
    CodeSent,
    Contact,
    IdentityError,
    IdentityUnavailable,
    InvalidAccessToken,
    InvalidCode,
    InvalidConfirmationCode,
    InvalidRefreshToken,
    NewUser,
    SessionExpired,
    Throttled,
    Unconfirmed,
    UnusableEmailAddress,
    UnusablePhoneNumber,
    UserAlreadyExists,
    UserNotConfirmed,
    WeakPassword,
)
from auth.models import Tokens

PHONE = "+12025550101"
CREATED = {"User": {"Username": "sub-1", "Attributes": [{"Name": "sub", "Value": "sub-1"}]}}
EMAIL = "ada@example.com"
PASSWORD = "Passw0rd!"
AUTHENTICATED = {
    "AuthenticationResult": {
        "AccessToken": "access",
        "IdToken": "id",
        "RefreshToken": "refresh",
        "ExpiresIn": 3600,
    }
}


class Refusing:
    """A Cognito client whose every call fails with one error."""

    def __init__(self, code: str, message: str = "") -> None:
        self.error = {"Error": {"Code": code, "Message": message}}

    def __getattr__(self, operation: str) -> Callable[..., Any]:
        def fail(**_: Any) -> Any:
            raise ClientError(self.error, operation)

        return fail


class Answering:
    """A Cognito client that answers each operation as given, noting the calls."""

    def __init__(self, **answers: dict[str, Any]) -> None:
        self.answers = answers
        self.calls: list[tuple[str, dict[str, Any]]] = []

    def __getattr__(self, operation: str) -> Callable[..., Any]:
        def answer(**parameters: Any) -> Any:
            self.calls.append((operation, parameters))
            return self.answers.get(operation, {})

        return answer


def over(cognito: Any) -> CognitoIdentityProvider:
    return CognitoIdentityProvider(cognito, "pool-1", "client-1")


Call = Callable[[CognitoIdentityProvider], object]
CALLS: dict[str, Call] = {
    "create_passwordless_user": lambda p: p.create_passwordless_user(PHONE, "sms"),
    "start_code_sign_in": lambda p: p.start_code_sign_in(PHONE, "sms", "ticket-1"),
    "delete_unconfirmed_user": lambda p: p.delete_unconfirmed_user(EMAIL),
    "contact": lambda p: p.contact("access-1"),
    "answer_code": lambda p: p.answer_code(PHONE, "session-1", "123456"),
    "sign_up": lambda p: p.sign_up(EMAIL, PASSWORD, "ticket"),
    "confirm_sign_up": lambda p: p.confirm_sign_up(EMAIL, "123456"),
    "password_sign_in": lambda p: p.password_sign_in(EMAIL, PASSWORD),
    "refresh": lambda p: p.refresh("refresh-1"),
    "sign_out": lambda p: p.sign_out("access-1"),
    "revoke": lambda p: p.revoke("refresh-1"),
}


def refused(method: str, code: str, message: str = "") -> IdentityError:
    with pytest.raises(IdentityError) as raised:
        CALLS[method](over(Refusing(code, message)))
    return raised.value


# --- what each Cognito error code means -------------------------------------


@pytest.mark.parametrize(
    ("method", "code", "expected"),
    [
        ("create_passwordless_user", "UsernameExistsException", UserAlreadyExists),
        ("create_passwordless_user", "InvalidParameterException", UnusablePhoneNumber),
        ("start_code_sign_in", "UserNotConfirmedException", Unconfirmed),
        ("start_code_sign_in", "NotAuthorizedException", CannotUseCodes),
        ("start_code_sign_in", "UserNotFoundException", CannotUseCodes),
        ("answer_code", "NotAuthorizedException", SessionExpired),
        ("answer_code", "CodeMismatchException", SessionExpired),
        ("answer_code", "ExpiredCodeException", SessionExpired),
        ("answer_code", "UserNotFoundException", SessionExpired),
        ("answer_code", "InvalidParameterException", SessionExpired),
        ("sign_up", "UsernameExistsException", UserAlreadyExists),
        ("sign_up", "InvalidParameterException", UnusableEmailAddress),
        ("contact", "NotAuthorizedException", InvalidAccessToken),
        ("confirm_sign_up", "CodeMismatchException", InvalidConfirmationCode),
        ("confirm_sign_up", "ExpiredCodeException", InvalidConfirmationCode),
        ("confirm_sign_up", "UserNotFoundException", InvalidConfirmationCode),
        ("confirm_sign_up", "NotAuthorizedException", InvalidConfirmationCode),
        ("confirm_sign_up", "AliasExistsException", InvalidConfirmationCode),
        ("password_sign_in", "NotAuthorizedException", BadCredentials),
        ("password_sign_in", "UserNotFoundException", BadCredentials),
        ("password_sign_in", "PasswordResetRequiredException", BadCredentials),
        ("password_sign_in", "UserNotConfirmedException", UserNotConfirmed),
        ("refresh", "NotAuthorizedException", InvalidRefreshToken),
        ("refresh", "InvalidParameterException", InvalidRefreshToken),
        ("sign_out", "NotAuthorizedException", AlreadySignedOut),
        ("sign_out", "UnauthorizedException", AlreadySignedOut),
        ("sign_out", "UnsupportedTokenTypeException", AlreadySignedOut),
        ("revoke", "NotAuthorizedException", AlreadySignedOut),
        ("revoke", "UnauthorizedException", AlreadySignedOut),
        ("revoke", "UnsupportedTokenTypeException", AlreadySignedOut),
    ],
)
def test_a_cognito_error_becomes_auths_own(
    method: str, code: str, expected: type[IdentityError]
) -> None:
    assert type(refused(method, code)) is expected


def test_an_email_the_pool_refuses_is_an_unusable_email_address() -> None:
    with pytest.raises(UnusableEmailAddress):
        over(Refusing("InvalidParameterException")).create_passwordless_user(EMAIL, "email")


def test_the_create_triggers_rate_limit_carries_its_wait() -> None:
    error = refused(
        "start_code_sign_in",
        "UserLambdaValidationException",
        "CreateAuthChallenge failed with error too_many_requests retry_after=120.",
    )
    assert isinstance(error, CodeRateLimited)
    assert error.retry_after == 120


def test_the_custom_message_triggers_rate_limit_on_a_sign_up_carries_its_wait() -> None:
    """Cognito fails the SignUp whose confirmation the trigger refused, with
    the function's error inside (nothing was sent)."""
    error = refused(
        "sign_up",
        "UserLambdaValidationException",
        "CustomMessage failed with error too_many_requests retry_after=300.",
    )
    assert isinstance(error, CodeRateLimited)
    assert error.retry_after == 300


def test_any_other_trigger_failure_is_unavailable() -> None:
    error = refused(
        "start_code_sign_in", "UserLambdaValidationException", "CreateAuthChallenge timed out."
    )
    assert isinstance(error, IdentityUnavailable)


@pytest.mark.parametrize(
    ("code", "message"),
    [
        (
            "InvalidPasswordException",
            "Password did not conform with policy: Password not long enough",
        ),
        (
            "InvalidParameterException",
            "Password did not conform with policy: Password not long enough",
        ),
    ],
)
def test_a_weak_password_names_the_policy_rule(code: str, message: str) -> None:
    error = refused("sign_up", code, message)
    assert isinstance(error, WeakPassword)
    assert error.rule == "Password not long enough"


def test_a_bad_parameter_that_is_not_the_password_is_the_clients_not_an_outage() -> None:
    # POST /auth/signup {"email": "0@0.0", ...}: Cognito's InvalidParameterException.
    error = refused("sign_up", "InvalidParameterException", "Invalid email address format.")
    assert isinstance(error, UnusableEmailAddress)


class Unreachable:
    """A Cognito client that never gets an answer: connection refused, or timed out."""

    def __init__(self, error: Exception) -> None:
        self.error = error

    def __getattr__(self, operation: str) -> Callable[..., Any]:
        def fail(**_: Any) -> Any:
            raise self.error

        return fail


@pytest.mark.parametrize("method", CALLS)
@pytest.mark.parametrize(
    "error",
    [
        EndpointConnectionError(endpoint_url="https://cognito-idp.eu-west-1.amazonaws.com"),
        ConnectTimeoutError(endpoint_url="https://cognito-idp.eu-west-1.amazonaws.com"),
    ],
)
def test_cognito_unreachable_is_unavailable(method: str, error: Exception) -> None:
    with pytest.raises(IdentityUnavailable):
        CALLS[method](over(Unreachable(error)))


@pytest.mark.parametrize("method", CALLS)
@pytest.mark.parametrize(
    "code", ["TooManyRequestsException", "LimitExceededException", "TooManyFailedAttemptsException"]
)
def test_cognitos_throttling_is_throttled_for_a_minute(method: str, code: str) -> None:
    error = refused(method, code)
    assert isinstance(error, Throttled)
    assert error.retry_after == 60


@pytest.mark.parametrize("method", CALLS)
def test_anything_else_is_unavailable_and_logged_by_its_code_only(
    method: str, caplog: pytest.LogCaptureFixture
) -> None:
    assert isinstance(
        refused(method, "InternalErrorException", "ada@example.com"), IdentityUnavailable
    )
    (record,) = [r for r in caplog.records if r.getMessage() == "cognito call failed"]
    logged = str(record.__dict__)
    assert "InternalErrorException" in logged
    assert EMAIL not in logged
    assert PHONE not in logged


# --- the calls it makes -----------------------------------------------------


@pytest.mark.parametrize(
    ("username", "channel", "attribute"),
    [(PHONE, "sms", "phone_number"), (EMAIL, "email", "email")],
)
def test_a_passwordless_user_is_created_confirmed_and_unannounced(
    username: str, channel: Any, attribute: str
) -> None:
    cognito = Answering(admin_create_user=CREATED)
    sub = over(cognito).create_passwordless_user(username, channel)
    assert sub == "sub-1"
    (create, operation_create), (set_password, operation_set) = cognito.calls
    assert (create, set_password) == ("admin_create_user", "admin_set_user_password")
    assert operation_create == {
        "UserPoolId": "pool-1",
        "Username": username,
        "UserAttributes": [{"Name": attribute, "Value": username}],
        "MessageAction": "SUPPRESS",
    }
    assert operation_set["Permanent"] is True
    assert operation_set["Username"] == username


def test_a_passwordless_users_password_is_long_random_and_policy_proof() -> None:
    cognito = Answering(admin_create_user=CREATED)
    provider = over(cognito)
    provider.create_passwordless_user(PHONE, "sms")
    provider.create_passwordless_user(PHONE, "sms")
    first, second = (p["Password"] for op, p in cognito.calls if op == "admin_set_user_password")
    assert first != second
    assert len(first) >= 40
    assert any(c.islower() for c in first)
    assert any(c.isupper() for c in first)
    assert any(c.isdigit() for c in first)
    assert any(not c.isalnum() for c in first)


def test_a_user_not_created_is_not_given_a_password() -> None:
    class RefusingCreate(Answering):
        def admin_create_user(self, **_: Any) -> None:
            raise ClientError({"Error": {"Code": "UsernameExistsException"}}, "AdminCreateUser")

    cognito = RefusingCreate()
    with pytest.raises(UserAlreadyExists):
        over(cognito).create_passwordless_user(PHONE, "sms")
    assert cognito.calls == []


def test_a_code_sign_in_asks_for_the_channel_and_returns_the_session() -> None:
    cognito = Answering(
        initiate_auth={"Session": "session-1", "ChallengeParameters": {"dev_otp": "042042"}}
    )
    sent = over(cognito).start_code_sign_in(EMAIL, "email", "ticket-1")
    assert sent == CodeSent("session-1", "042042")
    ((_, parameters),) = cognito.calls
    assert parameters == {
        "ClientId": "client-1",
        "AuthFlow": "CUSTOM_AUTH",
        "AuthParameters": {"USERNAME": EMAIL},
        "ClientMetadata": {"delivery": "email", "ticket": "ticket-1"},
    }


def test_without_the_echo_a_code_sign_in_has_no_code() -> None:
    cognito = Answering(initiate_auth={"Session": "session-1", "ChallengeParameters": {}})
    assert over(cognito).start_code_sign_in(PHONE, "sms", "ticket-1").dev_otp is None


def test_contact_is_the_users_own_attributes_by_access_token() -> None:
    cognito = Answering(
        get_user={
            "Username": "sub-1",
            "UserAttributes": [
                {"Name": "sub", "Value": "sub-1"},
                {"Name": "phone_number", "Value": PHONE},
            ],
        }
    )
    assert over(cognito).contact("access-1") == Contact(email=None, phone=PHONE)
    assert cognito.calls == [("get_user", {"AccessToken": "access-1"})]


@pytest.mark.parametrize(("status", "deleted"), [("UNCONFIRMED", True), ("CONFIRMED", False)])
def test_only_an_unconfirmed_user_is_deleted(status: str, deleted: bool) -> None:
    cognito = Answering(admin_get_user={"Username": "sub-1", "UserStatus": status})
    over(cognito).delete_unconfirmed_user(EMAIL)
    operations = [operation for operation, _ in cognito.calls]
    assert operations == (
        ["admin_get_user", "admin_delete_user"] if deleted else ["admin_get_user"]
    )


def test_the_right_code_is_tokens() -> None:
    cognito = Answering(respond_to_auth_challenge=AUTHENTICATED)
    assert over(cognito).answer_code(PHONE, "session-1", "123456") == Tokens(
        access_token="access", id_token="id", refresh_token="refresh", expires_in=3600
    )
    ((_, parameters),) = cognito.calls
    assert parameters["ChallengeName"] == "CUSTOM_CHALLENGE"
    assert parameters["ChallengeResponses"] == {"USERNAME": PHONE, "ANSWER": "123456"}


def test_a_wrong_code_is_invalid_with_the_attempts_left_and_a_new_session() -> None:
    cognito = Answering(
        respond_to_auth_challenge={
            "ChallengeName": "CUSTOM_CHALLENGE",
            "Session": "session-2",
            "ChallengeParameters": {"attempts_left": "2"},
        }
    )
    with pytest.raises(InvalidCode) as wrong:
        over(cognito).answer_code(PHONE, "session-1", "000000")
    assert (wrong.value.attempts_left, wrong.value.session) == (2, "session-2")


def test_a_sign_up_answers_the_users_sub_and_state() -> None:
    cognito = Answering(sign_up={"UserSub": "sub-1", "UserConfirmed": True})
    assert over(cognito).sign_up(EMAIL, PASSWORD, "ticket") == NewUser("sub-1", confirmed=True)


def test_a_sign_up_carries_the_apis_ticket_to_the_custom_message_trigger() -> None:
    cognito = Answering(sign_up={"UserSub": "sub-1", "UserConfirmed": False})
    over(cognito).sign_up(EMAIL, PASSWORD, "ticket-1")
    ((_, parameters),) = cognito.calls
    assert parameters["ClientMetadata"] == {"ticket": "ticket-1"}


def test_a_password_sign_in_that_asks_a_challenge_is_bad_credentials() -> None:
    cognito = Answering(initiate_auth={"ChallengeName": "NEW_PASSWORD_REQUIRED", "Session": "s"})
    with pytest.raises(BadCredentials):
        over(cognito).password_sign_in(EMAIL, PASSWORD)


def test_tokens_without_a_refresh_token_have_none() -> None:
    result = {"AuthenticationResult": {"AccessToken": "a", "IdToken": "i", "ExpiresIn": "60"}}
    refreshed = over(Answering(initiate_auth=result)).refresh("refresh-1")
    assert (refreshed.refresh_token, refreshed.expires_in) == (None, 60)


def test_sign_out_and_revoke_end_the_tokens_given() -> None:
    cognito = Answering()
    provider = over(cognito)
    provider.sign_out("access-1")
    provider.revoke("refresh-1")
    assert cognito.calls == [
        ("global_sign_out", {"AccessToken": "access-1"}),
        ("revoke_token", {"Token": "refresh-1", "ClientId": "client-1"}),
    ]


# --- the app client's secret: every call for a user signed ---------------------

SECRET = "s" * 64
# Base64(HMAC-SHA256(secret, username + client id)): Cognito's developer guide,
# "Computing secret hash values".
SIGNED_FOR = {
    username: base64.b64encode(
        hmac.new(SECRET.encode(), f"{username}client-1".encode(), hashlib.sha256).digest()
    ).decode()
    for username in (PHONE, EMAIL)
}


def test_every_call_for_a_user_carries_the_secret_hash_or_the_secret() -> None:
    """Issue 18, finding 1: only the API holds the client's secret, so only its
    calls get past Cognito."""
    cognito = Answering(
        initiate_auth={"Session": "s", **AUTHENTICATED},
        respond_to_auth_challenge=AUTHENTICATED,
        get_tokens_from_refresh_token=AUTHENTICATED,
        sign_up={"UserSub": "sub-1", "UserConfirmed": False},
    )
    provider = CognitoIdentityProvider(cognito, "pool-1", "client-1", client_secret=lambda: SECRET)
    for call in ("start_code_sign_in", "answer_code", "sign_up", "confirm_sign_up"):
        CALLS[call](provider)
    CALLS["password_sign_in"](provider)
    CALLS["refresh"](provider)
    CALLS["revoke"](provider)
    signed = dict(cognito.calls[:4])
    assert signed["initiate_auth"]["AuthParameters"]["SECRET_HASH"] == SIGNED_FOR[PHONE]
    assert (
        signed["respond_to_auth_challenge"]["ChallengeResponses"]["SECRET_HASH"]
        == SIGNED_FOR[PHONE]
    )
    assert signed["sign_up"]["SecretHash"] == SIGNED_FOR[EMAIL]
    assert signed["confirm_sign_up"]["SecretHash"] == SIGNED_FOR[EMAIL]
    password, refreshed, revoked = cognito.calls[4:]
    assert password[1]["AuthParameters"]["SECRET_HASH"] == SIGNED_FOR[EMAIL]
    # A refresh token's own user is Cognito's to read: the refresh takes the secret.
    assert refreshed == (
        "get_tokens_from_refresh_token",
        {"ClientId": "client-1", "RefreshToken": "refresh-1", "ClientSecret": SECRET},
    )
    assert revoked[1]["ClientSecret"] == SECRET


def test_an_unreadable_client_secret_is_unavailable_not_a_500() -> None:
    def unreadable() -> str:
        raise ClientError({"Error": {"Code": "AccessDeniedException"}}, "GetParameter")

    provider = CognitoIdentityProvider(Answering(), "pool-1", "client-1", client_secret=unreadable)
    with pytest.raises(IdentityUnavailable):
        provider.sign_up(EMAIL, PASSWORD, "ticket")


@pytest.mark.parametrize(
    "message",
    [
        "Client client-1 is configured for secret but secret was not received",
        "Unable to verify secret hash for client client-1",
    ],
)
@pytest.mark.parametrize("method", ["start_code_sign_in", "password_sign_in", "sign_up"])
def test_a_refused_client_secret_is_unavailable_never_a_decoy_or_bad_credentials(
    method: str, message: str
) -> None:
    """A client not (yet) given the API's secret: every sign-in would look like a
    wrong password or a user who cannot use codes. It is an outage: 503."""
    assert isinstance(refused(method, "NotAuthorizedException", message), IdentityUnavailable)
