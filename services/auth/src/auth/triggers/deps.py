"""What each trigger works with, given to it rather than reached for: its
settings, the clock, and (for those that use the table) the counters and
the pending users.

A trigger is `respond(event, deps)` wrapped in a `Trigger`, the Lambda entry
point. Its settings are read from the environment at import (a bad variable
fails the function's init, naming it); the rest is built at its first
invocation, once per process, from those settings (the table's adapters
are imported there: pre sign-up and define never load botocore). Tests give their own:
`trigger.given(deps)` is the same entry point on other deps."""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any, Generic, TypeVar

from auth.counters import Counters
from auth.pending_users import PendingUsers
from auth.triggers.config import (
    CreateSettings,
    DefineSettings,
    MessageSettings,
    PreSignUpSettings,
    SendLimits,
    VerifySettings,
)
from auth.triggers.ownership import Accounts
from service_kernel.invocation import instrument

# Epoch seconds: the clock codes expire and counters' windows run on.
Clock = Callable[[], float]


@dataclass(frozen=True)
class PreSignUpDeps:
    settings: PreSignUpSettings


@dataclass(frozen=True)
class DefineDeps:
    settings: DefineSettings
    clock: Clock = time.time


# The settings of a trigger that lets messages go (create, custom message).
Limits = TypeVar("Limits", bound=SendLimits)


@dataclass(frozen=True)
class SendDeps(Generic[Limits]):
    """A trigger that lets messages go: its settings, the send counts on the
    table (auth.triggers.sends), the clock."""

    settings: Limits
    counters: Counters
    clock: Clock = time.time

    @classmethod
    def on_table(cls, settings: Limits) -> SendDeps[Limits]:
        from auth.dynamodb_counters import DynamoDbCounters
        from auth.triggers.aws import client

        return cls(settings, DynamoDbCounters(client("dynamodb"), settings.table_name))


CreateDeps = SendDeps[CreateSettings]
MessageDeps = SendDeps[MessageSettings]


@dataclass(frozen=True)
class VerifyDeps:
    settings: VerifySettings
    counters: Counters
    pending_users: PendingUsers
    # The pool's accounts, for a destination proved the first time (ownership.py).
    accounts: Accounts
    clock: Clock = time.time

    @classmethod
    def on_table(cls, settings: VerifySettings) -> VerifyDeps:
        from auth.dynamodb_counters import DynamoDbCounters
        from auth.dynamodb_pending_users import DynamoDbPendingUsers
        from auth.triggers.aws import client
        from auth.triggers.ownership import CognitoAccounts

        dynamodb = client("dynamodb")
        return cls(
            settings,
            DynamoDbCounters(dynamodb, settings.table_name),
            DynamoDbPendingUsers(dynamodb, settings.table_name),
            CognitoAccounts(client("cognito-idp")),
        )


Deps = TypeVar("Deps")
Event = TypeVar("Event")


class Trigger(Generic[Event, Deps]):
    """A trigger's Lambda entry point, `handler(event, context)`: `respond` on
    the deps `build` makes at the first invocation, with the kernel's
    invocation layer around it (context in the logs, cold start and business
    metrics written, traced where the stack traces)."""

    def __init__(self, respond: Callable[[Event, Deps], Event], build: Callable[[], Deps]) -> None:
        self._respond = respond
        self._build = build
        self._deps: Deps | None = None
        self._entry = instrument(self._serve)

    def __call__(self, event: Event, context: Any) -> Event:
        result: Event = self._entry(event, context)
        return result

    def given(self, deps: Deps) -> Trigger[Event, Deps]:
        """The same trigger on these deps (tests)."""
        return Trigger(self._respond, lambda: deps)

    def deps(self) -> Deps:
        if self._deps is None:
            self._deps = self._build()
        return self._deps

    def _serve(self, event: Event, _context: Any) -> Event:
        return self._respond(event, self.deps())
