"""`make dev`'s command line: its options, and a person's mistake in a few lines."""

from __future__ import annotations

import os
import subprocess
import sys
import time
from pathlib import Path

import pytest

from local_runtime import __main__ as entry
from local_runtime.__main__ import parse_args, process_started, program_files
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


def make_dev(*args: str, debug: bool = False) -> subprocess.CompletedProcess[str]:
    """`python -m local_runtime` as `make dev` runs it, stopped by a mistake before it serves."""
    environment = {k: v for k, v in os.environ.items() if k != "DEBUG"}
    if debug:
        environment["DEBUG"] = "1"
    return subprocess.run(
        [sys.executable, "-m", "local_runtime", "--port", "0", "--no-watch", *args],
        capture_output=True,
        text=True,
        check=False,
        timeout=120,
        env=environment,
    )


def test_an_unknown_stack_is_a_few_lines_listing_the_stacks_there_are() -> None:
    result = make_dev("--stack", "nosuch")

    assert result.returncode == 2
    assert result.stderr == (
        "error: no stack 'nosuch': there is no Pulumi.nosuch.yaml\n"
        "  the stacks (a Pulumi.<stack>.yaml each): dev, prod\n"
    )


def test_a_misspelt_stack_file_key_is_a_few_lines_with_the_nearest_key(tmp_path: Path) -> None:
    config = tmp_path / "Pulumi.dev.yaml"
    config.write_text((REPO_ROOT / "Pulumi.dev.yaml").read_text().replace("memory:", "memroy:"))

    result = make_dev("--config-file", str(config))

    assert result.returncode == 2
    assert "Traceback" not in result.stderr
    assert "serverless-backend:functions.memroy: unknown key; did you mean `memory`?" in (
        result.stderr
    )
    assert len(result.stderr.splitlines()) <= 3


def test_with_debug_a_mistake_keeps_its_traceback() -> None:
    result = make_dev("--stack", "nosuch", debug=True)

    assert result.returncode == 1
    assert "Traceback (most recent call last)" in result.stderr
    assert "infra.program.config.ConfigError: no stack 'nosuch'" in result.stderr


def test_verbose_and_debug_are_off_unless_asked_for(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("DEBUG", raising=False)
    args = parse_args([])
    assert (args.verbose, args.debug) == (False, False)
    args = parse_args(["--verbose", "--debug"])
    assert (args.verbose, args.debug) == (True, True)
    monkeypatch.setenv("DEBUG", "1")  # make dev DEBUG=1 exports it
    assert parse_args([]).debug


def test_ready_is_counted_from_the_process_start() -> None:
    """Before this module was imported, and so before the program was declared."""
    started = process_started()

    assert started <= entry._IMPORTED
    assert started <= time.monotonic()
