"""The port in front of the record of users nobody has proved yet: a user
/auth/start created is pending until a right code (the verify trigger
clears it), and a pending user past its time is removed (auth.cleanup).
Users are named by their `sub`, never their phone number or address.
Standard library only: the triggers and the cleanup function use it."""

from __future__ import annotations

from typing import Protocol


class PendingUsers(Protocol):
    def add(self, sub: str, due: int) -> None:
        """`sub` is removed at `due` (epoch seconds) unless proved before."""

    def remove(self, sub: str) -> None:
        """Proved (or removed): no longer pending. Nothing when it was not."""

    def due(self, now: float) -> list[str]:
        """The subs whose time is up."""
