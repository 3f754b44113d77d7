"""The merged document is named and versioned after the root project."""

from __future__ import annotations

from pathlib import Path

from local_runtime.api_info import api_info
from tests.fake_program import REPO


def test_the_info_is_the_root_projects(tmp_path: Path) -> None:
    (tmp_path / "pyproject.toml").write_text('[project]\nname = "api"\nversion = "2.0.1"\n')
    info = api_info(tmp_path)
    assert (info.title, info.version) == ("api", "2.0.1")


def test_the_workspace_api_is_serverless_backend() -> None:
    info = api_info(REPO)
    assert info.title == "serverless-backend"
    assert "docs/api.md" in info.description
