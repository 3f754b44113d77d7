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

from infra.program.config import PROJECT, ConfigError, StackConfig, parse_stack_config
from infra.program.stack_file_errors import in_file, missing_stack_file, not_yaml
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
    it (strings; objects as JSON), and the keys encrypted in it (`secure:`)."""

    path: Path
    values: dict[str, str] = field(default_factory=dict)
    encrypted: frozenset[str] = frozenset()

    def config(self) -> StackConfig:
        """The stack's typed config, parsed as the program parses it."""
        secrets = sorted(key for key in self.encrypted if key.startswith(f"{PROJECT}:"))
        if secrets:
            # The stack's secrets are SSM parameters `make secrets` makes; a value set
            # with `pulumi config set --secret` is left over from before, and unread.
            raise ConfigError(
                f"{', '.join(secrets)} is a secret in {self.path.name}, but every stack "
                "secret lives in SSM (make secrets): `pulumi config rm "
                f"{secrets[0].partition(':')[2]} --stack <stack>` (docs/deploy.md, Secrets)"
            )
        project_values = {
            key.partition(":")[2]: value
            for key, value in self.values.items()
            if key.startswith(f"{PROJECT}:")
        }
        try:
            return parse_stack_config(project_values, region=self.values.get("aws:region"))
        except ConfigError as exc:
            raise ConfigError(in_file(self.path, str(exc))) from None


def stack_config(stack: str, *, config_file: Path | None = None) -> StackConfig:
    """The typed config of a stack, read from its file the way the program reads it."""
    return read_stack_file(config_file or stack_file(stack)).config()


def read_stack_file(path: Path) -> StackFile:
    if not path.is_file():
        raise ConfigError(missing_stack_file(path, stacks(path.parent)))
    try:
        data = yaml.safe_load(path.read_text()) or {}
    except yaml.YAMLError as exc:
        raise ConfigError(not_yaml(path, exc)) from None
    values: dict[str, str] = {}
    encrypted: set[str] = set()
    for key, value in (data.get("config") or {}).items():
        if isinstance(value, dict) and set(value) == {"secure"}:
            encrypted.add(key)
            continue
        values[key] = value if isinstance(value, str) else json.dumps(value)
    return StackFile(path, values, frozenset(encrypted))
