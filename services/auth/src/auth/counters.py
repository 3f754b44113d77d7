"""The port in front of the counters the abuse rules keep: fixed windows per
key, counted atomically. Standard library only (the triggers use it too);
`auth.dynamodb_counters` keeps them in the shared table."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Protocol


class LimitReached(Exception):
    """The window of `key` (the first of `full`, every key found full) already
    holds its limit; nothing was counted, under this key or any other taken
    with it."""

    def __init__(self, retry_after: int, key: str = "", full: tuple[str, ...] = ()) -> None:
        self.retry_after = max(int(retry_after), 1)
        self.key = key
        self.full = full or (key,)
        super().__init__(self.retry_after, key)


class CountersUnavailable(Exception):
    """The store could not be reached or refused the call: nothing is known,
    so nothing is sent (the caller may retry later)."""


@dataclass(frozen=True)
class Window:
    count: int
    expires_at: int  # epoch seconds

    def retry_after(self, now: float) -> int:
        return max(self.expires_at - int(now), 1)


@dataclass(frozen=True)
class Take:
    """One to count under `key`, in a window of `window_seconds` holding at most `limit`."""

    key: str
    limit: int
    window_seconds: int


class Counters(Protocol):
    """Every method may also raise CountersUnavailable."""

    def take_all(self, takes: Sequence[Take], now: float) -> None:
        """Count one under every key, or under none: LimitReached (naming the
        first full key, waiting for the last of the full ones) when any window
        already holds its limit. A window is opened now where there is none or
        it has expired."""

    def add(self, key: str, window_seconds: int, now: float) -> int:
        """Count one, with no limit (opening a window when there is none); the
        window's count now, this one included."""

    def give_back(self, key: str, now: float) -> None:
        """Uncount one from the key's open window (never below zero)."""

    def restart(self, key: str, window_seconds: int, now: float) -> None:
        """A new window of one from now, whatever the key held."""

    def window(self, key: str, now: float) -> Window | None:
        """The key's open window, if any."""

    def reset(self, key: str) -> None:
        """Forget the key's window (closed now)."""
