"""Helpers for tests that run triggers in-process (no Lambda, no worker)."""

from __future__ import annotations

import copy
from collections.abc import Callable, Mapping
from typing import Any

TriggerHandler = Callable[[dict[str, Any], Any], dict[str, Any]]


class InProcessInvoker:
    """An `invoke` for install_triggers that calls Python handlers by ARN, the
    way Lambda would (a deep copy of the event in, the returned event out),
    and records every event for assertions."""

    def __init__(self, handlers: Mapping[str, TriggerHandler]) -> None:
        self.handlers = dict(handlers)
        self.calls: list[tuple[str, dict[str, Any]]] = []

    def __call__(self, function_arn: str, event: dict[str, Any]) -> dict[str, Any]:
        handler = self.handlers[function_arn]
        self.calls.append((function_arn, copy.deepcopy(event)))
        return handler(copy.deepcopy(event), None)

    def events(self, trigger_source_prefix: str) -> list[dict[str, Any]]:
        """Events whose triggerSource starts with e.g. "DefineAuthChallenge"."""
        return [
            event
            for _, event in self.calls
            if str(event["triggerSource"]).startswith(trigger_source_prefix)
        ]

    def sources(self) -> list[str]:
        return [str(event["triggerSource"]) for _, event in self.calls]


class ManualClock:
    """Epoch seconds that move only when a test says so."""

    def __init__(self, now: float = 1_800_000_000.0) -> None:
        self.now = now

    def __call__(self) -> float:
        return self.now

    def advance(self, seconds: float) -> None:
        self.now += seconds
