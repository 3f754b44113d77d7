"""How the smoke test signs in to a stack: its test destinations, and where a stack that does
not echo codes keeps the fixed one. The one place that reads them from the stack's config."""

from __future__ import annotations

from pathlib import Path

from infra.operations.smoke_sign_in import smoke_sign_in
from infra.program.stack_files import stack_config, stack_file, stacks

# NANPA keeps 555-0100 to 555-0199 for fiction: no one answers them.
FICTIONAL_PHONE_PREFIX = "+155555501"


def test_every_stack_names_two_fictional_test_destinations() -> None:
    for stack in stacks():
        destinations = smoke_sign_in(stack).destinations
        assert len(destinations) >= 2, stack
        for destination in destinations:
            assert destination.startswith(FICTIONAL_PHONE_PREFIX) or destination.endswith(
                "@example.com"
            ), (stack, destination)


def test_a_stack_that_is_not_production_echoes_codes_and_needs_no_code_parameter() -> None:
    assert not stack_config("dev").production
    assert smoke_sign_in("dev").code_parameter is None


def test_a_production_stack_keeps_the_code_in_its_secret_parameter() -> None:
    sign_in = smoke_sign_in("prod")

    assert sign_in.code_parameter == "/serverless-backend/prod/secrets/authTestCode"
    assert sign_in.region == stack_config("prod").region


def test_a_production_stack_signs_its_test_destinations_in_through_iam() -> None:
    """Issue 18, finding 2: its API treats them as ordinary numbers."""
    sign_in = smoke_sign_in("prod")

    assert sign_in.published_prefix == "/serverless-backend/prod"
    assert sign_in.client_secret_parameter == "/serverless-backend/prod/secrets/authClientSecret"
    assert smoke_sign_in("dev").client_secret_parameter is None


def test_only_the_production_flag_decides_where_the_code_comes_from(tmp_path: Path) -> None:
    config = tmp_path / "Pulumi.dev.yaml"
    production = (
        stack_file("dev")
        .read_text()
        .replace("production: false", "production: true")
        .replace("enableDocs: true", "enableDocs: false")
        .replace("autoConfirm: true", "autoConfirm: false")
        .replace("pointInTimeRecovery: false", "pointInTimeRecovery: true")
        .replace("deletionProtection: false", "deletionProtection: true")
    ) + (
        "  serverless-backend:permissionsBoundaryArn: "
        "arn:aws:iam::123456789012:policy/serverless-backend-function-boundary\n"
    )
    config.write_text(production)

    assert smoke_sign_in("dev", config_file=config).code_parameter == (
        "/serverless-backend/dev/secrets/authTestCode"
    )
