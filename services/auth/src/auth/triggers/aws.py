"""AWS clients for the triggers, built once per process with short timeouts
(the kernel's aws.client does the same for the API, but importing the kernel
package loads FastAPI)."""

from __future__ import annotations

from functools import cache
from typing import Any

import boto3
from botocore.config import Config


@cache
def client(service_name: str) -> Any:
    # A trigger runs inside Cognito's 5-second budget for the whole sign-in step.
    config = Config(
        connect_timeout=2, read_timeout=2, retries={"mode": "standard", "max_attempts": 2}
    )
    return boto3.client(service_name, config=config)
