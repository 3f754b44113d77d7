"""What the routes are given: the identity provider, the code rules, the
settings, the caller's source IP and access token, as `Annotated`
dependencies (tests may override them)."""

from __future__ import annotations

from functools import cache
from typing import Annotated

from botocore.exceptions import BotoCoreError, ClientError
from fastapi import Depends, Request

from auth.cognito_identity_provider import CognitoIdentityProvider
from auth.counters import Counters, CountersUnavailable
from auth.dynamodb_counters import DynamoDbCounters
from auth.dynamodb_pending_users import DynamoDbPendingUsers
from auth.identity_provider import IdentityProvider
from auth.pending_users import PendingUsers
from auth.service import CodeRules
from auth.settings import Settings, settings
from service_kernel import secret_value
from service_kernel.aws import client


@cache
def identity_provider() -> IdentityProvider:
    # Built on first use, once per process, like the client it wraps.
    return CognitoIdentityProvider(
        client("cognito-idp"),
        settings.user_pool_id,
        settings.user_pool_client_id,
        client_secret=lambda: secret_value(settings.client_secret_parameter),
    )


@cache
def stack_code_rules() -> CodeRules:
    # Built at the first request that needs it (the stack secrets are read then,
    # not at import); a failure is not cached, so the next request tries again.
    dynamodb = client("dynamodb")
    try:
        keys = (
            secret_value(settings.destination_key_parameter),
            secret_value(settings.ticket_key_parameter),
        )
    except (BotoCoreError, ClientError) as exc:
        raise CountersUnavailable("read the stack's auth secrets") from exc
    return code_rules(
        settings,
        DynamoDbCounters(dynamodb, settings.table_name),
        DynamoDbPendingUsers(dynamodb, settings.table_name),
        destination_key=keys[0],
        ticket_key=keys[1],
    )


def code_rules(
    config: Settings,
    counters: Counters,
    pending: PendingUsers,
    *,
    destination_key: str,
    ticket_key: str,
) -> CodeRules:
    return CodeRules(
        counters=counters,
        destination_key=destination_key,
        ticket_key=ticket_key,
        sms_regions=config.sms_regions,
        test_destinations=config.test_destination_list,
        destination_budget=config.destination_budget,
        source_budget=config.source_budget,
        stack_budgets=config.stack_budgets,
        trusted_days=config.trusted_days,
        signup_source_budget=config.signup_source_budget,
        max_failed_codes=config.max_failed_codes,
        pending=pending,
        pending_seconds=config.pending_seconds,
    )


# The dependencies are `async def`: FastAPI calls a plain `def` dependency in a
# worker thread, a hop each request would pay for returning a cached object.


async def get_identity_provider() -> IdentityProvider:
    return identity_provider()


async def get_code_rules() -> CodeRules:
    return stack_code_rules()


async def get_settings() -> Settings:
    return settings


async def source_ip(request: Request) -> str:
    """The caller's address as API Gateway saw it (`requestContext.http.sourceIp`
    of the event Mangum hands over); the socket's peer outside Lambda."""
    event = request.scope.get("aws.event") or {}
    seen = ((event.get("requestContext") or {}).get("http") or {}).get("sourceIp")
    if seen:
        return str(seen)
    return request.client.host if request.client else "unknown"


async def access_token(request: Request) -> str | None:
    """The access token the caller sent, with or without `Bearer ` (the
    gateway's JWT authorizer accepts both, and already checked it)."""
    value = request.headers.get("authorization", "").strip()
    scheme, _, rest = value.partition(" ")
    token = rest.strip() if scheme.lower() == "bearer" else value
    return token or None


IdentityProviderDep = Annotated[IdentityProvider, Depends(get_identity_provider)]
CodeRulesDep = Annotated[CodeRules, Depends(get_code_rules)]
SettingsDep = Annotated[Settings, Depends(get_settings)]
SourceIpDep = Annotated[str, Depends(source_ip)]
AccessTokenDep = Annotated[str | None, Depends(access_token)]
