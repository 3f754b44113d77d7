"""The stack files, `Pulumi.<stack>.yaml`: which stacks there are, and each
one's config read once, as the engine would hand it to the program.

Needs only pydantic and PyYAML (no Pulumi SDK), so the policy pack reads the
same typed config as the program.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from pathlib import Path

import yaml

from infra.config import PROJECT, SECRET_KEYS, ConfigError, StackConfig, parse_stack_config
from infra.repo import repo_root


def stack_file(stack: str, repo: Path | None = None) -> Path:
    return (repo or repo_root()) / f"Pulumi.{stack}.yaml"


def stacks(repo: Path | None = None) -> list[str]:
    """Every stack with a Pulumi.<stack>.yaml, sorted."""
    root = repo or repo_root()
    return sorted(path.name[len("Pulumi.") : -len(".yaml")] for path in root.glob("Pulumi.*.yaml"))


@dataclass(frozen=True)
class StackFile:
    """A `Pulumi.<stack>.yaml`, read once: its config as the engine would pass
    it (strings; objects as JSON), which of those are secrets, and the keys
    encrypted in it (only the Pulumi CLI can read those)."""

    path: Path
    values: dict[str, str] = field(default_factory=dict)
    secret_keys: tuple[str, ...] = ()
    encrypted: frozenset[str] = frozenset()

    def config(self) -> StackConfig:
        """The stack's typed config, parsed as the program parses it."""
        project_values = {
            key.partition(":")[2]: value
            for key, value in self.values.items()
            if key.startswith(f"{PROJECT}:") and key.partition(":")[2] not in SECRET_KEYS
        }
        return parse_stack_config(project_values, region=self.values.get("aws:region"))


def stack_config(stack: str, *, config_file: Path | None = None) -> StackConfig:
    """The typed config of a stack, read from its file the way the program reads it."""
    return read_stack_file(config_file or stack_file(stack)).config()


def read_stack_file(path: Path) -> StackFile:
    if not path.is_file():
        raise ConfigError(f"no stack config file {path}")
    data = yaml.safe_load(path.read_text()) or {}
    values: dict[str, str] = {}
    secret_keys: list[str] = []
    encrypted: set[str] = set()
    for key, value in (data.get("config") or {}).items():
        if isinstance(value, dict) and set(value) == {"secure"}:
            encrypted.add(key)
            continue
        values[key] = value if isinstance(value, str) else json.dumps(value)
        if key.split(":", 1)[-1] in SECRET_KEYS:
            secret_keys.append(key)
    return StackFile(path, values, tuple(secret_keys), frozenset(encrypted))
