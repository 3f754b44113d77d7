"""Each service's own interpreter: its workspace member synced alone.

A worker runs with exactly the dependencies its service declares, as its
Lambda bundle would, in `.venvs/<service>`: the same environment
`make test SERVICE=<service>` uses, synced with the same command, so the
two never fight over it.
"""

from __future__ import annotations

import os
import subprocess
from collections.abc import Callable
from pathlib import Path

from infra.bundles.bundle import uv_executable


class SyncError(RuntimeError):
    """A service's environment could not be synced."""


def service_python(root: Path, service: str, warn: Callable[[str], None] = print) -> Path:
    """Sync `.venvs/<service>` from uv.lock and return its interpreter.

    A lock file older than a pyproject.toml (someone added a dependency and
    has not run `make lock` yet) is used as it is, with a warning: the runtime
    never rewrites uv.lock behind the developer's back."""
    environment_dir = root / ".venvs" / service
    result = _sync(root, service, environment_dir, "--locked")
    if result.returncode != 0 and "needs to be updated" in result.stderr:
        warn(f"uv.lock is out of date (run `make lock`); {service} runs from it as it is")
        result = _sync(root, service, environment_dir, "--frozen")
    if result.returncode != 0:
        raise SyncError(f"uv sync --package {service} failed:\n{result.stderr.strip()}")
    bin_dir = "Scripts" if os.name == "nt" else "bin"
    return environment_dir / bin_dir / "python"


def _sync(
    root: Path, service: str, environment_dir: Path, lock_mode: str
) -> subprocess.CompletedProcess[str]:
    env = dict(os.environ, UV_PROJECT_ENVIRONMENT=str(environment_dir))
    env.pop("VIRTUAL_ENV", None)
    return subprocess.run(  # noqa: S603 - uv from PATH, fixed arguments
        [uv_executable(), "sync", lock_mode, "--quiet", "--package", service],
        cwd=root,
        env=env,
        capture_output=True,
        text=True,
        check=False,
    )
