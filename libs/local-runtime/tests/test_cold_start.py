"""The cold-start benchmark measures a handler's import in a fresh process."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

from local_runtime.cold_start import import_milliseconds
from local_runtime.model import LocalFunction


def function(handler: str, **environment: str) -> LocalFunction:
    return LocalFunction(
        name="probe",
        function_name="probe",
        arn="arn:aws:lambda:us-east-1:123456789012:function:probe",
        service="probe",
        handler=handler,
        environment=environment,
        timeout=3,
        memory=128,
        concurrency=1,
    )


def test_a_handler_that_imports_is_timed() -> None:
    assert import_milliseconds(Path(sys.executable), function("json.dumps")) > 0


def test_a_handler_that_cannot_start_fails_the_benchmark() -> None:
    with pytest.raises(subprocess.CalledProcessError):
        import_milliseconds(Path(sys.executable), function("json.no_such_handler"))
