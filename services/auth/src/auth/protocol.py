"""What the API and its Cognito triggers agree on. Standard library only: the
trigger functions import it and must stay light (no FastAPI)."""

from __future__ import annotations

import hashlib
import hmac
import re
from collections.abc import Callable, Iterable
from typing import Final, Literal

from auth.mailbox import mailbox_key

# ClientMetadata keys: which of the user's attributes gets the code, and the
# API's ticket for this send (see `ticket`).
DELIVERY = "delivery"
TICKET = "ticket"
# Where a one-time code goes: the user's phone (SMS) or e-mail.
Channel = Literal["sms", "email"]
SMS: Final = "sms"
EMAIL: Final = "email"

# Public challenge parameters (the API reads them from ChallengeParameters).
ATTEMPTS_LEFT = "attempts_left"
DEV_OTP = "dev_otp"

# A create-auth-challenge trigger that refuses to send raises an error with
# this text; Cognito hands it back inside UserLambdaValidationException.
RATE_LIMITED = "too_many_requests retry_after={seconds}"
_RATE_LIMITED = re.compile(r"too_many_requests retry_after=(\d+)")

# What Cognito accepts as a phone_number (E.164) and a practical e-mail shape.
PHONE_PATTERN = r"^\+[1-9]\d{6,14}$"
EMAIL_PATTERN = r"^[^@\s]{1,64}@[^@\s]+\.[^@\s]+$"

# Every key this service writes in the shared table starts with it (service.toml).
KEY_PREFIX = "AUTH#"
# Failed codes per destination are counted over this fixed window.
FAILED_CODE_WINDOW_SECONDS = 24 * 3600


def retry_after(cognito_message: str) -> int | None:
    """Seconds to wait, when a Cognito error carries the trigger's rate limit."""
    match = _RATE_LIMITED.search(cognito_message)
    return int(match.group(1)) if match else None


def canonical(destination: str) -> str:
    """One spelling per destination (Cognito usernames are case-insensitive
    here; phone numbers arrive already in E.164)."""
    return destination.strip().lower()


def _mac(key: str, *parts: str) -> str:
    return hmac.new(key.encode(), "|".join(parts).encode(), hashlib.sha256).hexdigest()


def destination_hash(key: str, destination: str) -> str:
    """A destination as the table may hold it: keyed with a stack secret, so
    stored hashes cannot be reversed by hashing candidate numbers. An e-mail
    address is keyed by its mailbox (`auth.mailbox`), so its spellings share
    one budget."""
    return _mac(key, "destination", mailbox_key(canonical(destination)))


def ticket(key: str, destination: str, channel: str, expires_at: int) -> str:
    """The API's word that it checked this send against its budgets: the
    create trigger sends a code only with one, for this destination and
    channel, before `expires_at` (epoch seconds). Only the API holds the app
    client's secret, but should a sign-in reach Cognito without the API all
    the same, without a ticket its challenge still runs and nothing is sent."""
    return _ticket(key, "ticket", destination, channel, expires_at)


def ticket_is_valid(key: str, value: str, destination: str, channel: str, now: float) -> bool:
    return _is_valid(value, now, lambda expires: ticket(key, destination, channel, expires))


def sign_up_ticket(key: str, email: str, expires_at: int) -> str:
    """The API's word that it spent a sign-up's budgets (source, destination,
    the stack's e-mails): the custom message trigger lets Cognito send the
    confirmation code only with one, for this address, before `expires_at`.
    Apart from sign-in tickets, so neither opens the other's door."""
    return _ticket(key, "sign-up ticket", email, EMAIL, expires_at)


def sign_up_ticket_is_valid(key: str, value: str, email: str, now: float) -> bool:
    return _is_valid(value, now, lambda expires: sign_up_ticket(key, email, expires))


def _ticket(key: str, purpose: str, destination: str, channel: str, expires_at: int) -> str:
    return f"{expires_at}.{_mac(key, purpose, canonical(destination), channel, str(expires_at))}"


def _is_valid(value: str, now: float, expected: Callable[[int], str]) -> bool:
    expires, _, _mac_given = value.partition(".")
    if not expires.isdigit() or int(expires) <= now:
        return False
    # Constant time: the comparison never tells how much of a forgery was right.
    return hmac.compare_digest(value, expected(int(expires)))


def is_test_destination(destination: str, entries: Iterable[str]) -> bool:
    """A configured test destination: an exact phone number or address, or
    `@domain` for every address at that domain."""
    wanted = canonical(destination)
    for entry in entries:
        entry = canonical(entry)
        if not entry:
            continue
        if entry.startswith("@") and wanted.endswith(entry) and wanted.count("@") == 1:
            return True
        if entry == wanted:
            return True
    return False


def code_for_test_destination(key: str, destination: str) -> str:
    """The fixed code of a test destination on a production stack: derived
    from a stack secret, so smoke tests holding the secret can compute it and
    nobody else can."""
    number = int(_mac(key, "test-code", canonical(destination))[:12], 16)
    return f"{number % 1_000_000:06d}"


def split_list(value: str) -> tuple[str, ...]:
    """A list setting as the platform delivers it: comma-separated."""
    return tuple(part.strip() for part in value.split(",") if part.strip())
