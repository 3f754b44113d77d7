"""AWS clients, built once per process and reused by every invocation."""

from __future__ import annotations

import threading
from functools import cache
from typing import Any

from botocore.config import Config
from botocore.exceptions import ClientError
from botocore.session import Session, get_session

_lock = threading.Lock()


@cache
def _session() -> Session:
    return get_session()


def client(service_name: str, *, timeout: float = 3.0, max_attempts: int = 3) -> Any:
    """A botocore client with explicit timeouts: a Lambda must never wait on
    the SDK's 60-second defaults. botocore rather than boto3: same client,
    less to import at cold start."""
    with _lock:  # creating clients from one session is not thread-safe
        return _cached_client(service_name, timeout, max_attempts)


@cache
def _cached_client(service_name: str, timeout: float, max_attempts: int) -> Any:
    config = Config(
        connect_timeout=timeout,
        read_timeout=timeout,
        retries={"mode": "standard", "max_attempts": max_attempts},
    )
    return _session().create_client(service_name, config=config)


def clear_clients() -> None:
    """Forget every client (tests that change the endpoint or credentials)."""
    _cached_client.cache_clear()
    _session.cache_clear()


def error_code(exc: ClientError) -> str:
    """The AWS error code of a failed call, e.g. `ConditionalCheckFailedException`."""
    return str(exc.response.get("Error", {}).get("Code", ""))


def error_message(exc: ClientError) -> str:
    return str(exc.response.get("Error", {}).get("Message", ""))
