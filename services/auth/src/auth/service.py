"""What each auth route does, on any IdentityProvider. No HTTP and no
Cognito here: routes translate, the provider keeps the users.

The rules that keep accounts from being enumerated live here: new and known
users take the same path and at least the same time, and a user who cannot
sign in with a code gets the same answer as everyone else."""

from __future__ import annotations

import secrets
import uuid
from contextlib import suppress

from auth import timing
from auth.identity_provider import (
    AlreadySignedOut,
    CannotUseCodes,
    Channel,
    CodeSent,
    IdentityProvider,
    UserAlreadyExists,
)
from auth.models import (
    ConfirmRequest,
    Credentials,
    Destination,
    Me,
    SignupResponse,
    StartResponse,
    Tokens,
    VerifyRequest,
)
from auth.timing import at_least
from service_kernel import Caller


def start(provider: IdentityProvider, to: Destination, *, production: bool) -> StartResponse:
    """Send a one-time code; an unknown phone or e-mail gets an account first.
    The answer, and the time it takes, are the same whether or not the user
    existed or can sign in with a code."""
    channel = channel_of(to)
    with at_least(timing.START_FLOOR_SECONDS):
        # A known user is left exactly as it is, and takes the same path from here.
        with suppress(UserAlreadyExists):
            provider.create_passwordless_user(to.username, channel)
        try:
            sent = provider.start_code_sign_in(to.username, channel)
        except CannotUseCodes:
            # Unconfirmed or disabled: sent nothing, answered like everyone else.
            sent = CodeSent(session=decoy_session())
    return StartResponse(
        session=sent.session,
        phone=to.phone,
        email=to.email,
        delivery=channel,
        # Only a stack that echoes codes has one; a production one never passes it on.
        dev_otp=None if production else sent.dev_otp,
    )


def verify(provider: IdentityProvider, answer: VerifyRequest) -> Tokens:
    return provider.answer_code(answer.username, answer.session, answer.otp)


def signup(
    provider: IdentityProvider, credentials: Credentials, *, auto_confirm: bool
) -> SignupResponse:
    """An e-mail already registered gets the answer a new one would, in the
    same time (the pool prevents user-existence errors elsewhere)."""
    try:
        with at_least(timing.SIGN_UP_FLOOR_SECONDS):
            user = provider.sign_up(credentials.email, credentials.password)
    except UserAlreadyExists:
        return SignupResponse(user_sub=str(uuid.uuid4()), confirmed=auto_confirm)
    return SignupResponse(user_sub=user.user_sub, confirmed=user.confirmed)


def confirm(provider: IdentityProvider, confirmation: ConfirmRequest) -> None:
    provider.confirm_sign_up(confirmation.email, confirmation.code)


def login(provider: IdentityProvider, credentials: Credentials) -> Tokens:
    return provider.password_sign_in(credentials.email, credentials.password)


def refresh(provider: IdentityProvider, refresh_token: str) -> Tokens:
    """New access and ID tokens; the refresh token stays the client's own."""
    return provider.refresh(refresh_token).model_copy(update={"refresh_token": None})


def logout(
    provider: IdentityProvider, *, access_token: str | None, refresh_token: str | None
) -> None:
    """Sign out everywhere, then revoke the refresh token given. Idempotent:
    what is already ended is not an error."""
    if access_token:
        # First: signing out needs an access token that revoking may end.
        with suppress(AlreadySignedOut):
            provider.sign_out(access_token)
    if refresh_token:
        with suppress(AlreadySignedOut):
            provider.revoke(refresh_token)


def me(caller: Caller) -> Me:
    return Me(
        sub=caller.sub,
        username=caller.username,
        email=caller.claims.get("email"),
        phone=caller.claims.get("phone_number"),
        groups=list(caller.groups),
    )


def channel_of(to: Destination) -> Channel:
    return "sms" if to.phone else "email"


def decoy_session() -> str:
    # Shaped like a Cognito session; /auth/verify with it is session_expired.
    return secrets.token_urlsafe(680)
