"""Equal time for new and known users.

Signing up a new user runs the pre sign-up trigger and writes the user;
refusing a known one does neither, so the difference could tell whether an
account exists. Routes that sign up on the caller's behalf take at least a
fixed time instead."""

from __future__ import annotations

import time
from collections.abc import Iterator
from contextlib import contextmanager

# Above Cognito's usual SignUp latency with a warm trigger (tens to a couple of
# hundred milliseconds); small next to the wait for an SMS or e-mail.
SIGN_UP_FLOOR_SECONDS = 0.4

sleep = time.sleep  # tests replace it


@contextmanager
def at_least(seconds: float) -> Iterator[None]:
    started = time.monotonic()
    try:
        yield
    finally:
        remaining = seconds - (time.monotonic() - started)
        if remaining > 0:
            sleep(remaining)
