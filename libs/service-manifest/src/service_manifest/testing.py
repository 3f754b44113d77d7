"""A service's environment for its own tests, from its service.toml: every
function's variables, each `${reference}` replaced the way the platform
replaces it for a stack, from values the test gives like a stack file would.

So a test states what a stack states (its config, its resource names) and
never restates a variable service.toml already declares."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import Any

from service_manifest.model import REFERENCE, SECRET_PREFIX, Manifest


def environment(
    manifest: Manifest,
    *,
    config: Mapping[str, Any],
    resources: Mapping[str, str],
    secret_parameter: Callable[[str], str],
) -> dict[str, str]:
    """The union of every function's environment in `manifest`, resolved.

    `config` is the stack's config as in `Pulumi.<stack>.yaml` (camelCase
    keys, nested); `resources` the other references (`table.name`,
    `user_pool.id`, ...); `secret_parameter(key)` the SSM parameter naming
    a stack secret. A reference with no value, or a variable two functions
    declare differently, is a KeyError naming it."""
    resolved: dict[str, str] = {}
    for function in manifest.functions:
        for variable, template in function.environment.items():
            value = REFERENCE.sub(
                lambda match: _value(match.group(1), config, resources, secret_parameter),
                template,
            )
            if resolved.setdefault(variable, value) != value:
                raise KeyError(f"{variable} differs between {manifest.name}'s functions")
    return resolved


def _value(
    reference: str,
    config: Mapping[str, Any],
    resources: Mapping[str, str],
    secret_parameter: Callable[[str], str],
) -> str:
    if reference.startswith(SECRET_PREFIX):
        return secret_parameter(reference.removeprefix(SECRET_PREFIX))
    if reference.startswith("config."):
        value: Any = config
        for key in reference.removeprefix("config.").split("."):
            if not isinstance(value, Mapping) or key not in value:
                raise KeyError(f"${{{reference}}}: no such config value")
            value = value[key]
        return environment_string(value)
    if reference not in resources:
        raise KeyError(f"${{{reference}}}: no value given")
    return resources[reference]


def environment_string(value: object) -> str:
    """A config value as the platform writes it into an environment
    (infra.program.shared.config_string): bools lower-case, lists comma-separated."""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, list | tuple):
        return ",".join(str(item) for item in value)
    return str(value)
