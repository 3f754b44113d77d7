"""The Pulumi program: read the stack config once, then declare the stack in
three steps, top to bottom:

1. the shared resources: the table, the user pool, the HTTP API (and its
   domain), the stack's secrets, and what sends e-mail and SMS;
2. the services, one `Service` per `services/*/service.toml`;
3. observability: the alarms and the dashboard;

then publish the outputs. `platform/__main__.py` calls `run()` under `pulumi up`;
`infra.offline.declared.declare` calls the same `run()` under Pulumi's mocks. Every
physical name comes from `infra.program.names.StackNames`.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from functools import partial
from pathlib import Path
from typing import Any

import pulumi
import pulumi_aws as aws

from infra.bundles.bundle import Workspace, build_bundle, service_version
from infra.offline import engine
from infra.operations.secret_parameters import stack_secrets
from infra.program.components.alarms import Alarms, AlarmsArgs, MetricAlarm
from infra.program.components.api import HttpApi, HttpApiArgs
from infra.program.components.dashboard import (
    Dashboard,
    DashboardArgs,
    DashboardFunction,
    ServiceMetrics,
)
from infra.program.components.data import Data, DataArgs
from infra.program.components.domain import ApiDomain, ApiDomainArgs
from infra.program.components.email import EmailIdentityArgs, declare_email_identity
from infra.program.components.identity import Identity, IdentityArgs
from infra.program.components.published import PublishedOutputs
from infra.program.components.secrets import SecretParameter, stack_secret_parameters
from infra.program.components.service import Service, ServiceArgs, function_arn
from infra.program.config import PROJECT, SmsConfig, StackConfig, parse_stack_config
from infra.program.iam import email_identity_arns
from infra.program.names import StackNames
from infra.program.shared import ApiAttachment, SharedStack
from infra.program.stack_tag import stack_tags
from infra.repo import repo_root
from service_manifest import Manifest, find_manifests
from service_manifest.model import REFERENCE

CodeFor = Callable[[Manifest], pulumi.Archive]
# A service's `${service.version}`.
VersionFor = Callable[[Manifest], str]


def run(
    *,
    build_bundles: bool = True,
    version: str | None = None,
    services_dir: Path | None = None,
) -> dict[str, pulumi.Output[Any]]:
    """Declare the whole stack and export its outputs.

    Services are discovered from `services/*/service.toml` (or `services_dir`), so a new
    service needs no change here. Each service's `${service.version}` follows its own
    content (infra.bundles.bundle.service_version) unless `version` gives every service one value.
    """
    root = repo_root()
    config = read_stack_config()
    workspace = Workspace(root)
    code = (
        bundle_code(workspace, config.functions.architecture) if build_bundles else placeholder_code
    )
    version_for: VersionFor = (
        (lambda _manifest: version) if version else partial(service_version, workspace)
    )
    outputs = declare_stack(
        names=StackNames(pulumi.get_project(), pulumi.get_stack()),
        config=config,
        manifests=find_manifests(services_dir or root / "services"),
        code=code,
        version=version_for,
    )
    for key, value in outputs.items():
        pulumi.export(key, value)
    return outputs


def declare_stack(
    *,
    names: StackNames,
    config: StackConfig,
    manifests: tuple[Manifest, ...],
    code: CodeFor,
    version: VersionFor,
) -> dict[str, pulumi.Output[Any]]:
    check_services_fit_together(manifests)
    if config.permissions_boundary_arn is None:
        # Production stacks cannot get here (infra.program.config refuses them).
        pulumi.log.warn(
            f"stack {names.stack} sets no permissionsBoundaryArn: its deploy role may create "
            "roles with any policy (set the bootstrap's boundary, docs/ci-cd.md)"
        )
    shared = declare_shared_resources(names, config, manifests)
    services = declare_services(manifests, shared.stack, code, version)
    dashboard, release_alarms = declare_observability(names, config, manifests, shared, services)
    outputs: dict[str, pulumi.Output[Any]] = {
        "api_url": shared.api_url,
        "user_pool_id": shared.identity.user_pool.id,
        "user_pool_client_id": shared.identity.client.id,
        "table_name": shared.data.table.name,
        "region": pulumi.Output.from_input(config.region),
    }
    PublishedOutputs("published", names.published_prefix, outputs)
    return {
        **outputs,
        # For operators: the stack's CloudWatch dashboard (docs/deploy.md, The dashboard).
        "dashboard_name": dashboard.dashboard.dashboard_name,
        # For the deploy pipeline, not for consumers: the aliases it waits on until their
        # versions are Active (infra.operations.live_versions); empty where no version is published.
        "live_aliases": pulumi.Output.all(*services.live_aliases).apply(sorted),
        # For the release step (infra.operations.release): each `live` alias, the version
        # this deploy published, and the alarms that watch it; and how traffic moves to it.
        "releases": _releases(services, release_alarms),
        "deployment": pulumi.Output.from_input(config.functions.deployment),
    }


def _releases(
    services: DeclaredServices, alarms: dict[str, list[pulumi.Output[str]]]
) -> pulumi.Output[list[dict[str, Any]]]:
    entries = [
        pulumi.Output.all(alias, version, *alarms.get(suffix, [])).apply(
            lambda resolved: {
                "alias": resolved[0],
                "version": str(resolved[1]),
                "alarms": sorted(resolved[2:]),
            }
        )
        for suffix, (alias, version) in sorted(services.releases.items())
    ]
    return pulumi.Output.all(*entries).apply(lambda found: sorted(found, key=lambda e: e["alias"]))


# 1. Shared resources ------------------------------------------------------------


@dataclass(frozen=True)
class SharedResources:
    data: Data
    identity: Identity
    api: HttpApi
    # The custom domain's URL where the stack has one, else the execute-api URL.
    api_url: pulumi.Output[str]
    # What every service's component reads, by the names service.toml uses.
    stack: SharedStack


def declare_shared_resources(
    names: StackNames, config: StackConfig, manifests: tuple[Manifest, ...]
) -> SharedResources:
    """The table, the e-mail sender, the user pool, the HTTP API and the secrets."""
    account = aws.get_caller_identity_output().account_id
    data = Data(
        "data", DataArgs(table_name=names.table, settings=config.table, keep=config.production)
    )
    email_identity = declare_sender(config)
    identity = Identity(
        "identity",
        IdentityArgs(
            pool_name=names.base,
            settings=config.user_pool,
            deletion_protection=config.production,
            otp_ttl_seconds=config.auth.otp_ttl_seconds,
            email_sending=config.user_pool.email_sender,
            email_sender=config.auth.email_sender,
            # By reference: the pool waits for the identity (Cognito refuses a pool whose
            # identity does not exist or is not verified).
            email_identity_arn=email_identity.arn,
            triggers=_trigger_arns(names, config, manifests, account),
            tags=stack_tags(names.stack),
        ),
    )
    api = HttpApi(
        "api",
        HttpApiArgs(
            api_name=names.base,
            settings=config.api,
            log_retention_days=config.log_retention_days,
            jwt_issuer=identity.issuer,
            jwt_audience=identity.client.id,
            cors_allow_headers=tuple(h for m in manifests for h in m.cors.allow_headers),
            cors_expose_headers=tuple(h for m in manifests for h in m.cors.expose_headers),
            tags=stack_tags(names.stack),
        ),
    )
    api_url: pulumi.Output[str] = api.stage.invoke_url
    if config.api.domain and config.api.hosted_zone_id:
        domain = ApiDomain(
            "domain",
            ApiDomainArgs(
                domain=config.api.domain,
                hosted_zone_id=config.api.hosted_zone_id,
                api_id=api.api.id,
                stage=api.stage.name,
                tags=stack_tags(names.stack),
            ),
        )
        api_url = domain.url
    # The stack's secrets, by name only: `make secrets` makes them
    # (infra.operations.secret_parameters).
    secrets = stack_secret_parameters(
        names, config.region, account, [s.key for s in stack_secrets(config, manifests)]
    )
    stack = _shared_stack(names, config, account, data, identity, api, secrets)
    return SharedResources(data=data, identity=identity, api=api, api_url=api_url, stack=stack)


def _shared_stack(
    names: StackNames,
    config: StackConfig,
    account: pulumi.Output[str],
    data: Data,
    identity: Identity,
    api: HttpApi,
    secrets: dict[str, SecretParameter],
) -> SharedStack:
    """The shared resources by the names service.toml uses for them."""
    return SharedStack(
        names=names,
        config=config,
        references={
            "stage": names.stack,
            "table.name": data.table.name,
            "table.arn": data.table.arn,
            "user_pool.id": identity.user_pool.id,
            "user_pool.arn": identity.user_pool.arn,
            "user_pool.client_id": identity.client.id,
        },
        resources={
            "table": [data.table.arn],
            "user_pool": [identity.user_pool.arn],
            "email_identity": account.apply(
                lambda account_id: email_identity_arns(config.region, account_id)
            ),
            # SMS to a phone number has no ARN to scope to.
            "sms": ["*"],
        },
        secrets=secrets,
        api=ApiAttachment(
            api_id=api.api.id,
            execution_arn=api.api.execution_arn,
            authorizer_id=api.authorizer.id,
        ),
    )


def declare_sender(config: StackConfig) -> aws.sesv2.EmailIdentity:
    """The SES identity the stack sends e-mail through. (Its SMS settings are the
    account's, which the bootstrap sets: one per account and region, no stack's.)"""
    # SES sends only from a verified identity: declaring it makes AWS mail the address a
    # verification link, or wait for a domain's DKIM records (published in the stack's
    # zone when it has one). The auth service sends its codes through it too, so it is
    # declared on every stack.
    return declare_email_identity(
        EmailIdentityArgs(
            identity=config.auth.sending_identity, dkim_zone_id=config.api.hosted_zone_id
        )
    )


def _trigger_arns(
    names: StackNames,
    config: StackConfig,
    manifests: tuple[Manifest, ...],
    account: pulumi.Output[str],
) -> dict[str, pulumi.Output[str]]:
    """Cognito trigger → the ARN it invokes, built from the function's name so the
    pool can exist before the functions whose environment names the pool."""
    return {
        function.trigger: function_arn(
            config.region,
            account,
            names.function(manifest.name, function.name),
            live=config.functions.publishes_versions,
        )
        for manifest in manifests
        for function in manifest.functions
        if function.trigger
    }


# 2. Services --------------------------------------------------------------------


@dataclass
class DeclaredServices:
    # Logical name suffix (e.g. "health-api") → the function's physical name.
    function_names: dict[str, pulumi.Input[str]] = field(default_factory=dict)
    # Every function as the dashboard shows it.
    functions: list[DashboardFunction] = field(default_factory=list)
    # Logical name suffix → the function's timeout in seconds.
    function_timeouts: dict[str, int] = field(default_factory=dict)
    # The `live` aliases, where the stack publishes versions.
    live_aliases: list[pulumi.Output[str]] = field(default_factory=list)
    # Logical name suffix → its `live` alias's ARN and the version this deploy publishes.
    releases: dict[str, tuple[pulumi.Output[str], pulumi.Output[str]]] = field(default_factory=dict)


def declare_services(
    manifests: tuple[Manifest, ...], shared: SharedStack, code: CodeFor, version: VersionFor
) -> DeclaredServices:
    """One `Service` per manifest; nothing here knows a service by name."""
    declared = DeclaredServices()
    for manifest in manifests:
        service = Service(
            f"service-{manifest.name}",
            ServiceArgs(
                manifest=manifest, code=code(manifest), version=version(manifest), shared=shared
            ),
        )
        for key, function in service.functions.items():
            suffix = f"{manifest.name}-{key.replace('_', '-')}"
            declared.function_names[suffix] = function.name
            declared.function_timeouts[suffix] = service.timeouts[key]
            if key in service.aliases:
                declared.releases[suffix] = (service.aliases[key].arn, service.versions[key])
            declared.functions.append(
                DashboardFunction(
                    label=f"{manifest.name}.{key}",
                    name=shared.names.function(manifest.name, key),
                    service=manifest.name,
                )
            )
        declared.live_aliases += [alias.arn for alias in service.aliases.values()]
    return declared


# 3. Observability ---------------------------------------------------------------


def declare_observability(
    names: StackNames,
    config: StackConfig,
    manifests: tuple[Manifest, ...],
    shared: SharedResources,
    services: DeclaredServices,
) -> tuple[Dashboard, dict[str, list[pulumi.Output[str]]]]:
    """The alarms (where the stack enables them) and the dashboard; and the alarms that
    watch each function's release."""
    sms: SmsConfig | None = config.sms if sends_sms(manifests) else None
    table_name = shared.data.table.name
    alarm_arns: list[pulumi.Output[str]] = []
    release_alarms: dict[str, list[pulumi.Output[str]]] = {}
    if config.alarms.enabled:
        alarms = Alarms(
            "alarms",
            AlarmsArgs(
                topic_name=names.alarm_topic,
                settings=config.alarms,
                api_id=shared.api.api.id,
                table_name=table_name,
                function_names=services.function_names,
                function_timeouts=services.function_timeouts,
                sms=sms,
                namespace=names.metrics_namespace,
                metric_alarms=metric_alarms(manifests, config),
            ),
        )
        alarm_arns, release_alarms = alarms.alarm_arns, alarms.release_alarms
    dashboard = Dashboard(
        "dashboard",
        DashboardArgs(
            name=names.base,
            stack=names.stack,
            region=config.region,
            api_id=shared.api.api.id,
            table_name=table_name,
            namespace=names.metrics_namespace,
            functions=services.functions,
            services=[ServiceMetrics(m.name, m.metrics) for m in manifests],
            sms=sms,
            alarm_arns=alarm_arns,
        ),
    )
    return dashboard, release_alarms


class MetricAlarmError(ValueError):
    """A service.toml's `alarm_per_hour` is no whole number for this stack."""


def metric_alarms(manifests: tuple[Manifest, ...], config: StackConfig) -> list[MetricAlarm]:
    """The business metrics the services alarm on, each threshold resolved for the stack."""
    alarms = []
    for manifest in manifests:
        for metric in manifest.metrics:
            threshold: object = metric.alarm_per_hour
            if isinstance(threshold, str):
                # One `${config.<path>}` reference: the manifest allows nothing else here.
                threshold = _config_reference(config, threshold)
                if not isinstance(threshold, int) or isinstance(threshold, bool):
                    raise MetricAlarmError(
                        f"service {manifest.name}, metric {metric.name}: alarm_per_hour "
                        f"{metric.alarm_per_hour} is no whole number in this stack's config"
                    )
            if isinstance(threshold, int):
                alarms.append(MetricAlarm(manifest.name, metric, threshold))
    return alarms


def _config_reference(config: StackConfig, template: str) -> object:
    """The typed value `${config.<path>}` names; None when it names nothing."""
    match = REFERENCE.fullmatch(template)
    root, _, path = match.group(1).partition(".") if match else ("", "", "")
    if root != "config":
        return None
    try:
        return config.value_at(path)
    except KeyError:
        return None


# The pieces the steps share ------------------------------------------------------


def read_stack_config() -> StackConfig:
    """Every `serverless-backend:*` value the engine passed in, plus `aws:region`, typed."""
    merged = engine.config_values()
    values = {
        key.partition(":")[2]: value
        for key, value in merged.items()
        if key.partition(":")[0] == PROJECT
    }
    region = merged.get("aws:region")
    return parse_stack_config(values, region=str(region) if region else None)


def bundle_code(workspace: Workspace, architecture: str) -> CodeFor:
    def code(manifest: Manifest) -> pulumi.Archive:
        path = build_bundle(workspace, manifest, "arm64" if architecture == "arm64" else "x86_64")
        return pulumi.FileArchive(str(path))

    return code


def placeholder_code(manifest: Manifest) -> pulumi.Archive:
    return pulumi.AssetArchive(
        {"README.txt": pulumi.StringAsset(f"placeholder for the {manifest.name} bundle\n")}
    )


class ServicesConflictError(ValueError):
    """Two services claim the same route, Cognito trigger or key prefix."""


def check_services_fit_together(manifests: tuple[Manifest, ...]) -> None:
    """What one service.toml cannot see: clashes with the others on the shared API, pool, table."""
    claims: dict[str, str] = {}
    for manifest in manifests:
        owned = [f"route {route.route_key}" for route in manifest.routes]
        owned += [f"trigger {f.trigger}" for f in manifest.functions if f.trigger]
        owned += [f"key prefix {prefix}" for prefix in manifest.key_prefixes]
        for claim in owned:
            if claim in claims:
                raise ServicesConflictError(
                    f"{claim} is declared by both {claims[claim]} and {manifest.name}"
                )
            claims[claim] = manifest.name


def sends_sms(manifests: tuple[Manifest, ...]) -> bool:
    return any(
        permission.resource == "sms"
        for manifest in manifests
        for function in manifest.functions
        for permission in function.permissions
    )
