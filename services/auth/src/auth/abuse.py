"""The abuse rules of code sign-in, on any Counters: what each send budget
and the failed-code limits count, under which table key, and the business
metrics a spent budget counts (auth.metrics). No FastAPI and no boto3: the
API and the triggers both apply them.

Keys hold keyed hashes (`protocol.destination_hash`), never a phone number,
an address or an IP address."""

from __future__ import annotations

from dataclasses import dataclass

from auth import metrics
from auth.counters import Counters, LimitReached, Take
from auth.metrics import BudgetName
from auth.protocol import FAILED_CODE_WINDOW_SECONDS, KEY_PREFIX, Channel, destination_hash

DAY = 24 * 3600


@dataclass(frozen=True)
class Budget:
    """At most `limit` sends per `window_seconds`, counted under one key."""

    limit: int
    window_seconds: int


# The send budgets: per destination, per source IP, for the whole stack (one per channel).


class SendRefused(Exception):
    """A send budget is spent; nothing was created, sent or counted. `budget`
    names which."""

    def __init__(self, budget: BudgetName, retry_after: int) -> None:
        super().__init__(budget, retry_after)
        self.budget = budget
        self.retry_after = retry_after


class TooManyAttempts(Exception):
    """The destination had its failed codes for this window (or this source
    its own, and waits out its backoff): no code is sent or accepted for it,
    even the right one, until `retry_after`."""

    def __init__(self, retry_after: int) -> None:
        super().__init__(retry_after)
        self.retry_after = retry_after


def source_hash(hash_key: str, source_ip: str) -> str:
    return destination_hash(hash_key, "ip:" + source_ip)


def destination_send_key(hashed: str) -> str:
    return f"{KEY_PREFIX}SEND#{hashed}"


def source_send_key(hash_key: str, source_ip: str) -> str:
    return f"{KEY_PREFIX}SOURCE#{source_hash(hash_key, source_ip)}"


def stack_send_key(channel: Channel) -> str:
    """The API's sends this hour, stack-wide, one budget per channel: cheap
    e-mails to throw-away addresses never stop the SMS, nor the reverse."""
    return f"{KEY_PREFIX}STACK#SEND#{channel}"


def stack_sent_key(channel: Channel) -> str:
    """The create trigger's own count (defence in depth): sends it really made."""
    return f"{KEY_PREFIX}STACK#SENT#{channel}"


def signup_source_key(hash_key: str, source_ip: str) -> str:
    """Password sign-ups asked for by a source IP (each may make Cognito e-mail)."""
    return f"{KEY_PREFIX}SIGNUP#{source_hash(hash_key, source_ip)}"


def destination_sent_key(hashed: str) -> str:
    return f"{KEY_PREFIX}SENT#{hashed}"


def trusted_key(hashed: str) -> str:
    """Open while the destination signed in by code within `auth.trustedDays`."""
    return f"{KEY_PREFIX}TRUSTED#{hashed}"


def failed_codes_key(hashed: str) -> str:
    return f"{KEY_PREFIX}FAILED#{hashed}"


def source_failed_codes_key(hashed: str, source: str) -> str:
    """Failed codes for one destination from one source (`source_hash`)."""
    return f"{KEY_PREFIX}FAILED#{hashed}#{source}"


def source_backoff_key(hashed: str, source: str) -> str:
    """Open while that source waits before it may try the destination again."""
    return f"{KEY_PREFIX}BACKOFF#{hashed}#{source}"


def spend(
    counters: Counters,
    budgets: list[tuple[BudgetName, str, Budget]],
    now: float,
    *,
    trusted: str | None = None,
) -> None:
    """Count one send against every (name, key, budget), all together or not
    at all: a refusal names the first spent budget and leaves every counter as
    it was. A destination whose `trusted` key is open (it signed in lately)
    is let past a spent "stack" budget, still within the others.

    Counted here for every caller (the API's routes, the triggers' own counts):
    a refusal as `RateLimited` by budget, and a spent stack budget, refused or
    let past, as `StackBudgetSpent` (alarmed from the first)."""
    try:
        counters.take_all(_takes(budgets), now)
        return
    except LimitReached as exc:
        refused = exc
    stack_spent = any(_name_of(budgets, key) == "stack" for key in refused.full)
    if stack_spent:
        metrics.stack_budget_spent()
    if not stack_spent or trusted is None or counters.window(trusted, now) is None:
        raise _refused(_name_of(budgets, refused.key), refused.retry_after)
    others = [budget for budget in budgets if budget[0] != "stack"]
    try:
        counters.take_all(_takes(others), now)
    except LimitReached as exc:
        raise _refused(_name_of(budgets, exc.key), exc.retry_after) from None


def _refused(budget: BudgetName, retry_after: int) -> SendRefused:
    metrics.rate_limited(budget)
    return SendRefused(budget, retry_after)


def trust(counters: Counters, hashed: str, days: int, now: float) -> None:
    """The destination proved possession by code: trusted for `days` from now."""
    counters.restart(trusted_key(hashed), days * DAY, now)


def _takes(budgets: list[tuple[BudgetName, str, Budget]]) -> list[Take]:
    return [Take(key, budget.limit, budget.window_seconds) for _, key, budget in budgets]


def _name_of(budgets: list[tuple[BudgetName, str, Budget]], key: str) -> BudgetName:
    return next((name for name, budget_key, _ in budgets if budget_key == key), budgets[0][0])


# ---- failed codes ----
#
# Two counts, so that a stranger's guesses neither lock the owner out nor go
# unbounded (auth/README.md, "Guessing codes: the arithmetic"):
# - per destination and source: past SOURCE_FREE_FAILED_CODES in the 24-hour
#   window, each failure makes that source wait, doubling from
#   BACKOFF_SECONDS (up to the window). Only that source waits: the owner,
#   answering from elsewhere, signs in meanwhile.
# - per destination, whatever the source: a ceiling (`auth.maxFailedCodes`)
#   counted by the verify trigger for every answer, so guessing spread over
#   many sources still stops. Each answer is counted before it is judged and
#   a right one given back, so the ceiling bounds the wrong answers judged in
#   a window, however many arrive at once and whoever signs in between.

SOURCE_FREE_FAILED_CODES = 3
BACKOFF_SECONDS = 60


def check_not_locked(
    counters: Counters, hashed: str, max_failed: int, now: float, *, source: str | None = None
) -> None:
    """TooManyAttempts while the destination's failed codes reach `max_failed`,
    or while `source` waits out its backoff for this destination."""
    window = counters.window(failed_codes_key(hashed), now)
    if window is not None and window.count >= max_failed:
        raise TooManyAttempts(window.retry_after(now))
    if source is not None:
        backoff = counters.window(source_backoff_key(hashed, source), now)
        if backoff is not None:
            raise TooManyAttempts(backoff.retry_after(now))


def count_failed_code_from(counters: Counters, hashed: str, source: str, now: float) -> None:
    """Count a failed code from `source`; past the free ones, that source waits."""
    failed = counters.add(source_failed_codes_key(hashed, source), FAILED_CODE_WINDOW_SECONDS, now)
    if failed >= SOURCE_FREE_FAILED_CODES:
        wait = BACKOFF_SECONDS * 2 ** (failed - SOURCE_FREE_FAILED_CODES)
        counters.restart(
            source_backoff_key(hashed, source), min(wait, FAILED_CODE_WINDOW_SECONDS), now
        )


def forget_source_failures(counters: Counters, hashed: str, source: str) -> None:
    """A right code from this source: it starts afresh (OWASP's lockout practice)."""
    counters.reset(source_failed_codes_key(hashed, source))
    counters.reset(source_backoff_key(hashed, source))


def take_answer(counters: Counters, hashed: str, max_failed: int, now: float) -> None:
    """Count an answer against the destination's ceiling before it is judged
    (so concurrent answers never judge more than the ceiling); TooManyAttempts
    when it is reached. A right answer gives its count back (`give_back_answer`)."""
    try:
        counters.take_all(
            [Take(failed_codes_key(hashed), max_failed, FAILED_CODE_WINDOW_SECONDS)], now
        )
    except LimitReached as exc:
        raise TooManyAttempts(exc.retry_after) from None


def give_back_answer(counters: Counters, hashed: str, now: float) -> None:
    counters.give_back(failed_codes_key(hashed), now)


def is_locked(counters: Counters, hashed: str, max_failed: int, now: float) -> bool:
    window = counters.window(failed_codes_key(hashed), now)
    return window is not None and window.count >= max_failed
