"""declare(): the real program under Pulumi mocks, callable again and again, no CLI."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from infra.offline.declared import MOCK_ACCOUNT, DeclaredResource, declare
from infra.program.config import ConfigError
from infra.program.stack_files import stack_file


def _comparable(resources: list[DeclaredResource]) -> list[tuple[str, str, str]]:
    """Resources register concurrently: compare them in a stable order and form."""
    return sorted(
        (r.type, r.name, json.dumps(r.inputs, sort_keys=True, default=lambda o: type(o).__name__))
        for r in resources
    )


def test_runs_twice_in_one_process_with_the_same_result() -> None:
    first, first_outputs = declare("dev", version="v")
    second, second_outputs = declare("dev", version="v")

    assert _comparable(first) == _comparable(second)
    assert first_outputs == second_outputs


def test_a_stack_needs_no_secret_set_the_program_generates_them() -> None:
    resources, _ = declare("dev")

    generated = [r for r in resources if r.type == "random:index/randomPassword:RandomPassword"]
    assert generated
    # Under the mocks a generated value is a plainly local-only stand-in.
    values = [r.inputs["value"] for r in resources if r.inputs.get("type") == "SecureString"]
    assert values
    assert all(value.startswith("local_only_") for value in values)


def test_a_wrong_config_value_fails_naming_the_key(tmp_path: Path) -> None:
    config = tmp_path / "Pulumi.dev.yaml"
    config.write_text(
        stack_file("dev").read_text().replace("otpMaxAttempts: 3", "otpMaxAttempts: many")
    )

    with pytest.raises(ConfigError, match=r"serverless-backend:auth\.otpMaxAttempts"):
        declare("dev", config_file=config)


def test_still_works_after_a_failed_run(tmp_path: Path) -> None:
    config = tmp_path / "Pulumi.dev.yaml"
    config.write_text(
        stack_file("dev").read_text().replace("otpMaxAttempts: 3", "otpMaxAttempts: x")
    )
    with pytest.raises(ConfigError):
        declare("dev", config_file=config)

    resources, outputs = declare("prod")

    assert resources
    assert outputs["table_name"] == "serverless-backend-prod"


def test_mock_names_are_predictable() -> None:
    resources, outputs = declare("dev")
    by_type = {resource.type: resource for resource in resources}

    assert outputs["user_pool_id"] == "eu-west-1_serverlessbackenddev"
    assert by_type["aws:dynamodb/table:Table"].id == "serverless-backend-dev"
    assert by_type["aws:dynamodb/table:Table"].outputs["arn"] == (
        f"arn:aws:dynamodb:eu-west-1:{MOCK_ACCOUNT}:table/serverless-backend-dev"
    )
    assert by_type["aws:cognito/userPool:UserPool"].outputs["arn"] == (
        f"arn:aws:cognito-idp:eu-west-1:{MOCK_ACCOUNT}:userpool/eu-west-1_serverlessbackenddev"
    )


def test_lambda_code_is_a_placeholder_without_bundles() -> None:
    resources, _ = declare("dev")

    for resource in resources:
        if resource.type == "aws:lambda/function:Function":
            assert type(resource.inputs["code"]).__name__ == "AssetArchive"


def test_a_secret_set_by_hand_before_is_refused_with_how_to_remove_it(tmp_path: Path) -> None:
    config = tmp_path / "Pulumi.prod.yaml"
    config.write_text(
        stack_file("prod").read_text()
        + "  serverless-backend:itemsCursorKey:\n    secure: v1:AAAA:BBBB\n"
    )

    with pytest.raises(ConfigError, match=r"pulumi config rm itemsCursorKey --stack <stack>"):
        declare("prod", config_file=config)
