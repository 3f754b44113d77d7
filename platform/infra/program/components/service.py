"""One service from its manifest: functions, roles, logs, integration, routes, permissions.

Used once per `services/<name>/service.toml`; nothing here knows a service by name.
"""

from __future__ import annotations

import json
from dataclasses import dataclass

import pulumi
import pulumi_aws as aws

from infra.bundles.lambda_runtime import RUNTIME
from infra.program.environment import resolve_environment
from infra.program.iam import assume_role_policy, function_policy, schedule_policy
from infra.program.names import MAX_NAME_LENGTH
from infra.program.shared import SharedStack
from service_manifest import AUTH_PUBLIC, Function, Manifest, Route, docs_routes

# The alias the API and Cognito invoke where the stack publishes versions.
LIVE_ALIAS = "live"
# `pulumi up` never moves `live`: infra.operations.release does, once the new version is
# Active and as the stack's `functions.deployment` says (and make rollback moves it back).
# So the alias's version and weights are what AWS says, whatever the program last declared.
RELEASED_BY_THE_PIPELINE = ["function_version", "routing_config"]


def function_arn(
    region: str, account: pulumi.Input[str], name: str, *, live: bool
) -> pulumi.Output[str]:
    """A function's invoke ARN, known before the function exists (Cognito triggers need it)."""
    suffix = f":{LIVE_ALIAS}" if live else ""
    return pulumi.Output.concat(f"arn:aws:lambda:{region}:", account, f":function:{name}{suffix}")


@dataclass(frozen=True)
class ServiceArgs:
    manifest: Manifest
    code: pulumi.Archive
    # The service's `${service.version}` (its own content digest).
    version: str
    shared: SharedStack


class Service(pulumi.ComponentResource):
    """Everything one service owns; shared pieces come in as plain values."""

    functions: dict[str, aws.lambda_.Function]
    # The `live` alias of each function, where the stack publishes versions.
    aliases: dict[str, aws.lambda_.Alias]
    # Each such function's version this deploy publishes: where the release moves `live`.
    versions: dict[str, pulumi.Output[str]]
    # Each function's timeout in seconds.
    timeouts: dict[str, int]
    routes: dict[str, aws.apigatewayv2.Route]

    def __init__(
        self, name: str, args: ServiceArgs, opts: pulumi.ResourceOptions | None = None
    ) -> None:
        super().__init__("serverless-backend:platform:Service", name, None, opts)
        self._args = args
        self.functions = {}
        self.aliases = {}
        self.versions = {}
        self.timeouts = {}
        self.routes = {}
        for function in args.manifest.functions:
            self._function(name, function)
        self.register_outputs(
            {"function_names": [function.name for function in self.functions.values()]}
        )

    def _function(self, name: str, function: Function) -> None:
        args = self._args
        physical = args.shared.names.function(args.manifest.name, function.name)
        prefix = f"{name}-{function.name.replace('_', '-')}"
        publishes_versions = args.shared.config.functions.publishes_versions
        lambda_function = self._lambda(prefix, physical, function)
        self.functions[function.name] = lambda_function
        self.timeouts[function.name] = function.timeout or args.shared.config.functions.timeout

        invoke_arn: pulumi.Output[str] = lambda_function.invoke_arn
        # The invoke permissions name the alias by its output, so they wait for it: with
        # the plain string "live" they would race its creation (and pass only on retries).
        qualifier: pulumi.Output[str] | None = None
        if publishes_versions:
            # Created on the first version; from then on the release step moves it.
            alias = aws.lambda_.Alias(
                f"{prefix}-live",
                name=LIVE_ALIAS,
                function_name=lambda_function.name,
                function_version=lambda_function.version,
                opts=pulumi.ResourceOptions(parent=self, ignore_changes=RELEASED_BY_THE_PIPELINE),
            )
            self.aliases[function.name] = alias
            self.versions[function.name] = lambda_function.version
            invoke_arn, qualifier = alias.invoke_arn, alias.name

        if function.trigger:
            aws.lambda_.Permission(
                f"{prefix}-cognito-invoke",
                action="lambda:InvokeFunction",
                function=lambda_function.name,
                qualifier=qualifier,
                principal="cognito-idp.amazonaws.com",
                source_arn=args.shared.references["user_pool.arn"],
                opts=pulumi.ResourceOptions(parent=self),
            )
        if function.routes:
            self._routes(prefix, function, invoke_arn, lambda_function, qualifier)
        if function.schedule:
            # The live alias where SnapStart publishes versions, as the API invokes.
            target = lambda_function.arn
            if qualifier is not None:
                target = pulumi.Output.concat(lambda_function.arn, ":", qualifier)
            self._schedule(prefix, physical, function, target)

    def _lambda(self, prefix: str, physical: str, function: Function) -> aws.lambda_.Function:
        """The function, its log group, and its role with only what service.toml grants."""
        args = self._args
        config = args.shared.config
        defaults = config.functions
        child = pulumi.ResourceOptions(parent=self)
        logs = aws.cloudwatch.LogGroup(
            f"{prefix}-logs",
            name=f"/aws/lambda/{physical}",
            retention_in_days=config.log_retention_days,
            opts=child,
        )
        role = aws.iam.Role(
            f"{prefix}-role",
            name=physical,
            assume_role_policy=json.dumps(assume_role_policy("lambda.amazonaws.com")),
            description=f"{args.manifest.name}/{function.name}: only what service.toml declares",
            permissions_boundary=config.permissions_boundary_arn,
            opts=child,
        )
        role_policy = aws.iam.RolePolicy(
            f"{prefix}-policy",
            name=physical,
            role=role.id,
            policy=self._policy(function, logs.arn),
            opts=child,
        )
        return aws.lambda_.Function(
            f"{prefix}-function",
            name=physical,
            description=function.description or f"{args.manifest.name} {function.name}",
            runtime=RUNTIME,
            handler=function.handler,
            code=args.code,
            role=role.arn,
            architectures=[defaults.architecture],
            memory_size=function.memory or defaults.memory,
            timeout=function.timeout or defaults.timeout,
            environment=aws.lambda_.FunctionEnvironmentArgs(
                variables=resolve_environment(
                    args.manifest, function, args.shared, version=args.version
                )
            ),
            tracing_config=aws.lambda_.FunctionTracingConfigArgs(mode=defaults.tracing),
            logging_config=aws.lambda_.FunctionLoggingConfigArgs(
                log_format="JSON", log_group=logs.name
            ),
            publish=defaults.publishes_versions,
            snap_start=aws.lambda_.FunctionSnapStartArgs(apply_on="PublishedVersions")
            if defaults.snap_start
            else None,
            tags={"service": args.manifest.name, "function": function.name},
            opts=pulumi.ResourceOptions(parent=self, depends_on=[logs, role_policy]),
        )

    def _policy(self, function: Function, log_group_arn: pulumi.Output[str]) -> pulumi.Output[str]:
        """The function's role policy, once the ARNs it names are known."""
        args = self._args
        config = args.shared.config
        tracing = config.functions.tracing == "Active"
        return pulumi.Output.all(
            args.shared.resource_arns(), log_group_arn, args.shared.secret_arns(function)
        ).apply(
            lambda resolved: json.dumps(
                function_policy(
                    args.manifest,
                    function,
                    resolved[0],
                    log_group_arn=resolved[1],
                    tracing=tracing,
                    email_sender=config.auth.email_sender,
                    secret_arns=resolved[2],
                ),
                sort_keys=True,
            )
        )

    def _schedule(
        self, prefix: str, physical: str, function: Function, target: pulumi.Input[str]
    ) -> None:
        """EventBridge Scheduler runs the function on its rate, through a role
        that may invoke this one function and nothing else."""
        child = pulumi.ResourceOptions(parent=self)
        role = aws.iam.Role(
            f"{prefix}-schedule-role",
            name=f"{physical}-schedule"[:MAX_NAME_LENGTH],
            assume_role_policy=json.dumps(assume_role_policy("scheduler.amazonaws.com")),
            description=f"{self._args.manifest.name}/{function.name}: its schedule may invoke it",
            permissions_boundary=self._args.shared.config.permissions_boundary_arn,
            opts=child,
        )
        aws.iam.RolePolicy(
            f"{prefix}-schedule-policy",
            name=f"{physical}-schedule"[:MAX_NAME_LENGTH],
            role=role.id,
            policy=pulumi.Output.from_input(target).apply(
                lambda arn: json.dumps(schedule_policy(arn), sort_keys=True)
            ),
            opts=child,
        )
        aws.scheduler.Schedule(
            f"{prefix}-schedule",
            name=physical,
            description=f"{self._args.manifest.name} {function.name}: {function.schedule}",
            schedule_expression=function.schedule,
            flexible_time_window=aws.scheduler.ScheduleFlexibleTimeWindowArgs(mode="OFF"),
            target=aws.scheduler.ScheduleTargetArgs(arn=target, role_arn=role.arn),
            opts=child,
        )

    def _routes(
        self,
        prefix: str,
        function: Function,
        invoke_arn: pulumi.Output[str],
        lambda_function: aws.lambda_.Function,
        qualifier: pulumi.Output[str] | None,
    ) -> None:
        args = self._args
        api = args.shared.api
        child = pulumi.ResourceOptions(parent=self)
        timeout = function.timeout or args.shared.config.functions.timeout
        integration = aws.apigatewayv2.Integration(
            f"{prefix}-integration",
            api_id=api.api_id,
            integration_type="AWS_PROXY",
            integration_method="POST",
            integration_uri=invoke_arn,
            payload_format_version="2.0",
            timeout_milliseconds=min(30000, timeout * 1000),
            opts=child,
        )
        aws.lambda_.Permission(
            f"{prefix}-api-invoke",
            action="lambda:InvokeFunction",
            function=lambda_function.name,
            qualifier=qualifier,
            principal="apigateway.amazonaws.com",
            source_arn=pulumi.Output.concat(api.execution_arn, "/*/*"),
            opts=child,
        )
        for route in function_routes(
            function, args.manifest.name, docs=args.shared.config.enable_docs
        ):
            public = route.auth == AUTH_PUBLIC
            slug = route_slug(route.route_key)
            self.routes[route.route_key] = aws.apigatewayv2.Route(
                f"{prefix}-{slug}",
                api_id=api.api_id,
                route_key=route.route_key,
                target=pulumi.Output.concat("integrations/", integration.id),
                authorization_type="NONE" if public else "JWT",
                authorizer_id=None if public else api.authorizer_id,
                opts=child,
            )


def function_routes(function: Function, service: str, *, docs: bool) -> list[Route]:
    """The gateway routes to `function`: its declared ones, plus the service's
    public docs routes when it serves the OpenAPI and the stack enables docs."""
    routes = list(function.routes)
    if docs and function.openapi:
        routes += [Route("GET", path, AUTH_PUBLIC) for path in docs_routes(service)]
    return routes


def route_slug(route_key: str) -> str:
    """`GET /items/{item_id}` → `get-items-item-id`: a stable logical name."""
    cleaned = "".join(c if c.isalnum() else "-" for c in route_key.lower())
    return "-".join(part for part in cleaned.split("-") if part)
