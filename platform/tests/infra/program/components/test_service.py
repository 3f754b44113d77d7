"""One component per service.toml: functions, environment, roles, logs and invoke permissions."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pulumi
import pytest

from infra.offline.declared import DeclaredStack, declare, declare_stack
from infra.program.components.service import route_slug
from infra.program.names import function_name
from infra.program.shared import config_string
from infra.program.stack_files import stack_file
from service_manifest import Manifest, ManifestError
from service_manifest.model import REFERENCE


def _expected_value(declared: DeclaredStack, template: str) -> str:
    pool = declared.one("aws:cognito/userPool:UserPool")
    table = declared.one("aws:dynamodb/table:Table")
    plain = {
        "stage": declared.stack,
        "service.version": "abc1234",
        "table.name": table.id,
        "table.arn": table.outputs["arn"],
        "user_pool.id": pool.id,
        "user_pool.arn": pool.outputs["arn"],
        "user_pool.client_id": declared.one("aws:cognito/userPoolClient:UserPoolClient").id,
    }

    def value(reference: str) -> str:
        root, _, rest = reference.partition(".")
        if root == "config":
            return config_string(declared.config.value_at(rest))
        if root == "secret":
            return f"/serverless-backend/{declared.stack}/secrets/{rest}"
        return str(plain[reference])

    return REFERENCE.sub(lambda match: value(match.group(1)), template)


def _check_functions(declared: DeclaredStack, manifests: tuple[Manifest, ...]) -> None:
    defaults = declared.config.functions
    for manifest in manifests:
        for function in manifest.functions:
            resource = declared.function(manifest.name, function.name)
            inputs = resource.inputs
            assert inputs["name"] == function_name(
                "serverless-backend", declared.stack, manifest.name, function.name
            )
            assert "_" not in inputs["name"]
            assert inputs["handler"] == function.handler
            assert inputs["runtime"] == "python3.12"
            assert inputs["architectures"] == [defaults.architecture]
            assert inputs["memorySize"] == (function.memory or defaults.memory)
            assert inputs["timeout"] == (function.timeout or defaults.timeout)
            assert inputs["tracingConfig"] == {"mode": defaults.tracing}
            assert inputs["loggingConfig"] == {
                "logFormat": "JSON",
                "logGroup": f"/aws/lambda/{inputs['name']}",
            }
            variables = inputs["environment"]["variables"]
            assert variables == {
                **{
                    key: _expected_value(declared, template)
                    for key, template in function.environment.items()
                },
                "STAGE": declared.stack,
                "PRODUCTION": config_string(declared.config.production),
                "SERVICE_VERSION": "abc1234",
                "POWERTOOLS_SERVICE_NAME": manifest.name,
                "POWERTOOLS_LOG_LEVEL": defaults.log_level,
                "POWERTOOLS_METRICS_NAMESPACE": f"serverless-backend/{declared.stack}",
                "POWERTOOLS_TRACE_DISABLED": config_string(defaults.tracing != "Active"),
                **(
                    {"ENABLE_DOCS": config_string(declared.config.enable_docs)}
                    if function.openapi
                    else {}
                ),
            }


def test_each_manifest_function_becomes_a_lambda_function(
    declared: DeclaredStack, manifests: tuple[Manifest, ...]
) -> None:
    _check_functions(declared, manifests)


def test_fixture_functions_too(
    sample: DeclaredStack, sample_manifests: tuple[Manifest, ...]
) -> None:
    _check_functions(sample, sample_manifests)


def test_functions_point_at_the_shared_table_and_pool(declared: DeclaredStack) -> None:
    for function in declared.of_type("aws:lambda/function:Function"):
        variables = function.inputs["environment"]["variables"]
        if "TABLE_NAME" in variables:
            assert variables["TABLE_NAME"] == declared.outputs["table_name"]
        if "USER_POOL_ID" in variables:
            assert variables["USER_POOL_ID"] == declared.outputs["user_pool_id"]


def test_config_references_follow_the_stack(sample: DeclaredStack) -> None:
    variables = sample.function("sample-auth", "api").inputs["environment"]["variables"]
    production = sample.config.production

    # A list arrives comma-separated.
    assert variables["SMS_COUNTRIES"] == ",".join(sample.config.auth.sms_countries)
    assert variables["AUTO_CONFIRM"] == ("false" if production else "true")
    assert variables["OTP_TTL_SECONDS"] == str(sample.config.auth.otp_ttl_seconds)
    assert variables["GREETING"] == (
        f"Welcome to {sample.config.auth.product_name} on {sample.stack}"
    )


def test_a_secret_reaches_the_function_only_as_its_parameters_name(sample: DeclaredStack) -> None:
    """Never the value (the program has none: `make secrets` makes it):
    `lambda:GetFunctionConfiguration` shows every variable."""
    notes = sample.function("notes", "api")

    reference = notes.inputs["environment"]["variables"]["SIGNING_KEY"]
    assert reference.startswith(f"/serverless-backend/{sample.stack}/secrets/")
    for function in sample.of_type("aws:lambda/function:Function"):
        assert not function.secret_inputs, function.name


def test_snap_start_publishes_versions_behind_a_live_alias(declared: DeclaredStack) -> None:
    """So does a gradual `functions.deployment`: traffic moves between published versions."""
    functions = declared.config.functions
    publishes = functions.snap_start or functions.deployment != "allAtOnce"
    aliases = {alias.inputs["functionName"] for alias in declared.of_type("aws:lambda/alias:Alias")}

    for function in declared.of_type("aws:lambda/function:Function"):
        assert function.inputs["publish"] is publishes
        assert (function.inputs["name"] in aliases) is publishes
        if functions.snap_start:
            assert function.inputs["snapStart"] == {"applyOn": "PublishedVersions"}
        else:
            assert "snapStart" not in function.inputs
    for permission in declared.of_type("aws:lambda/permission:Permission"):
        assert permission.inputs.get("qualifier") == ("live" if publishes else None)


def test_an_invoke_permission_waits_for_the_alias_it_names(declared: DeclaredStack) -> None:
    """Named as a plain "live", a permission races its alias's creation on the first deploy
    (AddPermission on a qualifier that does not exist yet fails, passing only on retries)."""
    aliases = {a.inputs["functionName"]: a.urn for a in declared.of_type("aws:lambda/alias:Alias")}
    for permission in declared.of_type("aws:lambda/permission:Permission"):
        if declared.config.functions.publishes_versions:
            assert aliases[permission.inputs["function"]] in permission.dependencies
        else:
            assert "qualifier" not in permission.inputs


def test_the_pipeline_gets_every_live_alias_to_wait_for(declared: DeclaredStack) -> None:
    arns = sorted(alias.outputs["arn"] for alias in declared.of_type("aws:lambda/alias:Alias"))

    assert declared.outputs["live_aliases"] == arns
    assert bool(arns) is declared.config.functions.publishes_versions


def test_each_function_logs_to_its_own_group_with_retention(declared: DeclaredStack) -> None:
    groups = {
        group.inputs["name"]: group.inputs["retentionInDays"]
        for group in declared.of_type("aws:cloudwatch/logGroup:LogGroup")
    }

    for function in declared.of_type("aws:lambda/function:Function"):
        assert (
            groups[f"/aws/lambda/{function.inputs['name']}"] == declared.config.log_retention_days
        )


def test_only_this_api_may_invoke_a_routed_function(declared: DeclaredStack) -> None:
    execution_arn = declared.one("aws:apigatewayv2/api:Api").outputs["executionArn"]
    from_api = [
        permission.inputs
        for permission in declared.of_type("aws:lambda/permission:Permission")
        if permission.inputs["principal"] == "apigateway.amazonaws.com"
    ]

    assert from_api
    for permission in from_api:
        assert permission["sourceArn"] == f"{execution_arn}/*/*"
        assert permission["action"] == "lambda:InvokeFunction"


def test_an_unknown_reference_fails_naming_service_function_and_variable(tmp_path: Path) -> None:
    service = tmp_path / "broken"
    service.mkdir()
    (service / "service.toml").write_text(
        'name = "broken"\n[functions.api]\nhandler = "broken.handler.handler"\n'
        '[functions.api.environment]\nWHAT = "${table.colour}"\n'
    )

    with pytest.raises(ManifestError, match=r"broken/service.toml.*api.*WHAT.*table\.colour"):
        declare("dev", version="v", services_dir=tmp_path)


def test_route_slugs_are_stable_names() -> None:
    assert route_slug("GET /items/{item_id}") == "get-items-item-id"
    assert route_slug("DELETE /items") == "delete-items"


def test_function_names_follow_the_contract() -> None:
    assert function_name("serverless-backend", "dev", "auth", "pre_sign_up") == (
        "serverless-backend-dev-auth-pre-sign-up"
    )


def test_a_name_too_long_for_lambda_fails_naming_the_function() -> None:
    with pytest.raises(ValueError, match="service auth, function verify_auth_challenge_response"):
        function_name(
            "serverless-backend", "staging-eu-west", "auth", "verify_auth_challenge_response"
        )


BOUNDARY = "arn:aws:iam::123456789012:policy/serverless-boundary"


def test_every_role_carries_the_stacks_permissions_boundary(tmp_path: Path) -> None:
    """Where the CI deploy role may only create roles with a boundary (the bootstrap's
    permissionsBoundaryArn), a role without it would fail the whole deploy."""
    config = tmp_path / "Pulumi.dev.yaml"
    config.write_text(
        stack_file("dev").read_text() + f"  serverless-backend:permissionsBoundaryArn: {BOUNDARY}\n"
    )

    resources, _ = declare("dev", config_file=config, version="v")

    roles = [r for r in resources if r.type == "aws:iam/role:Role"]
    assert roles
    assert all(role.inputs["permissionsBoundary"] == BOUNDARY for role in roles)


def test_without_a_boundary_configured_roles_have_none(declared: DeclaredStack) -> None:
    """Only off production: a production stack must name one (infra.program.config)."""
    boundary = declared.config.permissions_boundary_arn
    assert (boundary is not None) is declared.config.production
    for role in declared.of_type("aws:iam/role:Role"):
        assert role.inputs.get("permissionsBoundary") == boundary


# --- releases: traffic moves in the release step, never in `pulumi up` ---------------------


def test_pulumi_up_never_moves_live(monkeypatch: pytest.MonkeyPatch) -> None:
    """The alias is created on the first version and then left to infra.operations.release: with its
    version and routing ignored, a new version changes neither in `pulumi up`, so no traffic
    reaches a version before it is Active (pulumi-aws waits only for LastUpdateStatus, not
    for State: hashicorp/terraform-provider-aws#42693). Pulumi docs, "ignoreChanges": the
    engine keeps the state's value of an ignored property and sends no update for it."""
    import pulumi_aws as aws

    from infra.program.components import service

    seen: list[pulumi.ResourceOptions] = []
    created = aws.lambda_.Alias.__init__

    def recording(self: Any, resource_name: str, *args: Any, **kwargs: Any) -> None:
        seen.append(kwargs["opts"])
        created(self, resource_name, *args, **kwargs)

    monkeypatch.setattr(aws.lambda_.Alias, "__init__", recording)
    declare_stack("prod", version="abc1234")

    assert seen
    for opts in seen:
        assert opts.ignore_changes == ["function_version", "routing_config"]
    assert service.RELEASED_BY_THE_PIPELINE == ["function_version", "routing_config"]


def test_the_release_step_gets_each_alias_its_new_version_and_its_alarms(
    declared: DeclaredStack,
) -> None:
    releases = declared.outputs["releases"]
    aliases = declared.of_type("aws:lambda/alias:Alias")

    assert declared.outputs["deployment"] == declared.config.functions.deployment
    assert sorted(r["alias"] for r in releases) == sorted(a.outputs["arn"] for a in aliases)
    alarms = {
        a.inputs["name"]: a for a in declared.of_type("aws:cloudwatch/metricAlarm:MetricAlarm")
    }
    for entry in releases:
        function = entry["alias"].split(":")[6]
        # The version this deploy publishes (the mocks publish "1").
        assert entry["version"] == "1"
        # Its errors and its latency watch it.
        assert entry["alarms"] == [f"{function}-duration", f"{function}-errors"]
        latency = alarms[f"{function}-duration"].inputs
        assert latency["dimensions"] == {"FunctionName": function}
        errors = {q["id"]: q for q in alarms[f"{function}-errors"].inputs["metricQueries"]}
        assert errors["errors"]["metric"]["dimensions"] == {"FunctionName": function}
        assert latency["extendedStatistic"] == "p99"
        assert latency["metricName"] == "Duration"


def test_prod_releases_by_canary_and_dev_all_at_once(declared: DeclaredStack) -> None:
    expected = {"prod": "canary10Percent5Minutes", "dev": "allAtOnce"}[declared.stack]

    assert declared.config.functions.deployment == expected
    assert bool(declared.outputs["releases"]) is (declared.stack == "prod")
