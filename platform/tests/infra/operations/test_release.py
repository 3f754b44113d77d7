"""The release step against the emulator's Lambda and CloudWatch (moto): traffic moves to a
new version only once it is Active, then as the stack's `functions.deployment` says, and
back by itself when an alarm fires.

Lambda and CloudWatch behaviour it relies on, besides what infra.operations.release cites:
- an alias routes to at most two published versions, `FunctionVersion` and one entry of
  `AdditionalVersionWeights` with its share between 0 and 1 (Lambda API reference,
  AliasRoutingConfiguration; developer guide, "Create an alias ... weighted alias": "You
  can point an alias to a maximum of two Lambda function versions");
- DescribeAlarms with `AlarmNames` returns each alarm's `StateValue` (OK, ALARM,
  INSUFFICIENT_DATA) and takes at most 100 names (CloudWatch API reference, DescribeAlarms).
"""

from __future__ import annotations

import io
import zipfile
from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Any

import pytest
from botocore.session import get_session
from moto import mock_aws

from infra.operations import release as release_module
from infra.operations.live_versions import AliasArn
from infra.operations.release import STRATEGIES, Release, ReleaseError, RolledBack, release

REGION = "eu-west-1"
ACCOUNT = "123456789012"
FUNCTIONS = ("serverless-backend-prod-items-api", "serverless-backend-prod-health-api")


def _zip(body: str) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr("handler.py", body)
    return buffer.getvalue()


@dataclass
class Account:
    lambda_: Any
    cloudwatch: Any
    now: float = 0.0
    # (time, function, version, weights) of every alias state the sleeps saw.
    seen: list[tuple[float, str, str, dict[str, float]]] = field(default_factory=list)
    # Alarms to set to ALARM once the clock reaches a time.
    fire_at: dict[str, float] = field(default_factory=dict)

    def clock(self) -> float:
        return self.now

    def sleep(self, seconds: float) -> None:
        """No real waiting: the clock moves, and what the alias routes is recorded."""
        for function in FUNCTIONS:
            alias = self.lambda_.get_alias(FunctionName=function, Name="live")
            weights = (alias.get("RoutingConfig") or {}).get("AdditionalVersionWeights") or {}
            self.seen.append((self.now, function, alias["FunctionVersion"], dict(weights)))
        self.now += seconds
        for name, at in self.fire_at.items():
            if self.now >= at:
                self.cloudwatch.set_alarm_state(
                    AlarmName=name, StateValue="ALARM", StateReason="test"
                )

    def live(self, function: str) -> tuple[str, dict[str, float]]:
        alias = self.lambda_.get_alias(FunctionName=function, Name="live")
        weights = (alias.get("RoutingConfig") or {}).get("AdditionalVersionWeights") or {}
        return alias["FunctionVersion"], weights


@pytest.fixture
def account() -> Iterator[Account]:
    with mock_aws():
        session = get_session()
        iam = session.create_client("iam", region_name=REGION)
        role = iam.create_role(RoleName="fn", AssumeRolePolicyDocument="{}")["Role"]["Arn"]
        lambda_ = session.create_client("lambda", region_name=REGION)
        cloudwatch = session.create_client("cloudwatch", region_name=REGION)
        for function in FUNCTIONS:
            lambda_.create_function(
                FunctionName=function,
                Runtime="python3.12",
                Role=role,
                Handler="handler.handler",
                Code={"ZipFile": _zip("v = 1")},
                Publish=True,
            )
            lambda_.create_alias(FunctionName=function, Name="live", FunctionVersion="1")
            lambda_.update_function_code(FunctionName=function, ZipFile=_zip("v = 2"))
            lambda_.publish_version(FunctionName=function)
            for alarm in ("errors", "duration"):
                cloudwatch.put_metric_alarm(
                    AlarmName=f"{function}-{alarm}",
                    Namespace="AWS/Lambda",
                    MetricName="Errors" if alarm == "errors" else "Duration",
                    Dimensions=[{"Name": "FunctionName", "Value": function}],
                    Statistic="Sum",
                    Period=60,
                    EvaluationPeriods=1,
                    Threshold=1,
                    ComparisonOperator="GreaterThanOrEqualToThreshold",
                )
        yield Account(lambda_, cloudwatch)


def releases() -> list[Release]:
    return [
        Release(
            AliasArn.parse(f"arn:aws:lambda:{REGION}:{ACCOUNT}:function:{function}:live"),
            "2",
            (f"{function}-errors", f"{function}-duration"),
        )
        for function in FUNCTIONS
    ]


def run(account: Account, strategy: str, **options: Any) -> list[str]:
    lines: list[str] = []
    release(
        releases(),
        STRATEGIES[strategy],
        lambda region: options.get("lambda_", account.lambda_),
        lambda region: account.cloudwatch,
        log=lines.append,
        sleep=account.sleep,
        clock=account.clock,
        poll=30,
        active_timeout=options.get("active_timeout", 900),
    )
    return lines


def test_all_at_once_moves_every_alias_to_the_new_version(account: Account) -> None:
    lines = run(account, "allAtOnce")

    for function in FUNCTIONS:
        assert account.live(function) == ("2", {})
    assert f"{FUNCTIONS[0]}: live 1 -> 2" in lines
    assert not [s for s in account.seen if s[3]], "no split traffic at all"


def test_a_canary_sends_ten_percent_for_five_minutes_then_the_rest(account: Account) -> None:
    run(account, "canary10Percent5Minutes")

    split = {(t, f, v, tuple(w.items())) for t, f, v, w in account.seen}
    for function in FUNCTIONS:
        assert (0.0, function, "1", (("2", 0.1),)) in split
        assert account.live(function) == ("2", {})
    # Held, and watched, for the whole five minutes.
    assert max(t for t, *_ in account.seen) == 270.0
    assert account.now == 300.0


def test_linear_adds_ten_percent_every_minute(account: Account) -> None:
    run(account, "linear10PercentEvery1Minute")

    shares = [w.get("2") for _, f, _, w in account.seen if f == FUNCTIONS[0]]
    distinct = list(dict.fromkeys(shares))
    assert distinct == [0.1, 0.2, 0.3, 0.4, 0.5, 0.6, 0.7, 0.8, 0.9]
    assert account.live(FUNCTIONS[0]) == ("2", {})


def test_an_alarm_during_the_canary_sends_everything_back_by_itself(account: Account) -> None:
    account.fire_at[f"{FUNCTIONS[1]}-errors"] = 90.0

    with pytest.raises(RolledBack, match=f"alarm in ALARM: {FUNCTIONS[1]}-errors"):
        run(account, "canary10Percent5Minutes")

    # Every function goes back, not only the one whose alarm fired.
    for function in FUNCTIONS:
        assert account.live(function) == ("1", {})
    assert account.now < 300.0


def test_an_interrupted_release_goes_back_too(account: Account) -> None:
    """The deploy step's timeout interrupts it with SIGINT (KeyboardInterrupt)."""

    def interrupted(seconds: float) -> None:
        raise KeyboardInterrupt

    account.sleep = interrupted  # type: ignore[method-assign]

    with pytest.raises(RolledBack, match="interrupted"):
        run(account, "canary10Percent5Minutes")
    for function in FUNCTIONS:
        assert account.live(function) == ("1", {})


class Pending:
    """moto's versions are Active at once; a SnapStart version is Pending for a while."""

    def __init__(self, inner: Any, account: Account, until: float) -> None:
        self._inner, self._account, self._until = inner, account, until

    def __getattr__(self, name: str) -> Any:
        return getattr(self._inner, name)

    def get_function_configuration(self, **kwargs: Any) -> Any:
        configuration = self._inner.get_function_configuration(**kwargs)
        state = "Pending" if self._account.now < self._until else "Active"
        return {**configuration, "State": state}


def test_no_traffic_moves_before_the_new_version_is_active(account: Account) -> None:
    run(account, "canary10Percent5Minutes", lambda_=Pending(account.lambda_, account, until=60))

    while_pending = [s for s in account.seen if s[0] < 60]
    assert while_pending
    assert all(version == "1" and not weights for _, _, version, weights in while_pending)
    for function in FUNCTIONS:
        assert account.live(function) == ("2", {})


def test_a_version_that_never_becomes_active_moves_nothing(account: Account) -> None:
    never = Pending(account.lambda_, account, until=10_000)

    with pytest.raises(ReleaseError, match="still Pending after 120 s"):
        run(account, "allAtOnce", lambda_=never, active_timeout=120)
    for function in FUNCTIONS:
        assert account.live(function) == ("1", {})


def test_an_alias_already_on_the_version_is_left_alone(account: Account) -> None:
    run(account, "allAtOnce")

    lines = run(account, "canary10Percent5Minutes")

    assert lines == [f"{function}: live already on 2" for function in FUNCTIONS]


def test_a_stack_that_publishes_no_versions_has_nothing_to_release() -> None:
    assert release_module.main(["--deployment", "allAtOnce", "--releases", "[]"]) == 0


def test_the_strategies_are_codedeploys_lambda_configurations() -> None:
    assert sorted(STRATEGIES) == [
        "allAtOnce",
        "canary10Percent5Minutes",
        "linear10PercentEvery1Minute",
    ]
    assert STRATEGIES["canary10Percent5Minutes"].steps == ((0.1, 300.0),)
    assert sum(hold for _, hold in STRATEGIES["linear10PercentEvery1Minute"].steps) == 540.0
