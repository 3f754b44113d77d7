"""A function's environment: what the platform gives every function, plus its
manifest's variables with each `${reference}` resolved for the stack.

The references (libs/service-manifest): `${stage}`, `${table.name}`,
`${table.arn}`, `${user_pool.id}`, `${user_pool.arn}`, `${user_pool.client_id}`,
`${service.version}` (the service's own: infra.bundles.bundle.service_version),
`${config.<camelCase.path>}` and `${secret.<key>}`: the name (with its version)
of the SSM SecureString parameter holding that stack secret, never the secret,
which `lambda:GetFunctionConfiguration` would show to anyone allowed it.
"""

from __future__ import annotations

import pulumi

from infra.program.shared import SharedStack, config_string
from service_manifest import Function, Manifest
from service_manifest.model import REFERENCE


class UnknownReferenceError(ValueError):
    """A manifest references something the platform does not provide."""


def platform_variables(
    manifest: Manifest, function: Function, shared: SharedStack, *, version: str
) -> dict[str, str]:
    """What every function gets, read by `service_kernel.ServiceSettings` and
    Powertools: the stack, its production flag, the service's version, the
    stack's metrics namespace, whether traces are on (X-Ray's Active mode), and
    (on the function that serves the service's OpenAPI) whether docs are on."""
    variables = {
        "STAGE": shared.names.stack,
        "PRODUCTION": config_string(shared.config.production),
        "SERVICE_VERSION": version,
        "POWERTOOLS_SERVICE_NAME": manifest.name,
        "POWERTOOLS_LOG_LEVEL": shared.config.functions.log_level,
        "POWERTOOLS_METRICS_NAMESPACE": shared.names.metrics_namespace,
        # Off unless Lambda samples the function's traces itself (Active): in
        # PassThrough nothing upstream samples (HTTP APIs do not trace), so Tracer
        # would cost an import for nothing.
        "POWERTOOLS_TRACE_DISABLED": config_string(shared.config.functions.tracing != "Active"),
    }
    if function.openapi:
        variables["ENABLE_DOCS"] = config_string(shared.config.enable_docs)
    return variables


def resolve_environment(
    manifest: Manifest, function: Function, shared: SharedStack, *, version: str
) -> dict[str, pulumi.Input[str]]:
    """The function's environment: its manifest's variables with every reference
    replaced, then the platform's (which a manifest cannot override).

    `version` is the service's own `${service.version}`, so one service's change never
    touches another's environment."""
    platform = platform_variables(manifest, function, shared, version=version)
    clashes = sorted(function.environment.keys() & platform.keys())
    if clashes:
        raise UnknownReferenceError(
            f"service {manifest.name}, function {function.name}: {', '.join(clashes)} "
            "is set by the platform; remove it from service.toml"
        )
    resolved: dict[str, pulumi.Input[str]] = {
        variable: _resolve(manifest, function, variable, template, shared, version)
        for variable, template in sorted(function.environment.items())
    }
    return {**resolved, **platform}


def _resolve(
    manifest: Manifest,
    function: Function,
    variable: str,
    template: str,
    shared: SharedStack,
    version: str,
) -> pulumi.Input[str]:
    parts: list[pulumi.Input[str]] = []
    position = 0
    for match in REFERENCE.finditer(template):
        parts.append(template[position : match.start()])
        name = match.group(1)
        try:
            parts.append(version if name == "service.version" else shared.reference(name))
        except KeyError:
            raise UnknownReferenceError(
                f"service {manifest.name}, function {function.name}: {variable} references "
                f"${{{name}}}, which the platform does not provide"
            ) from None
        position = match.end()
    parts.append(template[position:])
    parts = [part for part in parts if part != ""]
    if all(isinstance(part, str) for part in parts):
        return "".join(str(part) for part in parts)
    if len(parts) == 1:
        return parts[0]
    return pulumi.Output.concat(*parts)
