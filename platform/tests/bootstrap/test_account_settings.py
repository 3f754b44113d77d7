"""The account's settings: the functions' permissions boundary holds every role the
program declares, and nothing beyond what the services may ask for."""

from __future__ import annotations

import fnmatch
from typing import Any

import pytest

from bootstrap.account_settings import (
    AccountSettingsArgs,
    boundary_arn,
    boundary_policy,
)
from infra.offline.declared import MOCK_ACCOUNT, DeclaredStack, declare_stack
from infra.program.stack_files import stacks
from infra.repo import repo_root
from service_manifest import Function, Manifest, Permission, find_manifests

PROJECT = "serverless-backend"
MANIFESTS = find_manifests(repo_root() / "services")


def _allows(boundary: dict[str, Any], action: str, resource: str) -> bool:
    return any(
        action in statement["Action"]
        and any(fnmatch.fnmatchcase(resource, pattern) for pattern in statement["Resource"])
        for statement in boundary["Statement"]
        if statement["Effect"] == "Allow"
    )


@pytest.fixture(scope="module", params=stacks())
def declared(request: pytest.FixtureRequest) -> DeclaredStack:
    return declare_stack(request.param, version="v")


def test_every_role_the_program_declares_fits_within_the_boundary(
    declared: DeclaredStack,
) -> None:
    boundary = boundary_policy(MOCK_ACCOUNT, PROJECT, MANIFESTS)
    checked = 0
    for role, document in declared.all_policy_documents().items():
        for statement in document["Statement"]:
            if statement["Effect"] != "Allow":
                continue
            for action in statement["Action"]:
                for resource in statement["Resource"]:
                    assert _allows(boundary, action, resource), (role, action, resource)
                    checked += 1
    assert checked > 20


def test_the_boundary_names_exact_actions_and_no_iam_at_all() -> None:
    boundary = boundary_policy(MOCK_ACCOUNT, PROJECT, MANIFESTS)
    actions = [a for s in boundary["Statement"] for a in s["Action"]]
    assert all("*" not in action for action in actions)
    assert not [a for a in actions if a.startswith(("iam:", "sts:"))]
    for statement in boundary["Statement"]:
        for resource in statement["Resource"]:
            assert resource == "*" or f":{MOCK_ACCOUNT}:" in resource


def test_the_boundary_keeps_roles_to_the_projects_own_resources() -> None:
    boundary = boundary_policy(MOCK_ACCOUNT, PROJECT, MANIFESTS)
    table = f"arn:aws:dynamodb:eu-west-1:{MOCK_ACCOUNT}:table/{PROJECT}-prod"
    assert _allows(boundary, "dynamodb:GetItem", table)
    assert not _allows(boundary, "dynamodb:GetItem", "arn:aws:dynamodb:eu-west-1:1:table/x")
    assert not _allows(
        boundary, "ssm:GetParameter", f"arn:aws:ssm:eu-west-1:{MOCK_ACCOUNT}:parameter/other/x"
    )


def test_a_permission_on_a_resource_the_boundary_cannot_scope_is_refused() -> None:
    unknown = Manifest.__new__(Manifest)
    function = Function.__new__(Function)
    object.__setattr__(function, "permissions", (Permission(("s3:GetObject",), "bucket"),))
    object.__setattr__(unknown, "functions", (function,))
    with pytest.raises(ValueError, match="BOUNDARY_SCOPES"):
        boundary_policy(MOCK_ACCOUNT, PROJECT, [unknown])


def test_the_boundarys_arn_is_the_one_stack_files_name() -> None:
    assert boundary_arn(MOCK_ACCOUNT, PROJECT) == (
        f"arn:aws:iam::{MOCK_ACCOUNT}:policy/serverless-backend-function-boundary"
    )


def test_an_sms_spend_limit_is_a_whole_dollar_at_least() -> None:
    with pytest.raises(ValueError, match="smsMonthlySpendLimit"):
        AccountSettingsArgs(account_id=MOCK_ACCOUNT, manifests=(), sms_monthly_spend_limit=0)
