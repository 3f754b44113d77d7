"""AWS clients, built once per process and reused by every invocation."""

from __future__ import annotations

from functools import cache
from typing import Any

import boto3
from botocore.config import Config


@cache
def client(service_name: str, *, timeout: float = 3.0, max_attempts: int = 3) -> Any:
    """A boto3 client with explicit timeouts: a Lambda must never wait on the
    SDK's 60-second defaults."""
    config = Config(
        connect_timeout=timeout,
        read_timeout=timeout,
        retries={"mode": "standard", "max_attempts": max_attempts},
    )
    return boto3.client(service_name, config=config)
