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


def create_shared_pool(
    cognito: Any,
    lambda_config: Mapping[str, str],
    *,
    pool_options: Mapping[str, Any] | None = None,
    **client_options: Any,
) -> tuple[str, str]:
    """The shared pool as the platform declares it, created with the given
    cognito-idp client (moto): e-mail or phone as username, e-mail verified
    by code (AutoVerifiedAttributes), no self-service password recovery
    (admin_only), the given triggers, the dev password policy, and a public
    app client with custom auth, password auth and refresh, no user-existence
    errors, revocation on, that may write the e-mail only. `pool_options`
    and `client_options` replace or add settings of the pool and client.
    Returns (pool id, client id)."""
    pool: dict[str, Any] = {
        "PoolName": "app",
        "UsernameAttributes": ["email", "phone_number"],
        "AutoVerifiedAttributes": ["email"],
        "AccountRecoverySetting": {"RecoveryMechanisms": [{"Name": "admin_only", "Priority": 1}]},
        "LambdaConfig": dict(lambda_config),
        "Policies": {
            "PasswordPolicy": {
                "MinimumLength": 8,
                "RequireUppercase": True,
                "RequireLowercase": True,
                "RequireNumbers": True,
                "RequireSymbols": False,
            }
        },
        **(pool_options or {}),
    }
    pool_id: str = cognito.create_user_pool(**pool)["UserPool"]["Id"]
    options: dict[str, Any] = {
        "ExplicitAuthFlows": [
            "ALLOW_CUSTOM_AUTH",
            "ALLOW_USER_PASSWORD_AUTH",
            "ALLOW_REFRESH_TOKEN_AUTH",
        ],
        "PreventUserExistenceErrors": "ENABLED",
        "EnableTokenRevocation": True,
        "WriteAttributes": ["email"],
        **client_options,
    }
    client_id: str = cognito.create_user_pool_client(
        UserPoolId=pool_id, ClientName="app", **options
    )["UserPoolClient"]["ClientId"]
    return pool_id, client_id
