"""AWS clients for the triggers: the kernel's, built once per process, with
timeouts that fit inside Cognito's 5-second budget for a trigger."""

from __future__ import annotations

from typing import Any

from service_kernel.aws import client as kernel_client


def client(service_name: str) -> Any:
    return kernel_client(service_name, timeout=2, max_attempts=2)
