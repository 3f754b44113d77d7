"""Readiness checks: can this deployment reach its table and its user pool?"""

from __future__ import annotations

from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from typing import Literal

from botocore.exceptions import BotoCoreError, ClientError

from health.settings import settings
from service_kernel import get_logger
from service_kernel.aws import client

CheckResult = Literal["ok", "error"]


def check_table() -> None:
    dynamodb = client("dynamodb", timeout=settings.readiness_timeout, max_attempts=1)
    dynamodb.describe_table(TableName=settings.table_name)


def check_user_pool() -> None:
    cognito = client("cognito-idp", timeout=settings.readiness_timeout, max_attempts=1)
    cognito.describe_user_pool(UserPoolId=settings.user_pool_id)


CHECKS: dict[str, Callable[[], None]] = {
    "table": check_table,
    "user_pool": check_user_pool,
}

_pool = ThreadPoolExecutor(max_workers=len(CHECKS), thread_name_prefix="readyz")


def _run(name: str, check: Callable[[], None]) -> CheckResult:
    try:
        check()
    except (BotoCoreError, ClientError) as exc:
        get_logger().warning("readiness check failed", check=name, error=type(exc).__name__)
        return "error"
    return "ok"


def run_checks() -> dict[str, CheckResult]:
    """Every check, side by side, so the answer takes one timeout at most."""
    futures = {name: _pool.submit(_run, name, check) for name, check in CHECKS.items()}
    return {name: future.result() for name, future in futures.items()}
