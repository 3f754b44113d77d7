from __future__ import annotations

import subprocess
import sys

from local_runtime.__main__ import parse_args, program_files
from local_runtime.runtime import REPO_ROOT


def test_the_entry_point_defaults_to_dev_on_8000() -> None:
    args = parse_args([])
    assert (args.stack, args.port, args.config_file, args.no_watch) == ("dev", 8000, None, False)
    args = parse_args(["--stack", "prod", "--port", "8001"])
    assert (args.stack, args.port) == ("prod", 8001)


def test_python_dash_m_local_runtime_runs() -> None:
    result = subprocess.run(
        [sys.executable, "-m", "local_runtime", "--help"],
        capture_output=True,
        text=True,
        check=False,
        timeout=60,
    )
    assert result.returncode == 0, result.stderr
    assert "--stack" in result.stdout


def test_the_program_its_manifests_and_the_stack_file_are_watched() -> None:
    watched = program_files("dev", None)
    assert REPO_ROOT / "platform" / "infra" in watched
    assert REPO_ROOT / "services" / "health" / "service.toml" in watched
    assert watched[-1] == REPO_ROOT / "Pulumi.dev.yaml"
