"""The Pulumi program: read the stack config once, then wire the components.

`platform/__main__.py` calls `run()` under `pulumi up`; `infra.declared.declare`
calls the same `run()` under Pulumi's mocks.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass
from functools import partial
from pathlib import Path
from typing import Any

import pulumi
import pulumi_aws as aws

from infra import engine
from infra.bundle import Workspace, build_bundle, service_version
from infra.components.alarms import Alarms, AlarmsArgs, MetricAlarm
from infra.components.api import HttpApi, HttpApiArgs
from infra.components.dashboard import (
    Dashboard,
    DashboardArgs,
    DashboardFunction,
    ServiceMetrics,
)
from infra.components.data import Data, DataArgs
from infra.components.domain import ApiDomain, ApiDomainArgs
from infra.components.identity import Identity, IdentityArgs
from infra.components.published import PublishedOutputs
from infra.components.secrets import StackSecrets
from infra.components.service import Service, ServiceArgs, function_arn, function_name
from infra.config import PROJECT, StackConfig, parse_stack_config
from infra.iam import email_identity_arns
from infra.repo import repo_root
from infra.shared import ApiAttachment, SharedStack
from service_manifest import Manifest, find_manifests

CodeFor = Callable[[Manifest], pulumi.Archive]
# A service's `${service.version}`.
VersionFor = Callable[[Manifest], str]


@dataclass(frozen=True)
class RawConfig:
    """The stack's config as Pulumi hands it over: project keys without the prefix."""

    values: Mapping[str, Any]
    region: str | None


def read_pulumi_config() -> RawConfig:
    """Every `serverless-backend:*` value the engine passed in, plus `aws:region`."""
    merged = engine.config_values()
    values = {
        key.partition(":")[2]: value
        for key, value in merged.items()
        if key.partition(":")[0] == PROJECT
    }
    region = merged.get("aws:region")
    return RawConfig(values=values, region=str(region) if region else None)


def bundle_code(workspace: Workspace, architecture: str) -> CodeFor:
    def code(manifest: Manifest) -> pulumi.Archive:
        path = build_bundle(workspace, manifest, "arm64" if architecture == "arm64" else "x86_64")
        return pulumi.FileArchive(str(path))

    return code


def placeholder_code(manifest: Manifest) -> pulumi.Archive:
    return pulumi.AssetArchive(
        {"README.txt": pulumi.StringAsset(f"placeholder for the {manifest.name} bundle\n")}
    )


def run(
    *,
    build_bundles: bool = True,
    version: str | None = None,
    services_dir: Path | None = None,
) -> dict[str, pulumi.Output[Any]]:
    """Declare the whole stack and export its outputs.

    Services are discovered from `services/*/service.toml` (or `services_dir`), so a new
    service needs no change here. Each service's `${service.version}` follows its own
    content (infra.bundle.service_version) unless `version` gives every service one value.
    """
    root = repo_root()
    raw = read_pulumi_config()
    config = parse_stack_config(raw.values, region=raw.region)
    manifests = find_manifests(services_dir or root / "services")
    workspace = Workspace(root)
    code = (
        bundle_code(workspace, config.functions.architecture) if build_bundles else placeholder_code
    )
    version_for: VersionFor = (
        (lambda _manifest: version) if version else partial(service_version, workspace)
    )
    outputs = declare_stack(
        project=pulumi.get_project(),
        stack=pulumi.get_stack(),
        config=config,
        manifests=manifests,
        code=code,
        version=version_for,
    )
    for key, value in outputs.items():
        pulumi.export(key, value)
    return outputs


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


def metrics_namespace(project: str, stack: str) -> str:
    """The stack's own CloudWatch namespace: its services' business metrics and
    Powertools' ColdStart, kept apart from every other stack's."""
    return f"{project}/{stack}"


class MetricAlarmError(ValueError):
    """A service.toml's `alarm_per_hour` is no whole number for this stack."""


def metric_alarms(manifests: tuple[Manifest, ...], config: StackConfig) -> list[MetricAlarm]:
    """The business metrics the services alarm on, each threshold resolved for the stack."""
    alarms = []
    for manifest in manifests:
        for metric in manifest.metrics:
            threshold: object = metric.alarm_per_hour
            if isinstance(threshold, str):
                # "${config.<path>}": the manifest allows nothing else here.
                path = threshold.removeprefix("${config.").removesuffix("}")
                try:
                    threshold = config.value_at(path)
                except KeyError:
                    threshold = None
                if not isinstance(threshold, int) or isinstance(threshold, bool):
                    raise MetricAlarmError(
                        f"service {manifest.name}, metric {metric.name}: alarm_per_hour "
                        f"{metric.alarm_per_hour} is no whole number in this stack's config"
                    )
            if isinstance(threshold, int):
                alarms.append(MetricAlarm(manifest.name, metric, threshold))
    return alarms


def _sends_sms(manifests: tuple[Manifest, ...]) -> bool:
    return any(
        permission.resource == "sms"
        for manifest in manifests
        for function in manifest.functions
        for permission in function.permissions
    )


def declare_stack(
    *,
    project: str,
    stack: str,
    config: StackConfig,
    manifests: tuple[Manifest, ...],
    code: CodeFor,
    version: VersionFor,
) -> dict[str, pulumi.Output[Any]]:
    check_services_fit_together(manifests)
    base = f"{project}-{stack}"
    account = aws.get_caller_identity_output().account_id
    region = config.region

    data = Data(
        "data",
        DataArgs(
            table_name=base,
            point_in_time_recovery=config.table.point_in_time_recovery,
            deletion_protection=config.table.deletion_protection,
        ),
    )
    # Trigger ARNs are built from the function names, so the pool can exist before
    # the functions whose environment names the pool.
    triggers = {
        function.trigger: function_arn(
            region,
            account,
            function_name(project, stack, manifest.name, function.name),
            snap_start=config.functions.snap_start,
        )
        for manifest in manifests
        for function in manifest.functions
        if function.trigger
    }
    identity = Identity(
        "identity",
        IdentityArgs(
            pool_name=base,
            settings=config.user_pool,
            deletion_protection=config.production,
            otp_ttl_seconds=config.auth.otp_ttl_seconds,
            email_sender=config.auth.email_sender,
            # Cognito sends as the sender's own address identity.
            email_identity_arn=account.apply(
                lambda account_id: (
                    f"arn:aws:ses:{region}:{account_id}:identity/" + config.auth.email_sender
                )
            ),
            triggers=triggers,
        ),
    )
    api = HttpApi(
        "api",
        HttpApiArgs(
            api_name=base,
            settings=config.api,
            log_retention_days=config.log_retention_days,
            jwt_issuer=identity.issuer,
            jwt_audience=identity.client.id,
            cors_allow_headers=tuple(h for m in manifests for h in m.cors.allow_headers),
            cors_expose_headers=tuple(h for m in manifests for h in m.cors.expose_headers),
            disable_execute_api_endpoint=config.api.disable_execute_api_endpoint,
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
            ),
        )
        api_url = domain.url
    # One generated secret per `${secret.<key>}` the services name.
    secrets = StackSecrets(
        "secrets",
        prefix=f"/{project}/{stack}/secrets",
        keys={key for manifest in manifests for f in manifest.functions for key in f.secrets},
    )
    # SES sends only from a verified identity. Declaring the sender makes AWS
    # e-mail it a verification link (docs/deploy.md: or verify its domain).
    # Cognito's own e-mails use it too, so it is declared on every stack.
    aws.sesv2.EmailIdentity("email-sender", email_identity=config.auth.email_sender)
    if _sends_sms(manifests):
        # Account-wide: SNS stops sending SMS once the month's spend reaches it.
        aws.sns.SmsPreferences(
            "sms-preferences",
            monthly_spend_limit=config.sms.monthly_spend_limit,
            default_sms_type="Transactional",
        )
    namespace = metrics_namespace(project, stack)
    shared = SharedStack(
        stage=stack,
        config=config,
        metrics_namespace=namespace,
        references={
            "stage": stack,
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
                lambda account_id: email_identity_arns(region, account_id)
            ),
            # SMS to a phone number has no ARN to scope to.
            "sms": ["*"],
        },
        secrets=secrets.parameters,
        api=ApiAttachment(
            api_id=api.api.id,
            execution_arn=api.api.execution_arn,
            authorizer_id=api.authorizer.id,
        ),
    )
    function_names: dict[str, pulumi.Input[str]] = {}
    dashboard_functions: list[DashboardFunction] = []
    live_aliases: list[pulumi.Output[str]] = []
    for manifest in manifests:
        service = Service(
            f"service-{manifest.name}",
            ServiceArgs(
                project=project,
                manifest=manifest,
                code=code(manifest),
                version=version(manifest),
                shared=shared,
            ),
        )
        for key, function in service.functions.items():
            function_names[f"{manifest.name}-{key.replace('_', '-')}"] = function.name
            dashboard_functions.append(
                DashboardFunction(
                    label=f"{manifest.name}.{key}",
                    name=function_name(project, stack, manifest.name, key),
                    service=manifest.name,
                )
            )
        live_aliases += [alias.arn for alias in service.aliases.values()]

    sends_sms = _sends_sms(manifests)
    alarm_arns: list[pulumi.Output[str]] = []
    if config.alarms.enabled:
        alarms = Alarms(
            "alarms",
            AlarmsArgs(
                topic_name=f"{base}-alarms",
                settings=config.alarms,
                api_id=api.api.id,
                table_name=data.table.name,
                function_names=function_names,
                sms_sends_per_hour=config.sms.alarm_sends_per_hour if sends_sms else None,
                sms_month_to_date_spend=config.sms.alarm_month_to_date_spend if sends_sms else None,
                namespace=namespace,
                metric_alarms=metric_alarms(manifests, config),
            ),
        )
        alarm_arns = alarms.alarm_arns
    dashboard = Dashboard(
        "dashboard",
        DashboardArgs(
            name=base,
            stack=stack,
            region=region,
            api_id=api.api.id,
            table_name=base,
            namespace=namespace,
            functions=dashboard_functions,
            services=[ServiceMetrics(m.name, m.metrics) for m in manifests],
            sms_spend_limit=config.sms.monthly_spend_limit if sends_sms else None,
            sms_spend_alarm=config.sms.alarm_month_to_date_spend
            if sends_sms and config.alarms.enabled
            else None,
            alarm_arns=alarm_arns,
        ),
    )
    outputs: dict[str, pulumi.Output[Any]] = {
        "api_url": api_url,
        "user_pool_id": identity.user_pool.id,
        "user_pool_client_id": identity.client.id,
        "table_name": data.table.name,
        "region": pulumi.Output.from_input(region),
    }
    PublishedOutputs("published", f"/{project}/{stack}", outputs)
    return {
        **outputs,
        # For operators: the stack's CloudWatch dashboard (docs/deploy.md, The dashboard).
        "dashboard_name": dashboard.dashboard.dashboard_name,
        # For the deploy pipeline, not for consumers: the aliases it waits on until their
        # SnapStart versions are Active (infra.live_versions); empty without SnapStart.
        "live_aliases": pulumi.Output.all(*live_aliases).apply(sorted),
    }
