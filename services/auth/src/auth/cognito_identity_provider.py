"""IdentityProvider on the shared Cognito user pool: the one place that knows
Cognito's calls and its error codes.

Public app-client calls (SignUp, ConfirmSignUp, InitiateAuth,
RespondToAuthChallenge, GetTokensFromRefreshToken, GetUser, GlobalSignOut,
RevokeToken) need no IAM permission, but the app client has a secret only
this API holds (the stack's `authClientSecret`, read at first use): every
call for a user carries its SECRET_HASH, or the secret itself, so Cognito
refuses the same calls made by anyone else with the client id (which every
access token carries). Making a passwordless user (AdminCreateUser,
AdminSetUserPassword) and replacing an unconfirmed one (AdminGetUser,
AdminDeleteUser) are the API's only IAM calls on the pool (service.toml).

Cognito unreachable (a connection error or a timeout, botocore's
BotoCoreError) is IdentityUnavailable like any failure the client cannot fix."""

from __future__ import annotations

import base64
import hashlib
import hmac
import secrets
from collections.abc import Callable
from typing import Any

from botocore.exceptions import BotoCoreError, ClientError

from auth.identity_provider import (
    AlreadySignedOut,
    BadCredentials,
    CannotUseCodes,
    Channel,
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
    UnusableDestination,
    UnusableEmailAddress,
    UnusablePhoneNumber,
    UserAlreadyExists,
    UserNotConfirmed,
    WeakPassword,
)
from auth.models import Tokens
from auth.protocol import ATTEMPTS_LEFT, DELIVERY, DEV_OTP, TICKET, retry_after
from service_kernel import get_logger
from service_kernel.aws import error_code, error_message

CUSTOM_CHALLENGE = "CUSTOM_CHALLENGE"
# The user attribute that holds each channel's destination.
ATTRIBUTES: dict[Channel, str] = {"sms": "phone_number", "email": "email"}
UNUSABLE: dict[Channel, type[UnusableDestination]] = {
    "sms": UnusablePhoneNumber,
    "email": UnusableEmailAddress,
}

# Cognito's own throttles, per client, user or code attempts.
THROTTLED = frozenset(
    {"TooManyRequestsException", "LimitExceededException", "TooManyFailedAttemptsException"}
)
# Cognito's retry hint is not exposed; a minute is its usual lockout step.
THROTTLED_RETRY_AFTER = 60
# A user who cannot use a code (an unconfirmed password sign-up, a disabled
# account; unknown users too, were PreventUserExistenceErrors off).
CANNOT_USE_CODES = frozenset(
    {"UserNotConfirmedException", "NotAuthorizedException", "UserNotFoundException"}
)
# Whatever Cognito says about a session it will not continue, the client's
# next step is the same: ask for a new code.
SESSION_DEAD = frozenset(
    {
        "NotAuthorizedException",
        "CodeMismatchException",
        "ExpiredCodeException",
        "UserNotFoundException",
        "InvalidParameterException",
    }
)
# Every way a confirmation code can be wrong, for a user who may or may not exist.
CONFIRMATION_REFUSED = frozenset(
    {
        "CodeMismatchException",
        "ExpiredCodeException",
        "UserNotFoundException",
        "NotAuthorizedException",
        "AliasExistsException",
    }
)
BAD_CREDENTIALS = frozenset(
    {"NotAuthorizedException", "UserNotFoundException", "PasswordResetRequiredException"}
)
REFRESH_REFUSED = frozenset({"NotAuthorizedException", "InvalidParameterException"})
# Already signed out, revoked, or not a token of this client: nothing left to end.
ALREADY_ENDED = frozenset(
    {"NotAuthorizedException", "UnauthorizedException", "UnsupportedTokenTypeException"}
)
POLICY_PREFIX = "Password did not conform with policy: "
UNCONFIRMED = "UNCONFIRMED"


class CognitoIdentityProvider:
    def __init__(
        self,
        cognito: Any,
        user_pool_id: str,
        client_id: str,
        client_secret: Callable[[], str] | None = None,
    ) -> None:
        self._cognito = _Reachable(cognito)
        self._user_pool_id = user_pool_id
        self._client_id = client_id
        # The app client's secret, asked for at each signed call (the caller
        # reads it once, at first use); None for a client without one.
        self._client_secret = client_secret

    def _secret(self) -> str | None:
        if self._client_secret is None:
            return None
        try:
            return self._client_secret()
        except (BotoCoreError, ClientError) as exc:
            get_logger().error("client secret unreadable", error=type(exc).__name__)
            raise IdentityUnavailable("client secret") from None

    def _secret_hash(self, username: str) -> dict[str, str]:
        """SECRET_HASH for a call about `username` (Cognito's developer guide,
        "Computing secret hash values"), as a parameters entry; none without a secret."""
        secret = self._secret()
        if secret is None:
            return {}
        mac = hmac.new(secret.encode(), (username + self._client_id).encode(), hashlib.sha256)
        return {"SECRET_HASH": base64.b64encode(mac.digest()).decode()}

    def _signed(self, username: str) -> dict[str, str]:
        """SecretHash, as SignUp and ConfirmSignUp name it."""
        hashed = self._secret_hash(username)
        return {"SecretHash": hashed["SECRET_HASH"]} if hashed else {}

    def _with_secret(self) -> dict[str, str]:
        """ClientSecret, for the calls that take the secret itself."""
        secret = self._secret()
        return {} if secret is None else {"ClientSecret": secret}

    def create_passwordless_user(self, username: str, channel: Channel) -> str:
        # Server-side IAM calls, never the public SignUp: no client can create
        # a confirmed user, and pre sign-up never confirms one on a client's word.
        try:
            created = self._cognito.admin_create_user(
                UserPoolId=self._user_pool_id,
                Username=username,
                UserAttributes=[{"Name": ATTRIBUTES[channel], "Value": username}],
                MessageAction="SUPPRESS",  # no invitation: the code is the only message
            )
        except ClientError as exc:
            code = error_code(exc)
            if code == "UsernameExistsException":
                raise UserAlreadyExists from None
            if code == "InvalidParameterException":
                raise UNUSABLE[channel] from None
            raise _unexpected(exc) from None
        try:
            # Cognito: a permanent password set by AdminSetUserPassword moves the
            # user from FORCE_CHANGE_PASSWORD to CONFIRMED, with no code sent.
            self._cognito.admin_set_user_password(
                UserPoolId=self._user_pool_id,
                Username=username,
                # Nobody ever learns it: this user signs in with codes only.
                Password=_unusable_password(),
                Permanent=True,
            )
        except ClientError as exc:
            raise _unexpected(exc) from None
        user = created["User"]
        attributes = {a["Name"]: a["Value"] for a in user.get("Attributes", [])}
        return str(attributes.get("sub") or user["Username"])

    def start_code_sign_in(self, username: str, channel: Channel, ticket: str) -> CodeSent:
        try:
            result = self._cognito.initiate_auth(
                ClientId=self._client_id,
                AuthFlow="CUSTOM_AUTH",
                AuthParameters={"USERNAME": username, **self._secret_hash(username)},
                ClientMetadata={DELIVERY: channel, TICKET: ticket},
            )
        except ClientError as exc:
            code = error_code(exc)
            if code == "UserLambdaValidationException":
                # The create trigger's rate limit comes back inside this one.
                wait = retry_after(error_message(exc))
                if wait is not None:
                    raise CodeRateLimited(wait) from None
            if code == "UserNotConfirmedException":
                raise Unconfirmed from None
            if code in CANNOT_USE_CODES:
                raise CannotUseCodes from None
            raise _unexpected(exc) from None
        echo = result.get("ChallengeParameters", {}).get(DEV_OTP)
        return CodeSent(session=result["Session"], dev_otp=echo)

    def delete_unconfirmed_user(self, username: str) -> bool:
        try:
            user = self._cognito.admin_get_user(UserPoolId=self._user_pool_id, Username=username)
            if user.get("UserStatus") != UNCONFIRMED:
                return False  # confirmed meanwhile: it stays
            self._cognito.admin_delete_user(UserPoolId=self._user_pool_id, Username=username)
        except ClientError as exc:
            if error_code(exc) != "UserNotFoundException":
                raise _unexpected(exc) from None
            return False
        return True

    def answer_code(self, username: str, session: str, code: str) -> Tokens:
        try:
            result = self._cognito.respond_to_auth_challenge(
                ClientId=self._client_id,
                ChallengeName=CUSTOM_CHALLENGE,
                Session=session,
                ChallengeResponses={
                    "USERNAME": username,
                    "ANSWER": code,
                    **self._secret_hash(username),
                },
            )
        except ClientError as exc:
            if error_code(exc) in SESSION_DEAD:
                raise SessionExpired from None
            raise _unexpected(exc) from None
        if "AuthenticationResult" in result:
            return _tokens(result)
        # Another round of the challenge: Cognito issues a new session per answer.
        attempts_left = int(result.get("ChallengeParameters", {}).get(ATTEMPTS_LEFT, "0"))
        raise InvalidCode(attempts_left, result["Session"])

    def sign_up(self, email: str, password: str, ticket: str) -> NewUser:
        try:
            result = self._cognito.sign_up(
                ClientId=self._client_id,
                Username=email,
                Password=password,
                UserAttributes=[{"Name": "email", "Value": email}],
                ClientMetadata={TICKET: ticket},
                **self._signed(email),
            )
        except ClientError as exc:
            code, message = error_code(exc), error_message(exc)
            wait = retry_after(message) if code == "UserLambdaValidationException" else None
            if wait is not None:
                # The custom message trigger's count, behind the API's budgets:
                # nothing was sent (Cognito keeps the unconfirmed user, which
                # the next sign-up replaces).
                raise CodeRateLimited(wait) from None
            if code == "UsernameExistsException":
                raise UserAlreadyExists from None
            if code == "InvalidPasswordException" or (
                code == "InvalidParameterException" and "password" in message.lower()
            ):
                raise WeakPassword(message.removeprefix(POLICY_PREFIX)) from None
            if code == "InvalidParameterException":
                # The client's input, not an outage: e.g. an address Cognito refuses.
                raise UnusableEmailAddress from None
            raise _unexpected(exc) from None
        return NewUser(user_sub=result["UserSub"], confirmed=bool(result["UserConfirmed"]))

    def confirm_sign_up(self, email: str, code: str) -> None:
        try:
            self._cognito.confirm_sign_up(
                ClientId=self._client_id,
                Username=email,
                ConfirmationCode=code,
                **self._signed(email),
            )
        except ClientError as exc:
            if error_code(exc) in CONFIRMATION_REFUSED:
                raise InvalidConfirmationCode from None
            raise _unexpected(exc) from None

    def password_sign_in(self, email: str, password: str) -> Tokens:
        try:
            result = self._cognito.initiate_auth(
                ClientId=self._client_id,
                AuthFlow="USER_PASSWORD_AUTH",
                AuthParameters={
                    "USERNAME": email,
                    "PASSWORD": password,
                    **self._secret_hash(email),
                },
            )
        except ClientError as exc:
            code = error_code(exc)
            if code in BAD_CREDENTIALS:
                raise BadCredentials from None
            if code == "UserNotConfirmedException":
                # Cognito says so only after the password was right.
                raise UserNotConfirmed from None
            raise _unexpected(exc) from None
        if "AuthenticationResult" not in result:
            # A challenge this API does not offer (e.g. an administrator's
            # temporary password): not a usable sign-in here.
            raise BadCredentials
        return _tokens(result)

    def refresh(self, refresh_token: str) -> Tokens:
        try:
            if self._client_secret is None:
                result = self._cognito.initiate_auth(
                    ClientId=self._client_id,
                    AuthFlow="REFRESH_TOKEN_AUTH",
                    AuthParameters={"REFRESH_TOKEN": refresh_token},
                )
            else:
                # REFRESH_TOKEN_AUTH's SECRET_HASH is over the token's own user,
                # which only Cognito can read from it: this call takes the secret.
                result = self._cognito.get_tokens_from_refresh_token(
                    ClientId=self._client_id, RefreshToken=refresh_token, **self._with_secret()
                )
        except ClientError as exc:
            if error_code(exc) in REFRESH_REFUSED:
                raise InvalidRefreshToken from None
            raise _unexpected(exc) from None
        return _tokens(result)

    def contact(self, access_token: str) -> Contact:
        try:
            result = self._cognito.get_user(AccessToken=access_token)
        except ClientError as exc:
            if error_code(exc) in ALREADY_ENDED:
                raise InvalidAccessToken from None
            raise _unexpected(exc) from None
        attributes = {a["Name"]: a["Value"] for a in result.get("UserAttributes", [])}
        return Contact(email=attributes.get("email"), phone=attributes.get("phone_number"))

    def sign_out(self, access_token: str) -> None:
        try:
            self._cognito.global_sign_out(AccessToken=access_token)
        except ClientError as exc:
            raise _ended_or_unexpected(exc) from None

    def revoke(self, refresh_token: str) -> None:
        try:
            self._cognito.revoke_token(
                Token=refresh_token, ClientId=self._client_id, **self._with_secret()
            )
        except ClientError as exc:
            raise _ended_or_unexpected(exc) from None


def _tokens(result: dict[str, Any]) -> Tokens:
    authentication = result["AuthenticationResult"]
    return Tokens(
        access_token=authentication["AccessToken"],
        id_token=authentication["IdToken"],
        refresh_token=authentication.get("RefreshToken"),
        expires_in=int(authentication["ExpiresIn"]),
    )


class _Reachable:
    """The Cognito client, where not reaching Cognito at all (no connection, a
    timeout: botocore's own errors, not Cognito's answers) is unavailable, as
    any unexpected answer is: 503, never a 500."""

    def __init__(self, cognito: Any) -> None:
        self._cognito = cognito

    def __getattr__(self, operation: str) -> Any:
        call = getattr(self._cognito, operation)

        def reached(**request: Any) -> Any:
            try:
                return call(**request)
            except BotoCoreError as exc:
                get_logger().error("cognito unreachable", error=type(exc).__name__)
                raise IdentityUnavailable(type(exc).__name__) from None
            except ClientError as exc:
                if _secret_refused(exc):
                    # The API's own secret refused (not yet given to the client, or
                    # rotated): every answer would be wrong, so none is given.
                    get_logger().error("cognito refused the client secret", operation=operation)
                    raise IdentityUnavailable("client secret refused") from None
                raise

        return reached


def _secret_refused(exc: ClientError) -> bool:
    """Cognito's NotAuthorizedException for a missing or wrong SECRET_HASH or secret."""
    message = error_message(exc)
    return error_code(exc) == "NotAuthorizedException" and (
        "configured for secret" in message or "verify secret" in message
    )


def _unexpected(exc: ClientError) -> IdentityError:
    """Anything a call did not expect: Cognito's throttling, else unavailable.
    The log carries Cognito's error code only, never the request."""
    code = error_code(exc)
    if code in THROTTLED:
        return Throttled(THROTTLED_RETRY_AFTER)
    get_logger().error("cognito call failed", cognito_error=code)
    return IdentityUnavailable(code)


def _ended_or_unexpected(exc: ClientError) -> IdentityError:
    return AlreadySignedOut() if error_code(exc) in ALREADY_ENDED else _unexpected(exc)


def _unusable_password() -> str:
    # Long and random, with every character class any pool policy may require.
    return secrets.token_urlsafe(32) + "aA1!"
