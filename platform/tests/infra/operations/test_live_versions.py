"""After `pulumi up`: every SnapStart `live` alias is Active before the stack counts as
deployed (hashicorp/terraform-provider-aws#42693: the provider does not wait for a first
published version), and old versions, which SnapStart caches and bills, are deleted.

The calls are checked against botocore's own Lambda model (Stubber validates every
parameter), so they are the calls AWS would get."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest
from botocore.session import get_session
from botocore.stub import Stubber

from infra.operations.live_versions import (
    AliasArn,
    LiveVersionError,
    main,
    prune_versions,
    settle,
    wait_until_active,
)

FUNCTION = "arn:aws:lambda:eu-west-1:123456789012:function:serverless-backend-prod-items-api"
ALIAS = f"{FUNCTION}:live"


@pytest.fixture
def lambda_() -> Iterator[tuple[Any, Stubber]]:
    client = get_session().create_client(
        "lambda", region_name="eu-west-1", aws_access_key_id="x", aws_secret_access_key="x"
    )
    with Stubber(client) as stubber:
        yield client, stubber
        stubber.assert_no_pending_responses()


def _state(stubber: Stubber, state: str, version: str = "7", **extra: str) -> None:
    stubber.add_response(
        "get_function",
        {"Configuration": {"Version": version, "State": state, **extra}},
        {"FunctionName": FUNCTION, "Qualifier": "live"},
    )


def test_an_alias_arn_is_taken_apart() -> None:
    assert AliasArn.parse(ALIAS) == AliasArn(FUNCTION, "live", "eu-west-1")
    with pytest.raises(ValueError, match="not a Lambda alias ARN"):
        AliasArn.parse(FUNCTION)


def test_waits_while_the_live_version_is_pending(lambda_: tuple[Any, Stubber]) -> None:
    client, stubber = lambda_
    _state(stubber, "Pending")
    _state(stubber, "Pending")
    _state(stubber, "Active")
    slept: list[float] = []

    version = wait_until_active(client, AliasArn.parse(ALIAS), sleep=slept.append)

    assert version == "7"
    assert len(slept) == 2


def test_a_failed_version_fails_at_once_with_lambdas_reason(lambda_: tuple[Any, Stubber]) -> None:
    client, stubber = lambda_
    _state(stubber, "Failed", StateReasonCode="SnapStartTimeout")

    with pytest.raises(LiveVersionError, match="version 7, Failed: SnapStartTimeout"):
        wait_until_active(client, AliasArn.parse(ALIAS), sleep=lambda _: None)


def test_a_version_still_pending_at_the_deadline_fails(lambda_: tuple[Any, Stubber]) -> None:
    client, stubber = lambda_
    _state(stubber, "Pending")
    _state(stubber, "Pending")
    ticks = iter([0.0, 5.0, 10.0, 20.0])

    with pytest.raises(LiveVersionError, match="still Pending after 10 s"):
        wait_until_active(
            client,
            AliasArn.parse(ALIAS),
            timeout=10,
            sleep=lambda _: None,
            clock=lambda: next(ticks),
        )


def _versions(
    stubber: Stubber, versions: list[str], marker: str | None = None, **more: Any
) -> None:
    expected = {"FunctionName": FUNCTION, **({"Marker": marker} if marker else {})}
    stubber.add_response(
        "list_versions_by_function",
        {"Versions": [{"Version": v} for v in versions], **more},
        expected,
    )


def test_keeps_the_newest_versions_and_any_an_alias_names_and_deletes_the_rest(
    lambda_: tuple[Any, Stubber],
) -> None:
    client, stubber = lambda_
    # Two pages of versions, as Lambda pages them.
    _versions(stubber, ["$LATEST", "1", "2", "3", "4"], NextMarker="m")
    _versions(stubber, ["5", "6", "10", "11"], marker="m")
    stubber.add_response(
        "list_aliases",
        {
            "Aliases": [
                {"Name": "live", "FunctionVersion": "11"},
                # A canary alias still sends some traffic to version 2.
                {
                    "Name": "canary",
                    "FunctionVersion": "4",
                    "RoutingConfig": {"AdditionalVersionWeights": {"2": 0.1}},
                },
            ]
        },
        {"FunctionName": FUNCTION},
    )
    for version in ("1", "3", "5"):
        stubber.add_response(
            "delete_function", {}, {"FunctionName": FUNCTION, "Qualifier": version}
        )

    deleted = prune_versions(client, FUNCTION, keep=3)

    # Kept: 6, 10, 11 (newest, by number not text), 4 and 2 (aliases); never $LATEST.
    assert deleted == ["1", "3", "5"]


def test_every_alias_is_active_before_any_version_is_pruned(
    lambda_: tuple[Any, Stubber],
) -> None:
    client, stubber = lambda_
    _state(stubber, "Active", version="2")
    _versions(stubber, ["$LATEST", "1", "2"])
    stubber.add_response(
        "list_aliases",
        {"Aliases": [{"Name": "live", "FunctionVersion": "2"}]},
        {"FunctionName": FUNCTION},
    )
    stubber.add_response("delete_function", {}, {"FunctionName": FUNCTION, "Qualifier": "1"})
    lines: list[str] = []

    settle([ALIAS], lambda region: client, keep=1, log=lines.append, sleep=lambda _: None)

    assert lines == [f"{ALIAS} -> version 2, Active", f"{FUNCTION}: deleted old versions 1"]


def test_a_stack_without_snapstart_has_nothing_to_wait_for() -> None:
    # Dev's live_aliases output is [] (or absent): no AWS call at all.
    assert main(["--aliases", "[]"]) == 0
    assert main(["--aliases", ""]) == 0


def test_a_failed_wait_fails_the_step(monkeypatch: pytest.MonkeyPatch) -> None:
    def failing(*args: Any, **kwargs: Any) -> None:
        raise LiveVersionError("version 7 is still Pending")

    monkeypatch.setattr("infra.operations.live_versions.settle", failing)

    assert main(["--aliases", f'["{ALIAS}"]']) == 1
