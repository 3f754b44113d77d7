"""Readiness checks: can this deployment reach its table and its user pool?"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from typing import Any, Literal

from botocore.exceptions import BotoCoreError, ClientError

from health.settings import settings
from service_kernel import get_logger
from service_kernel.aws import client

CheckResult = Literal["ok", "error"]


def table_client() -> Any:
    return client("dynamodb", timeout=settings.readiness_timeout, max_attempts=1)


def user_pool_client() -> Any:
    return client("cognito-idp", timeout=settings.readiness_timeout, max_attempts=1)


def build_clients() -> None:
    """The checks' clients, built once per process (before a SnapStart snapshot)."""
    table_client()
    user_pool_client()


def check_table() -> None:
    table_client().describe_table(TableName=settings.table_name)


def check_user_pool() -> None:
    user_pool_client().describe_user_pool(UserPoolId=settings.user_pool_id)


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


# /readyz is public: without a cache, every hit would make two control-plane
# calls (DescribeTable, DescribeUserPool), whose own rate limits are low. A
# few seconds old is fresh enough for a readiness probe.
CACHE_SECONDS = 5.0
clock = time.monotonic  # tests move it
_cache_lock = threading.Lock()
_cached: tuple[float, dict[str, CheckResult]] | None = None


def cached_checks() -> dict[str, CheckResult]:
    """The checks' results: a passing answer is reused for CACHE_SECONDS per
    process; a failing one is not kept, so recovery shows at once (each failing
    check is already bounded by its timeout)."""
    global _cached
    with _cache_lock:
        if _cached is not None and clock() - _cached[0] < CACHE_SECONDS:
            return dict(_cached[1])
        results = run_checks()
        healthy = all(result == "ok" for result in results.values())
        _cached = (clock(), results) if healthy else None
        return dict(results)


def forget_cached_checks() -> None:
    global _cached
    with _cache_lock:
        _cached = None
