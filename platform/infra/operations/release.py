"""After `pulumi up`: move each function's `live` alias to the version that deploy published,
only once that version is Active, and then gradually, watching the functions' alarms, and
back by itself if one fires.

`pulumi up` publishes a new version of every changed function but leaves `live` where it
is (the program ignores changes to the alias's version and routing): traffic moves here.

1. Every new version must be Active before any traffic moves. Lambda first initialises a
   version (with SnapStart, snapshots it: `State: Pending`), and while it is Pending "any
   invocations ... will fail" (Lambda developer guide, "Lambda function states");
   pulumi-aws does not wait for it (hashicorp/terraform-provider-aws#42693).
2. Then the stack's `functions.deployment` decides how traffic moves, through the alias's
   weighted routing (`RoutingConfig.AdditionalVersionWeights`: the share of invocations
   the second version gets; Lambda developer guide, "Implement Lambda canary deployments
   using a weighted alias"). The names and steps are CodeDeploy's predefined Lambda
   configurations (CodeDeploy user guide, "Deployment configurations on an AWS Lambda
   compute platform"): `allAtOnce`, `canary10Percent5Minutes` (10% for five minutes, then
   the rest), `linear10PercentEvery1Minute` (10% more every minute).
3. While traffic is split, the functions' alarms (their errors and their latency) are read
   every `poll` seconds; when any is in ALARM, every alias goes back to the version it ran
   before, and the release fails. An interrupt (the deploy step's timeout sends SIGINT)
   rolls back the same way.

    python -m infra.operations.release --deployment canary10Percent5Minutes --releases '<JSON>'

`--releases` is the stack output `releases`: a JSON list of
`{"alias": <live alias ARN>, "version": <the version to release>, "alarms": [<names>]}`
(empty where no function publishes versions). The credentials are the deploy role's.
"""

from __future__ import annotations

import argparse
import json
import sys
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any, Protocol

from infra.operations.live_versions import AliasArn

POLL_SECONDS = 30.0
# SnapStart's initialisation and snapshot usually take a minute or two.
ACTIVE_TIMEOUT_SECONDS = 900.0


@dataclass(frozen=True)
class Strategy:
    # (the new version's share of traffic, seconds it is held while the alarms are watched)
    steps: tuple[tuple[float, float], ...]


STRATEGIES: dict[str, Strategy] = {
    "allAtOnce": Strategy(()),
    "canary10Percent5Minutes": Strategy(((0.1, 300.0),)),
    "linear10PercentEvery1Minute": Strategy(tuple((n / 10, 60.0) for n in range(1, 10))),
}


class LambdaApi(Protocol):
    def get_alias(self, **kwargs: Any) -> Any: ...
    def update_alias(self, **kwargs: Any) -> Any: ...
    def get_function_configuration(self, **kwargs: Any) -> Any: ...


class CloudWatchApi(Protocol):
    def describe_alarms(self, **kwargs: Any) -> Any: ...


class ReleaseError(RuntimeError):
    """A new version never became Active: no traffic moved."""


class RolledBack(RuntimeError):
    """An alarm fired (or the release was interrupted) and every alias went back."""


@dataclass(frozen=True)
class Release:
    alias: AliasArn
    version: str
    alarms: tuple[str, ...]

    @classmethod
    def parse(cls, entry: Any) -> Release:
        if not isinstance(entry, dict) or not {"alias", "version"} <= set(entry):
            raise ValueError(f"not a release: {entry!r}")
        alarms = entry.get("alarms") or []
        return cls(AliasArn.parse(str(entry["alias"])), str(entry["version"]), tuple(alarms))


@dataclass(frozen=True)
class Shift:
    """One alias to move: from the version it runs to the release's."""

    release: Release
    current: str

    @property
    def function(self) -> str:
        return self.release.alias.function_arn.rsplit(":", 1)[1]


def _route(lambda_: LambdaApi, shift: Shift, version: str, weights: dict[str, float]) -> None:
    lambda_.update_alias(
        FunctionName=shift.release.alias.function_arn,
        Name=shift.release.alias.alias,
        FunctionVersion=version,
        RoutingConfig={"AdditionalVersionWeights": weights},
    )


def wait_until_active(
    lambda_: LambdaApi,
    function_arn: str,
    version: str,
    *,
    timeout: float,
    sleep: Callable[[float], None],
    clock: Callable[[], float],
) -> None:
    deadline = clock() + timeout
    while True:
        configuration = lambda_.get_function_configuration(
            FunctionName=function_arn, Qualifier=version
        )
        state = configuration.get("State", "Active")
        if state == "Active":
            return
        if state in ("Failed", "Inactive"):
            reason = configuration.get("StateReasonCode") or configuration.get("StateReason")
            raise ReleaseError(f"{function_arn} version {version} is {state}: {reason}")
        if clock() >= deadline:
            raise ReleaseError(
                f"{function_arn} version {version} is still {state} after {timeout:.0f} s"
            )
        sleep(POLL_SECONDS)


def firing(cloudwatch: CloudWatchApi, names: Sequence[str]) -> list[str]:
    """The alarms among `names` in ALARM."""
    found: list[str] = []
    for start in range(0, len(names), 100):  # DescribeAlarms takes 100 names at most
        page = cloudwatch.describe_alarms(AlarmNames=list(names[start : start + 100]))
        found += [
            a["AlarmName"] for a in page.get("MetricAlarms", []) if a["StateValue"] == "ALARM"
        ]
    return sorted(found)


def release(
    releases: Sequence[Release],
    strategy: Strategy,
    lambda_for: Callable[[str], LambdaApi],
    cloudwatch_for: Callable[[str], CloudWatchApi],
    *,
    log: Callable[[str], None] = print,
    sleep: Callable[[float], None] = time.sleep,
    clock: Callable[[], float] = time.monotonic,
    poll: float = POLL_SECONDS,
    active_timeout: float = ACTIVE_TIMEOUT_SECONDS,
) -> None:
    shifts = []
    for entry in releases:
        alias = lambda_for(entry.alias.region).get_alias(
            FunctionName=entry.alias.function_arn, Name=entry.alias.alias
        )
        weights = (alias.get("RoutingConfig") or {}).get("AdditionalVersionWeights") or {}
        shift = Shift(entry, str(alias["FunctionVersion"]))
        if shift.current == entry.version and not weights:
            log(f"{shift.function}: live already on {entry.version}")
            continue
        shifts.append(shift)
    if not shifts:
        return
    # Before any traffic moves: a version that is not Active fails every invocation.
    for shift in shifts:
        alias = shift.release.alias
        wait_until_active(
            lambda_for(alias.region),
            alias.function_arn,
            shift.release.version,
            timeout=active_timeout,
            sleep=sleep,
            clock=clock,
        )
        log(f"{shift.function}: version {shift.release.version} is Active")
    alarms = sorted({name for shift in shifts for name in shift.release.alarms})
    region = shifts[0].release.alias.region
    try:
        for weight, hold in strategy.steps:
            for shift in shifts:
                _route(
                    lambda_for(shift.release.alias.region),
                    shift,
                    shift.current,
                    {shift.release.version: weight},
                )
                log(
                    f"{shift.function}: live {shift.current}, {weight:.0%} to "
                    f"{shift.release.version}"
                )
            _watch(cloudwatch_for(region), alarms, hold, poll=poll, sleep=sleep, clock=clock)
        for shift in shifts:
            _route(lambda_for(shift.release.alias.region), shift, shift.release.version, {})
            log(f"{shift.function}: live {shift.current} -> {shift.release.version}")
    except (RolledBack, KeyboardInterrupt) as exc:
        for shift in shifts:
            _route(lambda_for(shift.release.alias.region), shift, shift.current, {})
            log(f"{shift.function}: rolled back, live {shift.current}")
        reason = str(exc) if isinstance(exc, RolledBack) else "interrupted"
        raise RolledBack(f"release rolled back: {reason}") from exc


def _watch(
    cloudwatch: CloudWatchApi,
    alarms: Sequence[str],
    hold: float,
    *,
    poll: float,
    sleep: Callable[[float], None],
    clock: Callable[[], float],
) -> None:
    """Read the alarms every `poll` seconds for `hold` seconds, and once more at the end."""
    end = clock() + hold
    while True:
        fired = firing(cloudwatch, alarms) if alarms else []
        if fired:
            raise RolledBack(f"alarm in ALARM: {', '.join(fired)}")
        left = end - clock()
        if left <= 0:
            return
        sleep(min(poll, left))


def _client(service: str, region: str) -> Any:
    from botocore.config import Config
    from botocore.session import get_session

    config = Config(retries={"mode": "standard", "max_attempts": 5})
    return get_session().create_client(service, region_name=region, config=config)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m infra.operations.release", description=__doc__)
    parser.add_argument("--releases", required=True, help="the stack output releases (JSON)")
    parser.add_argument("--deployment", required=True, choices=sorted(STRATEGIES))
    args = parser.parse_args(argv)
    raw = json.loads(args.releases) if args.releases.strip() else []
    if not isinstance(raw, list):
        parser.error("--releases must be a JSON list")
    releases = [Release.parse(entry) for entry in raw]
    try:
        release(
            releases,
            STRATEGIES[args.deployment],
            lambda region: _client("lambda", region),
            lambda region: _client("cloudwatch", region),
        )
    except (ReleaseError, RolledBack) as exc:
        sys.stderr.write(f"not released: {exc}\n")
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
