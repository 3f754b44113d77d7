"""A destination proved by code for the first time: what an unproven sign-up
set on the account goes.

Pre-account hijack (issue 18, finding 7): a stranger signs up someone's
address with a password of their own; where the stack auto-confirms, the
account exists, unproven. When the address's owner later signs in by code they
land in that account, and the stranger's password must not still open it. So
the first right code for a destination whose attribute is not verified yet
marks it verified, replaces the password with a random one nobody learns, and
signs the user out everywhere (the stranger's tokens end). Users /auth/start
made have only a random password already: for them this changes nothing."""

from __future__ import annotations

import secrets
from typing import Any, Protocol

from auth.protocol import EMAIL, SMS

# The user attribute each channel's code proves.
ATTRIBUTES = {SMS: "phone_number", EMAIL: "email"}


class Accounts(Protocol):
    def prove(self, user_pool_id: str, username: str, attribute: str) -> None:
        """`attribute` proved: verified, the password reset, every session ended."""


class CognitoAccounts:
    def __init__(self, cognito: Any) -> None:
        self._cognito = cognito

    def prove(self, user_pool_id: str, username: str, attribute: str) -> None:
        user = {"UserPoolId": user_pool_id, "Username": username}
        self._cognito.admin_set_user_password(
            **user,
            # Long and random, with every character class any pool policy may require.
            Password=secrets.token_urlsafe(32) + "aA1!",
            Permanent=True,
        )
        self._cognito.admin_update_user_attributes(
            **user, UserAttributes=[{"Name": f"{attribute}_verified", "Value": "true"}]
        )
        self._cognito.admin_user_global_sign_out(**user)


def unproven_attribute(channel: str, attributes: dict[str, str]) -> str | None:
    """The attribute a right code by `channel` proves for the first time, if any."""
    attribute = ATTRIBUTES.get(channel)
    if attribute is None or attributes.get(f"{attribute}_verified") == "true":
        return None
    return attribute
