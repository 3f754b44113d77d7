"""Resolve a manifest function's `${...}` environment references for a stack.

The references (libs/service-manifest): `${stage}`, `${table.name}`,
`${table.arn}`, `${user_pool.id}`, `${user_pool.arn}`, `${user_pool.client_id}`,
`${service.version}` (the service's own: infra.bundle.service_version),
`${config.<camelCase.path>}` and `${secret.<key>}`.
Secrets stay Pulumi secret Outputs, so they are encrypted in the state and
masked in logs; everything else may be a plain string or an Output.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

import pulumi

from infra.config import StackConfig
from service_manifest import Function, Manifest
from service_manifest.model import REFERENCE

EnvValue = str | pulumi.Output[str]


class UnknownReferenceError(ValueError):
    """A manifest references something the platform does not provide."""


@dataclass(frozen=True)
class SharedValues:
    """What every service's environment may reference, for one stack."""

    stage: str
    config: StackConfig
    table_name: pulumi.Input[str]
    table_arn: pulumi.Input[str]
    user_pool_id: pulumi.Input[str]
    user_pool_arn: pulumi.Input[str]
    user_pool_client_id: pulumi.Input[str]
    secrets: Mapping[str, pulumi.Output[str]]

    def lookup(self, reference: str, *, version: str) -> pulumi.Input[str]:
        """The value of `${reference}` in the environment of the service at `version`."""
        plain: dict[str, pulumi.Input[str]] = {
            "stage": self.stage,
            "service.version": version,
            "table.name": self.table_name,
            "table.arn": self.table_arn,
            "user_pool.id": self.user_pool_id,
            "user_pool.arn": self.user_pool_arn,
            "user_pool.client_id": self.user_pool_client_id,
        }
        if reference in plain:
            return plain[reference]
        root, _, rest = reference.partition(".")
        if root == "config" and rest:
            return config_string(self.config.value_at(rest))
        if root == "secret" and rest in self.secrets:
            return self.secrets[rest]
        raise KeyError(reference)


def config_string(value: Any) -> str:
    """A config value as an environment string: bools lower-case, numbers in decimal."""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, int | float | str):
        return str(value)
    raise KeyError("not a single value")


def resolve_environment(
    manifest: Manifest, function: Function, values: SharedValues, *, version: str
) -> dict[str, pulumi.Input[str]]:
    """The function's environment with every reference replaced, plus Powertools'.

    `version` is the service's own `${service.version}`, so one service's change never
    touches another's environment."""
    resolved: dict[str, pulumi.Input[str]] = {}
    for variable, template in sorted(function.environment.items()):
        parts: list[pulumi.Input[str]] = []
        position = 0
        for match in REFERENCE.finditer(template):
            parts.append(template[position : match.start()])
            try:
                parts.append(values.lookup(match.group(1), version=version))
            except KeyError:
                raise UnknownReferenceError(
                    f"service {manifest.name}, function {function.name}: {variable} references "
                    f"${{{match.group(1)}}}, which the platform does not provide"
                ) from None
            position = match.end()
        parts.append(template[position:])
        parts = [part for part in parts if part != ""]
        if all(isinstance(part, str) for part in parts):
            resolved[variable] = "".join(str(part) for part in parts)
        elif len(parts) == 1:
            resolved[variable] = parts[0]
        else:
            resolved[variable] = pulumi.Output.concat(*parts)
    resolved["POWERTOOLS_SERVICE_NAME"] = manifest.name
    resolved["POWERTOOLS_LOG_LEVEL"] = values.config.functions.log_level
    return resolved
