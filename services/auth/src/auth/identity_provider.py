"""The port between the auth service functions and the identity provider:
what auth needs from a user pool, and the answers it can give, as auth's own
exceptions. No provider's error names here: the adapter translates them."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Protocol

from auth.models import Tokens
from auth.protocol import Channel as Channel  # where the port's users find it


@dataclass(frozen=True)
class CodeSent:
    """A code sign-in under way: the session to answer it with, and the code
    itself only where the stack echoes codes (dev)."""

    session: str
    dev_otp: str | None = None


@dataclass(frozen=True)
class Contact:
    """The signed-in user's own e-mail and phone number, as the pool holds them."""

    email: str | None = None
    phone: str | None = None


@dataclass(frozen=True)
class NewUser:
    user_sub: str
    confirmed: bool


class IdentityError(Exception):
    """Something the identity provider answered instead of doing the call."""


class UserAlreadyExists(IdentityError):
    """The username is taken; the existing user was left unchanged."""


class UnusableDestination(IdentityError):
    """The pool refuses this phone number or e-mail address as a username."""


class UnusablePhoneNumber(UnusableDestination):
    pass


class UnusableEmailAddress(UnusableDestination):
    pass


class CannotUseCodes(IdentityError):
    """The user cannot sign in with a code (unknown, unconfirmed, disabled);
    nothing was sent."""


class Unconfirmed(CannotUseCodes):
    """A password sign-up nobody confirmed: it proved nothing, so the
    destination's owner may replace it (see service.start)."""


class CodeRateLimited(IdentityError):
    """The destination had its share of codes for now; nothing was sent."""

    def __init__(self, retry_after: int) -> None:
        super().__init__(retry_after)
        self.retry_after = retry_after


class InvalidCode(IdentityError):
    """A wrong code with attempts left: retry with the new session."""

    def __init__(self, attempts_left: int, session: str) -> None:
        super().__init__(attempts_left)
        self.attempts_left = attempts_left
        self.session = session


class SessionExpired(IdentityError):
    """The code sign-in is over (spent, expired, unknown or another user's):
    only a new code can help."""


class WeakPassword(IdentityError):
    """The password breaks the pool's policy; `rule` says which part."""

    def __init__(self, rule: str) -> None:
        super().__init__(rule)
        self.rule = rule


class InvalidConfirmationCode(IdentityError):
    """Wrong, expired or already used, or no such user: the same to a client."""


class BadCredentials(IdentityError):
    """Unknown user or wrong password: the same to a client."""


class UserNotConfirmed(IdentityError):
    """The password was right but the sign-up was never confirmed."""


class InvalidRefreshToken(IdentityError):
    """Invalid, expired or revoked."""


class InvalidAccessToken(IdentityError):
    """Expired, signed out or revoked since the gateway checked it."""


class AlreadySignedOut(IdentityError):
    """The token was already ended (or is no token of this client)."""


class Throttled(IdentityError):
    """The provider's own rate limit; the request may be retried later."""

    def __init__(self, retry_after: int) -> None:
        super().__init__(retry_after)
        self.retry_after = retry_after


class IdentityUnavailable(IdentityError):
    """Any other failure of the provider: nothing the client can fix."""


class IdentityProvider(Protocol):
    """Every method may also raise Throttled or IdentityUnavailable."""

    def create_passwordless_user(self, username: str, channel: Channel) -> str:
        """A confirmed user who can sign in with codes only, its username (a
        phone number or e-mail address) also its `channel` attribute; its
        `sub`. UserAlreadyExists or UnusableDestination."""

    def start_code_sign_in(self, username: str, channel: Channel, ticket: str) -> CodeSent:
        """Send the user a code by `channel`, vouched for by the API's
        `ticket` (auth.protocol.ticket); CodeRateLimited, or CannotUseCodes
        (Unconfirmed for an unconfirmed sign-up)."""

    def delete_unconfirmed_user(self, username: str) -> bool:
        """Remove a user who never confirmed its sign-up (nothing else);
        whether one was removed."""

    def answer_code(self, username: str, session: str, code: str) -> Tokens:
        """Tokens for the right code; InvalidCode or SessionExpired."""

    def sign_up(self, email: str, password: str, ticket: str) -> NewUser:
        """A password user, its confirmation code sent where the stack sends
        one, vouched for by the API's `ticket` (auth.protocol.sign_up_ticket);
        UserAlreadyExists, WeakPassword, or CodeRateLimited (nothing sent)."""

    def confirm_sign_up(self, email: str, code: str) -> None:
        """Confirm with the code the provider sent; InvalidConfirmationCode."""

    def password_sign_in(self, email: str, password: str) -> Tokens:
        """BadCredentials or UserNotConfirmed."""

    def refresh(self, refresh_token: str) -> Tokens:
        """New access and ID tokens; InvalidRefreshToken."""

    def contact(self, access_token: str) -> Contact:
        """The token's user's e-mail and phone number; InvalidAccessToken."""

    def sign_out(self, access_token: str) -> None:
        """End every session of the token's user; AlreadySignedOut."""

    def revoke(self, refresh_token: str) -> None:
        """End the refresh token and what it issued; AlreadySignedOut."""
