"""The port in front of the counters the abuse rules keep: fixed windows per
key, counted atomically. Standard library only (the triggers use it too);
`auth.dynamodb_counters` keeps them in the shared table."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Protocol


class LimitReached(Exception):
    """The key's window already holds its limit; nothing was counted."""

    def __init__(self, retry_after: int) -> None:
        self.retry_after = max(int(retry_after), 1)
        super().__init__(self.retry_after)


class CountersUnavailable(Exception):
    """The store could not be reached or refused the call: nothing is known,
    so nothing is sent (the caller may retry later)."""


@dataclass(frozen=True)
class Window:
    count: int
    expires_at: int  # epoch seconds

    def retry_after(self, now: float) -> int:
        return max(self.expires_at - int(now), 1)


class Counters(Protocol):
    """Every method may also raise CountersUnavailable."""

    def take(self, key: str, limit: int, window_seconds: int, now: float) -> None:
        """Count one against the key's window (opened now when there is none
        or it has expired); LimitReached when it already holds `limit`."""

    def add(self, key: str, window_seconds: int, now: float) -> int:
        """Count one, with no limit (opening a window when there is none); the
        window's count now, this one included."""

    def window(self, key: str, now: float) -> Window | None:
        """The key's open window, if any."""

    def reset(self, key: str) -> None:
        """Forget the key's window."""
