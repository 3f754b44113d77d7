"""Each service's own interpreter: its workspace member synced alone.

A worker runs with exactly the dependencies its service declares, as its
Lambda bundle would, in `.venvs/<service>`: the same environment
`make test SERVICE=<service>` uses, synced with the same command, so the
two never fight over it.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path


class SyncError(RuntimeError):
    """A service's environment could not be synced."""


def uv_command() -> list[str]:
    found = shutil.which("uv")
    return [found] if found else [sys.executable, "-m", "uv"]


def service_python(root: Path, service: str) -> Path:
    """Sync `.venvs/<service>` from uv.lock and return its interpreter."""
    environment_dir = root / ".venvs" / service
    env = dict(os.environ, UV_PROJECT_ENVIRONMENT=str(environment_dir))
    env.pop("VIRTUAL_ENV", None)
    result = subprocess.run(  # noqa: S603 - uv from PATH, fixed arguments
        [*uv_command(), "sync", "--locked", "--quiet", "--package", service],
        cwd=root,
        env=env,
        capture_output=True,
        text=True,
        check=False,
    )
    if result.returncode != 0:
        raise SyncError(f"uv sync --package {service} failed:\n{result.stderr.strip()}")
    bin_dir = "Scripts" if os.name == "nt" else "bin"
    return environment_dir / bin_dir / "python"
