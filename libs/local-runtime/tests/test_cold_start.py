"""The cold-start benchmark measures a handler's import in a fresh process."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

from local_runtime.cold_start import import_milliseconds
from tests.support import local_function


def test_a_handler_that_imports_is_timed() -> None:
    assert import_milliseconds(Path(sys.executable), local_function("json.dumps")) > 0


def test_a_handler_that_cannot_start_fails_the_benchmark() -> None:
    with pytest.raises(subprocess.CalledProcessError):
        import_milliseconds(Path(sys.executable), local_function("json.no_such_handler"))
