"""Trigger functions must not load the web stack (nor boto3): they run inside
a sign-in. The kernel's settings and AWS clients are fine: they load neither."""

from __future__ import annotations

import subprocess
import sys

import pytest

TRIGGERS = [
    "auth.triggers.pre_sign_up",
    "auth.triggers.define_auth_challenge",
    "auth.triggers.create_auth_challenge",
    "auth.triggers.verify_auth_challenge_response",
    # Not a trigger, but a function of its own that needs no web stack either.
    "auth.cleanup",
]


@pytest.mark.parametrize("module", TRIGGERS)
def test_a_trigger_imports_neither_fastapi_nor_boto3(module: str) -> None:
    probe = (
        f"import sys, {module}; "
        "heavy = [m for m in ('fastapi', 'starlette', 'mangum', 'boto3', 'service_kernel.app') "
        "if m in sys.modules]; "
        "print(','.join(heavy))"
    )
    result = subprocess.run(
        [sys.executable, "-c", probe], capture_output=True, text=True, check=True
    )
    assert result.stdout.strip() == ""
