"""`make rollback STACK=<stack>` against the emulator's Lambda (moto): every `live` alias
goes back to its function's previous published version, once, and says so.

Lambda's behaviour it relies on: an alias names one version and may route a share of its
traffic to one more (`RoutingConfig.AdditionalVersionWeights`; Lambda developer guide,
"Implement Lambda canary deployments using a weighted alias"), and UpdateAlias with an
empty `AdditionalVersionWeights` sends all of it to `FunctionVersion` again (Lambda API
reference, UpdateAlias, AliasRoutingConfiguration). An invocation of a version that is not
Active fails (developer guide, "Lambda function states"), so a rollback never moves to one.
"""

from __future__ import annotations

import io
import zipfile
from collections.abc import Iterator
from typing import Any

import pytest
from botocore.session import get_session
from moto import mock_aws

from infra.operations import rollback
from infra.operations.rollback import (
    Move,
    RollbackError,
    roll_back,
    roll_back_stack,
    stack_function_names,
)

REGION = "eu-west-1"
ITEMS = "serverless-backend-prod-items-api"
HEALTH = "serverless-backend-prod-health-api"


def _zip(body: str) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr("handler.py", body)
    return buffer.getvalue()


@pytest.fixture
def lambda_() -> Iterator[Any]:
    with mock_aws():
        session = get_session()
        iam = session.create_client("iam", region_name=REGION)
        role = iam.create_role(RoleName="fn", AssumeRolePolicyDocument="{}")["Role"]["Arn"]
        client = session.create_client("lambda", region_name=REGION)
        client.role_arn = role
        yield client


def publish(client: Any, function: str, versions: int, live: str | None = None) -> None:
    """A function as the program leaves it: `versions` published, `live` on the newest."""
    client.create_function(
        FunctionName=function,
        Runtime="python3.12",
        Role=client.role_arn,
        Handler="handler.handler",
        Code={"ZipFile": _zip("v = 1")},
        Publish=True,
    )
    for number in range(2, versions + 1):
        client.update_function_code(FunctionName=function, ZipFile=_zip(f"v = {number}"))
        client.publish_version(FunctionName=function)
    client.create_alias(FunctionName=function, Name="live", FunctionVersion=live or str(versions))


def live(client: Any, function: str) -> tuple[str, dict[str, float]]:
    alias = client.get_alias(FunctionName=function, Name="live")
    weights = (alias.get("RoutingConfig") or {}).get("AdditionalVersionWeights") or {}
    return alias["FunctionVersion"], weights


def test_live_goes_back_to_the_previous_version_and_says_so(lambda_: Any) -> None:
    publish(lambda_, ITEMS, versions=3)
    publish(lambda_, HEALTH, versions=2)
    lines: list[str] = []

    moves = roll_back_stack(lambda_, [HEALTH, ITEMS], log=lines.append)

    assert live(lambda_, ITEMS) == ("2", {})
    assert live(lambda_, HEALTH) == ("1", {})
    assert moves == [Move(HEALTH, "2", "1"), Move(ITEMS, "3", "2")]
    assert lines == [f"{HEALTH}: live 2 -> 1", f"{ITEMS}: live 3 -> 2"]


def test_a_second_rollback_moves_nothing(lambda_: Any) -> None:
    """Idempotent: "previous" is the version below the newest published, not below live."""
    publish(lambda_, ITEMS, versions=3)
    roll_back_stack(lambda_, [ITEMS], log=lambda _: None)
    lines: list[str] = []

    roll_back_stack(lambda_, [ITEMS], log=lines.append)

    assert live(lambda_, ITEMS) == ("2", {})
    assert lines == [f"{ITEMS}: live stays on 2"]


def test_a_canary_in_progress_is_stopped(lambda_: Any) -> None:
    """Live still on 2 with 10% on 3: all of it goes to 2."""
    publish(lambda_, ITEMS, versions=3, live="2")
    lambda_.update_alias(
        FunctionName=ITEMS,
        Name="live",
        FunctionVersion="2",
        RoutingConfig={"AdditionalVersionWeights": {"3": 0.1}},
    )

    move = roll_back(lambda_, ITEMS)

    assert move == Move(ITEMS, "2 + 3 at 10%", "2")
    assert live(lambda_, ITEMS) == ("2", {})


def test_a_function_with_one_version_has_nothing_to_go_back_to(lambda_: Any) -> None:
    publish(lambda_, ITEMS, versions=1)

    assert roll_back(lambda_, ITEMS) == Move(ITEMS, "1", None)
    assert live(lambda_, ITEMS) == ("1", {})


def test_a_stack_without_live_aliases_has_nothing_to_roll_back(lambda_: Any) -> None:
    """Dev publishes no versions: its functions have no alias."""
    lambda_.create_function(
        FunctionName=ITEMS,
        Runtime="python3.12",
        Role=lambda_.role_arn,
        Handler="handler.handler",
        Code={"ZipFile": _zip("v = 1")},
    )
    lines: list[str] = []

    assert roll_back_stack(lambda_, [ITEMS], log=lines.append) == []
    assert lines == [f"{ITEMS}: no live alias (the stack publishes no versions)"]


class NotActive:
    """moto's versions are Active at once; a real SnapStart version may not be."""

    def __init__(self, inner: Any, state: str) -> None:
        self._inner, self._state = inner, state

    def __getattr__(self, name: str) -> Any:
        return getattr(self._inner, name)

    def get_function_configuration(self, **kwargs: Any) -> Any:
        return {**self._inner.get_function_configuration(**kwargs), "State": self._state}


def test_never_moves_to_a_version_that_is_not_active(
    lambda_: Any,
) -> None:
    publish(lambda_, ITEMS, versions=3)
    lines: list[str] = []

    with pytest.raises(RollbackError, match="version 2 is Inactive, not Active"):
        roll_back_stack(NotActive(lambda_, "Inactive"), [ITEMS], log=lines.append)

    assert live(lambda_, ITEMS) == ("3", {})


def test_the_stacks_functions_are_named_as_the_program_names_them() -> None:
    names = stack_function_names("prod")

    assert ITEMS in names
    assert HEALTH in names
    assert "serverless-backend-prod-auth-create-auth-challenge" in names
    assert all(name.startswith("serverless-backend-prod-") for name in names)


def test_make_rollback_uses_the_stacks_region_and_the_callers_credentials(
    monkeypatch: pytest.MonkeyPatch, lambda_: Any
) -> None:
    publish(lambda_, ITEMS, versions=2)
    regions: list[str] = []

    def client(region: str) -> Any:
        regions.append(region)
        return lambda_

    monkeypatch.setattr(rollback, "_lambda_client", client)
    monkeypatch.setattr(rollback, "stack_function_names", lambda stack: [ITEMS])

    assert rollback.main(["--stack", "prod"]) == 0
    assert regions == ["eu-west-1"]
    assert live(lambda_, ITEMS) == ("1", {})
