"""Scheduled cleanup (service.toml: `schedule = "rate(5 minutes)"`): users
that never proved possession of their destination do not linger.

- A user /auth/start created and nobody signed in to before its code (and
  sign-in session) ran out is deleted: a pumping run leaves no users behind,
  and no monthly-active-user cost.
- A password sign-up nobody confirmed within a day (Cognito's confirmation
  codes live 24 hours) is deleted, so a squatter's sign-up expires.

No FastAPI: it runs from the kernel's settings and botocore clients only."""

from __future__ import annotations

import time
from datetime import UTC, datetime
from typing import Any

from botocore.exceptions import ClientError
from pydantic import BaseModel, Field

from auth.dynamodb_pending_users import DynamoDbPendingUsers
from auth.triggers.aws import client
from service_kernel.invocation import lambda_function
from service_kernel.settings import load_settings

UNCONFIRMED_FOR_SECONDS = 24 * 3600
UNCONFIRMED = 'cognito:user_status = "UNCONFIRMED"'

now = time.time  # tests move it


class CleanupSettings(BaseModel):
    table_name: str = Field(min_length=1)
    user_pool_id: str = Field(min_length=1)


settings = load_settings(CleanupSettings)


@lambda_function
def handler(_event: dict[str, Any], _context: Any) -> dict[str, int]:
    moment = now()
    cognito = client("cognito-idp")
    pending = DynamoDbPendingUsers(client("dynamodb"), settings.table_name)
    unproved = 0
    for sub in pending.due(moment):
        _delete(cognito, sub)
        pending.remove(sub)
        unproved += 1
    unconfirmed = 0
    for username in _unconfirmed_since(cognito, moment - UNCONFIRMED_FOR_SECONDS):
        _delete(cognito, username)
        unconfirmed += 1
    # Counts only: never a sub, a number or an address in the logs.
    return {"unproved_deleted": unproved, "unconfirmed_deleted": unconfirmed}


def _delete(cognito: Any, username: str) -> None:
    try:
        cognito.admin_delete_user(UserPoolId=settings.user_pool_id, Username=username)
    except ClientError as exc:
        if exc.response["Error"]["Code"] != "UserNotFoundException":
            raise


def _unconfirmed_since(cognito: Any, before: float) -> list[str]:
    cutoff = datetime.fromtimestamp(before, tz=UTC)
    found: list[str] = []
    request: dict[str, Any] = {"UserPoolId": settings.user_pool_id, "Filter": UNCONFIRMED}
    while True:
        page = cognito.list_users(**request)
        found += [user["Username"] for user in page.get("Users", []) if _created(user) <= cutoff]
        if not page.get("PaginationToken"):
            return found
        request["PaginationToken"] = page["PaginationToken"]


def _created(user: dict[str, Any]) -> datetime:
    created = user["UserCreateDate"]
    if isinstance(created, datetime):
        return created if created.tzinfo else created.replace(tzinfo=UTC)
    return datetime.fromtimestamp(float(created), tz=UTC)
