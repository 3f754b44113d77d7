"""After `pulumi up` of a SnapStart stack: wait until every function's `live` alias points
at an Active version, then delete the old versions no alias uses.

pulumi-aws (the Terraform provider underneath) does not wait for a function's first
published version to become Active (hashicorp/terraform-provider-aws#42693). With
SnapStart, Lambda first initialises the version and snapshots it (`State: Pending`),
and an invocation of a Pending version fails; so the deploy pipeline runs this between
`pulumi up` and the smoke test, and a stack counts as deployed only once `live` is
Active everywhere.

SnapStart keeps (and bills) a cache of every published version, and `publish=True` adds
one on every change. This keeps the newest `--keep` versions, and any version an alias
points at, so a quick rollback (`aws lambda update-alias --function-version <n>`) stays
possible, and deletes the rest.

    python -m infra.operations.live_versions --aliases '["arn:aws:lambda:…:f:live"]'

`--aliases` is the stack output `live_aliases` (a JSON list, empty without SnapStart).
The AWS credentials are the deploy role's; each alias's region comes from its ARN.
"""

from __future__ import annotations

import argparse
import json
import sys
import time
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass
from typing import Any, Protocol

# Newest published versions kept besides those an alias names.
DEFAULT_KEEP = 3
# SnapStart's initialisation and snapshot usually take a minute or two.
DEFAULT_TIMEOUT_SECONDS = 900.0
POLL_SECONDS = 5.0


class LiveVersionError(RuntimeError):
    """A `live` version failed, or was still not Active when the time ran out."""


class LambdaApi(Protocol):
    """The four calls this makes (a botocore Lambda client has them)."""

    def get_function(self, **kwargs: Any) -> Any: ...
    def list_versions_by_function(self, **kwargs: Any) -> Any: ...
    def list_aliases(self, **kwargs: Any) -> Any: ...
    def delete_function(self, **kwargs: Any) -> Any: ...


@dataclass(frozen=True)
class AliasArn:
    """`arn:aws:lambda:<region>:<account>:function:<name>:<alias>`, taken apart."""

    function_arn: str
    alias: str
    region: str

    @classmethod
    def parse(cls, arn: str) -> AliasArn:
        parts = arn.split(":")
        if len(parts) != 8 or parts[2] != "lambda" or parts[5] != "function":
            raise ValueError(f"not a Lambda alias ARN: {arn!r}")
        return cls(function_arn=":".join(parts[:7]), alias=parts[7], region=parts[3])


def wait_until_active(
    lambda_: LambdaApi,
    alias: AliasArn,
    *,
    timeout: float = DEFAULT_TIMEOUT_SECONDS,
    sleep: Callable[[float], None] = time.sleep,
    clock: Callable[[], float] = time.monotonic,
) -> str:
    """The version `alias` points at, once Lambda reports it Active."""
    deadline = clock() + timeout
    while True:
        configuration = lambda_.get_function(
            FunctionName=alias.function_arn, Qualifier=alias.alias
        )["Configuration"]
        state, version = configuration.get("State"), str(configuration.get("Version"))
        if state == "Active":
            return version
        if state in ("Failed", "Inactive"):
            reason = configuration.get("StateReasonCode") or configuration.get("StateReason")
            raise LiveVersionError(
                f"{alias.function_arn}:{alias.alias} is version {version}, {state}: {reason}"
            )
        if clock() >= deadline:
            raise LiveVersionError(
                f"{alias.function_arn}:{alias.alias} (version {version}) is still {state} "
                f"after {timeout:.0f} s"
            )
        sleep(POLL_SECONDS)


def prune_versions(lambda_: LambdaApi, function_arn: str, *, keep: int) -> list[str]:
    """Delete the published versions of the function that are neither among the newest
    `keep` nor named by an alias; the deleted ones, oldest first."""
    published = sorted(
        int(entry["Version"])
        for entry in _pages(lambda_.list_versions_by_function, "Versions", function_arn)
        if entry["Version"] != "$LATEST"
    )
    in_use = set()
    for alias in _pages(lambda_.list_aliases, "Aliases", function_arn):
        in_use.add(str(alias["FunctionVersion"]))
        weights = (alias.get("RoutingConfig") or {}).get("AdditionalVersionWeights") or {}
        in_use.update(str(version) for version in weights)
    kept = set(published[-keep:]) if keep > 0 else set()
    doomed = [str(v) for v in published if v not in kept and str(v) not in in_use]
    for version in doomed:
        lambda_.delete_function(FunctionName=function_arn, Qualifier=version)
    return doomed


def _pages(call: Callable[..., Any], key: str, function_arn: str) -> Iterator[Any]:
    marker: str | None = None
    while True:
        page = call(FunctionName=function_arn, **({"Marker": marker} if marker else {}))
        yield from page.get(key, [])
        marker = page.get("NextMarker")
        if not marker:
            return


def settle(
    aliases: Sequence[str],
    client_for: Callable[[str], LambdaApi],
    *,
    keep: int = DEFAULT_KEEP,
    timeout: float = DEFAULT_TIMEOUT_SECONDS,
    log: Callable[[str], None] = print,
    sleep: Callable[[float], None] = time.sleep,
) -> None:
    """Wait for every alias first (the stack is usable only when all are), then prune."""
    parsed = [AliasArn.parse(arn) for arn in aliases]
    for alias in parsed:
        version = wait_until_active(client_for(alias.region), alias, timeout=timeout, sleep=sleep)
        log(f"{alias.function_arn}:{alias.alias} -> version {version}, Active")
    for alias in parsed:
        deleted = prune_versions(client_for(alias.region), alias.function_arn, keep=keep)
        if deleted:
            log(f"{alias.function_arn}: deleted old versions {', '.join(deleted)}")


def _botocore_client(region: str) -> LambdaApi:
    from botocore.config import Config
    from botocore.session import get_session

    config = Config(retries={"mode": "standard", "max_attempts": 5})
    client: LambdaApi = get_session().create_client("lambda", region_name=region, config=config)
    return client


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        prog="python -m infra.operations.live_versions", description=__doc__
    )
    parser.add_argument("--aliases", required=True, help="the stack output live_aliases (JSON)")
    parser.add_argument("--keep", type=int, default=DEFAULT_KEEP)
    parser.add_argument("--timeout", type=float, default=DEFAULT_TIMEOUT_SECONDS)
    args = parser.parse_args(argv)
    aliases = json.loads(args.aliases) if args.aliases.strip() else []
    if not isinstance(aliases, list) or not all(isinstance(a, str) for a in aliases):
        parser.error("--aliases must be a JSON list of alias ARNs")
    clients: dict[str, LambdaApi] = {}

    def client_for(region: str) -> LambdaApi:
        if region not in clients:
            clients[region] = _botocore_client(region)
        return clients[region]

    try:
        settle(aliases, client_for, keep=args.keep, timeout=args.timeout)
    except LiveVersionError as exc:
        sys.stderr.write(f"not deployed: {exc}\n")
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
