"""What a trigger does before it lets a message go: count it against the
destination's and the stack's send limits on the table, behind the API's
own budgets. Shared by the create trigger (the codes it sends) and the
custom message trigger (the sign-up confirmations Cognito sends)."""

from __future__ import annotations

from auth import abuse, protocol
from auth.abuse import SendRefused
from auth.counters import Counters
from auth.protocol import Channel
from auth.triggers.config import SendLimits
from service_kernel.invocation import Refusal
from service_kernel.log import get_logger

logger = get_logger()


class RateLimitedError(Refusal):
    """Refused to send; Cognito hands the text back to the API."""

    def __init__(self, retry_after: int) -> None:
        self.retry_after = max(retry_after, 1)
        super().__init__(protocol.RATE_LIMITED.format(seconds=self.retry_after))


def count_send(
    counters: Counters, limits: SendLimits, hashed: str, channel: Channel, now: float
) -> None:
    """One send from the destination's and the stack's counts, both or
    neither (a trusted destination gets past a spent stack count, never its
    own); RateLimitedError when either is spent."""
    try:
        abuse.spend(
            counters,
            [
                ("destination", abuse.destination_sent_key(hashed), limits.destination_budget()),
                ("stack", abuse.stack_sent_key(channel), limits.stack_budget(channel)),
            ],
            now,
            trusted=abuse.trusted_key(hashed),
        )
    except SendRefused as exc:
        logger.warning("not sent: rate limited", delivery=channel, budget=exc.budget)
        raise RateLimitedError(exc.retry_after) from None
