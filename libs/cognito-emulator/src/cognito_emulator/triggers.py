"""Finding a pool's triggers and invoking them the way Cognito does."""

from __future__ import annotations

from typing import Any

from moto.cognitoidp.models import (
    CognitoIdpBackend,
    CognitoIdpUser,
    CognitoIdpUserPool,
    cognitoidp_backends,
)
from moto.cognitoidp.utils import flatten_attrs

from cognito_emulator import errors
from cognito_emulator.state import STATE


def trigger_arn(pool: CognitoIdpUserPool, trigger: str) -> str | None:
    """The function ARN the pool's LambdaConfig names for `trigger`, if any."""
    config = pool.extended_config.get("LambdaConfig") or {}
    arn = config.get(trigger)
    return str(arn) if arn else None


def invoke(pool: CognitoIdpUserPool, trigger: str, event: dict[str, Any]) -> dict[str, Any]:
    """Run the trigger and return its `response` object.

    A function that fails makes the API call fail with
    UserLambdaValidationException naming the trigger and the function's error;
    a result without a `response` object is InvalidLambdaResponseException."""
    arn = trigger_arn(pool, trigger)
    if arn is None:
        raise errors.invalid_parameter(f"No {trigger} trigger is configured for the user pool.")
    try:
        result = STATE.installed.invoke(arn, event)
    except Exception as exc:
        raise errors.user_lambda_validation(trigger, str(exc)) from None
    response = result.get("response") if isinstance(result, dict) else None
    if not isinstance(response, dict):
        raise errors.invalid_lambda_response(trigger)
    return response


def user_attributes(user: CognitoIdpUser | None) -> dict[str, str]:
    """The user's attributes as triggers see them: a flat name → string map,
    plus `cognito:user_status`."""
    if user is None:
        return {}
    attributes = {str(k): str(v) for k, v in flatten_attrs(user.attributes).items()}
    attributes["cognito:user_status"] = str(getattr(user.status, "value", user.status))
    return attributes


def pool_for_client(account_id: str, region: str, client_id: str) -> CognitoIdpUserPool:
    """The pool an app client belongs to; public calls name only the client.

    The request's own region is searched first, then every other backend, as
    moto does for its unauthenticated calls."""
    ordered: list[CognitoIdpBackend] = [cognitoidp_backends[account_id][region]]
    for backends in cognitoidp_backends.values():
        ordered.extend(backend for name, backend in backends.items() if name != "global")
    for backend in ordered:
        for pool in backend.user_pools.values():
            if client_id in pool.clients:
                return pool
    raise errors.CognitoError("ResourceNotFoundException", f"Client {client_id} does not exist.")


def backend_of(pool: CognitoIdpUserPool) -> CognitoIdpBackend:
    return cognitoidp_backends[pool.account_id][pool.region]


def user_for_access_token(access_token: str) -> tuple[CognitoIdpUserPool, str, CognitoIdpUser]:
    """The pool, app client id and user of an access token, in any region:
    calls made with one are unsigned, as moto's server finds them."""
    for backends in cognitoidp_backends.values():
        for name, backend in backends.items():
            if name == "global":
                continue
            for pool in backend.user_pools.values():
                issued = pool.access_tokens.get(access_token)
                if issued is None:
                    continue
                client_id, username = issued
                user = find_user(pool, username)
                if user is None or not user.enabled:
                    break
                return pool, str(client_id), user
    raise errors.not_authorized("Invalid Access Token")


def find_user(pool: CognitoIdpUserPool, name: str) -> CognitoIdpUser | None:
    """The user a username, e-mail or phone names; moto types _get_user as
    never None, but it returns None for an unknown name."""
    user: CognitoIdpUser | None = pool._get_user(name)
    return user
