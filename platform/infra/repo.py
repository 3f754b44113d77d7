"""Where the checkout is."""

from __future__ import annotations

from pathlib import Path


def repo_root() -> Path:
    """The checkout holding this program (the folder with uv.lock and Pulumi.yaml)."""
    return Path(__file__).resolve().parents[2]
