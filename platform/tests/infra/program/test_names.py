"""One StackNames for every physical name a stack's resources carry."""

from __future__ import annotations

import pytest

from infra.offline.declared import DeclaredStack
from infra.operations.smoke_sign_in import TEST_CODE_SECRET, smoke_sign_in
from infra.program.names import StackNames

PROJECT = "serverless-backend"


def test_each_name_is_the_project_and_the_stack() -> None:
    names = StackNames(PROJECT, "dev")

    assert names.base == names.table == "serverless-backend-dev"
    assert names.alarm_topic == "serverless-backend-dev-alarms"
    assert names.published_prefix == "/serverless-backend/dev"
    assert names.secret_parameter("itemsCursorKey") == (
        "/serverless-backend/dev/secrets/itemsCursorKey"
    )
    assert names.metrics_namespace == "serverless-backend/dev"
    assert names.function("auth", "pre_sign_up") == "serverless-backend-dev-auth-pre-sign-up"


def test_a_function_name_over_lambdas_limit_is_refused() -> None:
    with pytest.raises(ValueError, match="longer than 64 characters"):
        StackNames(PROJECT, "dev").function("a-very-long-service-name", "a_long_function_name")


def test_the_declared_stack_is_named_by_its_names(declared: DeclaredStack) -> None:
    names = StackNames(PROJECT, declared.stack)
    published = [str(p.inputs["name"]) for p in declared.of_type("aws:ssm/parameter:Parameter")]
    # The secrets' parameters are named in the functions' environments only: the program
    # declares none (`make secrets` makes them: infra.operations.secret_parameters).
    secrets = [
        value
        for function in declared.of_type("aws:lambda/function:Function")
        for value in function.inputs["environment"]["variables"].values()
        if value.startswith(f"{names.secrets_prefix}/")
    ]

    assert secrets
    assert all(p.startswith(f"{names.published_prefix}/") for p in published)
    assert not [p for p in published if p.startswith(f"{names.secrets_prefix}/")]
    assert declared.one("aws:dynamodb/table:Table").inputs["name"] == names.table
    assert declared.one("aws:sns/topic:Topic").inputs["name"] == names.alarm_topic
    for function in declared.of_type("aws:lambda/function:Function"):
        tags = function.inputs["tags"]
        variables = function.inputs["environment"]["variables"]
        assert function.inputs["name"] == names.function(tags["service"], tags["function"])
        assert variables["POWERTOOLS_METRICS_NAMESPACE"] == names.metrics_namespace


def test_the_smoke_test_reads_the_test_code_where_the_program_keeps_it() -> None:
    parameter = smoke_sign_in("prod").code_parameter

    assert parameter == StackNames(PROJECT, "prod").secret_parameter(TEST_CODE_SECRET)
