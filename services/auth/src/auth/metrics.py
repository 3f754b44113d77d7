"""The auth service's business metrics: the one place its code names them.

service.toml declares the same metrics (`[metrics.<Name>]`, which the stack's
dashboard graphs and CodesFailed's alarm watches); tests/test_metrics.py holds
the two equal and drives each one through the code that counts it. Counts and
their one small dimension only: never a destination, an address or a code."""

from __future__ import annotations

from typing import Literal

from auth.protocol import Channel
from service_kernel.metrics import count

SignInMethod = Literal["code", "password"]
# The send budgets (auth.abuse), RateLimited's dimension.
BudgetName = Literal["destination", "source", "stack"]


def code_sent(channel: Channel) -> None:
    """A one-time code delivered (test destinations are sent none)."""
    count("CodesSent", channel=channel)


def code_failed() -> None:
    """An answer that was not the code (or came after it expired)."""
    count("CodesFailed")


def lockout() -> None:
    """A wrong code that reached the destination's limit: it is locked for the window."""
    count("Lockouts")


def rate_limited(budget: BudgetName) -> None:
    """A code request refused by a send budget (429)."""
    count("RateLimited", budget=budget)


def stack_budget_spent() -> None:
    """A code request met its channel's spent stack-wide budget: refused, or
    let past it for a trusted destination. Alarmed at once: either someone
    pumps sends or the budget is too small for the stack's users. No
    dimension, so its alarm is one metric (RateLimited says which budget)."""
    count("StackBudgetSpent")


def signed_in(method: SignInMethod) -> None:
    count("SignIns", method=method)
