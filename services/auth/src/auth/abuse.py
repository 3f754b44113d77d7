"""The abuse rules of code sign-in, on any Counters: what each send budget
and the failed-code lockout count, under which table key. Standard library
only: the API and the triggers both apply them.

Keys hold keyed hashes (`protocol.destination_hash`), never a phone number,
an address or an IP address."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

from auth.counters import Counters, LimitReached
from auth.protocol import FAILED_CODE_WINDOW_SECONDS, KEY_PREFIX, destination_hash


@dataclass(frozen=True)
class Budget:
    """At most `limit` sends per `window_seconds`, counted under one key."""

    limit: int
    window_seconds: int


# The send budgets: per destination, per source IP, for the whole stack.
BudgetName = Literal["destination", "source", "stack"]


class SendRefused(Exception):
    """A send budget is spent; nothing was created or sent. `budget` names which."""

    def __init__(self, budget: BudgetName, retry_after: int) -> None:
        super().__init__(budget, retry_after)
        self.budget = budget
        self.retry_after = retry_after


class TooManyAttempts(Exception):
    """The destination had its failed codes for this window: no code is
    sent or accepted for it, even the right one, until `retry_after`."""

    def __init__(self, retry_after: int) -> None:
        super().__init__(retry_after)
        self.retry_after = retry_after


def destination_send_key(hashed: str) -> str:
    return f"{KEY_PREFIX}SEND#{hashed}"


def source_send_key(hash_key: str, source_ip: str) -> str:
    return f"{KEY_PREFIX}SOURCE#{destination_hash(hash_key, 'ip:' + source_ip)}"


def signup_source_key(hash_key: str, source_ip: str) -> str:
    """Password sign-ups asked for by a source IP (each may make Cognito e-mail)."""
    return f"{KEY_PREFIX}SIGNUP#{destination_hash(hash_key, 'ip:' + source_ip)}"


STACK_SEND_KEY = f"{KEY_PREFIX}STACK#SEND"
# The create trigger's own counts (defence in depth): sends it really made.
STACK_SENT_KEY = f"{KEY_PREFIX}STACK#SENT"


def destination_sent_key(hashed: str) -> str:
    return f"{KEY_PREFIX}SENT#{hashed}"


def failed_codes_key(hashed: str) -> str:
    return f"{KEY_PREFIX}FAILED#{hashed}"


def spend(counters: Counters, budgets: list[tuple[BudgetName, str, Budget]], now: float) -> None:
    """Count one send against each (name, key, budget) in order; the first
    spent one refuses with its name and wait."""
    for name, key, budget in budgets:
        try:
            counters.take(key, budget.limit, budget.window_seconds, now)
        except LimitReached as exc:
            raise SendRefused(name, exc.retry_after) from None


def check_not_locked(counters: Counters, hashed: str, max_failed: int, now: float) -> None:
    """TooManyAttempts while the destination's failed codes reach `max_failed`."""
    window = counters.window(failed_codes_key(hashed), now)
    if window is not None and window.count >= max_failed:
        raise TooManyAttempts(window.retry_after(now))


def count_failed_code(counters: Counters, hashed: str, max_failed: int, now: float) -> bool:
    """Count a wrong code against the destination; True when it is the one that
    locks it (its `max_failed`th in the window)."""
    return counters.add(failed_codes_key(hashed), FAILED_CODE_WINDOW_SECONDS, now) == max_failed


def forget_failed_codes(counters: Counters, hashed: str) -> None:
    """A right code proves possession: the destination starts afresh (OWASP's
    lockout practice), so its owner's sign-ins never add up to a lock."""
    counters.reset(failed_codes_key(hashed))
