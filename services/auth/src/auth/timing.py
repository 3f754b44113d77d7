"""Equal time for new and known users.

Creating a new user (two Cognito calls, one of them running the pre sign-up
trigger) costs time a known user does not; a user who cannot sign in with a
code is sent nothing. Each difference could tell whether an account exists, so the
routes where they happen take at least a fixed time."""

from __future__ import annotations

import time
from collections.abc import Iterator
from contextlib import contextmanager

# Above Cognito's usual latency with warm triggers: AdminCreateUser,
# AdminSetUserPassword and InitiateAuth with a send (/auth/start); SignUp with
# pre sign-up and custom message, or for an address whose sign-up nobody
# confirmed SignUp, AdminGetUser, AdminDeleteUser and SignUp again
# (/auth/signup). Small next to the wait for an SMS or e-mail.
SIGN_UP_FLOOR_SECONDS = 1.0
START_FLOOR_SECONDS = 1.0

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
