"""`make rollback STACK=<stack>`: point every function's `live` alias back at the version it
ran before the last deploy, the previous published one.

For each function the stack's services declare, "previous" is the newest published
version below the newest one (the last deploy published the newest). The alias moves there
with no weighted routing left (a canary in progress stops too), once that version is
Active: an invocation of a version that is not fails. A function whose alias already runs
that version alone is left as it is, so running this twice moves nothing the second time.
A stack that publishes no versions (no `live` alias) has nothing to roll back.

    uv run --no-sync python -m infra.operations.rollback --stack prod

The AWS credentials are the caller's (any standard source); the region is the stack's.
The next `pulumi up` does not move `live` forward again: the release step does, for the
version that deploy publishes (docs/deploy.md, Rolling back).
"""

from __future__ import annotations

import argparse
import sys
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from typing import Any, Protocol

from infra.program.components.service import LIVE_ALIAS
from infra.program.config import PROJECT
from infra.program.names import StackNames
from infra.program.stack_files import stack_config
from infra.repo import repo_root
from service_manifest import find_manifests


class LambdaApi(Protocol):
    def get_alias(self, **kwargs: Any) -> Any: ...
    def update_alias(self, **kwargs: Any) -> Any: ...
    def list_versions_by_function(self, **kwargs: Any) -> Any: ...
    def get_function_configuration(self, **kwargs: Any) -> Any: ...


class RollbackError(RuntimeError):
    """The previous version cannot take traffic (it is not Active)."""


@dataclass(frozen=True)
class Move:
    function: str
    before: str  # the alias's version before, with its weights if any
    after: str | None  # None: left as it was

    def describe(self) -> str:
        if self.after is None:
            return f"{self.function}: {LIVE_ALIAS} stays on {self.before}"
        return f"{self.function}: {LIVE_ALIAS} {self.before} -> {self.after}"


def stack_function_names(stack: str) -> list[str]:
    """The physical names of the stack's functions, as the program names them."""
    names = StackNames(PROJECT, stack)
    return sorted(
        names.function(manifest.name, function.name)
        for manifest in find_manifests(repo_root() / "services")
        for function in manifest.functions
    )


def published_versions(lambda_: LambdaApi, function: str) -> list[int]:
    versions: list[int] = []
    marker: str | None = None
    while True:
        page = lambda_.list_versions_by_function(
            FunctionName=function, **({"Marker": marker} if marker else {})
        )
        versions += [int(v["Version"]) for v in page.get("Versions", []) if v["Version"].isdigit()]
        marker = page.get("NextMarker")
        if not marker:
            return sorted(versions)


def _describe_alias(alias: dict[str, Any]) -> str:
    weights = (alias.get("RoutingConfig") or {}).get("AdditionalVersionWeights") or {}
    extra = "".join(f" + {v} at {w:.0%}" for v, w in sorted(weights.items()))
    return f"{alias['FunctionVersion']}{extra}"


def roll_back(lambda_: LambdaApi, function: str) -> Move | None:
    """Move the function's `live` alias to its previous version; None without an alias."""
    from botocore.exceptions import ClientError

    try:
        alias = lambda_.get_alias(FunctionName=function, Name=LIVE_ALIAS)
    except ClientError as exc:
        if exc.response.get("Error", {}).get("Code") == "ResourceNotFoundException":
            return None
        raise
    before = _describe_alias(alias)
    versions = published_versions(lambda_, function)
    if len(versions) < 2:
        return Move(function, before, None)
    target = str(versions[-2])
    weights = (alias.get("RoutingConfig") or {}).get("AdditionalVersionWeights") or {}
    if alias["FunctionVersion"] == target and not weights:
        return Move(function, before, None)
    state = lambda_.get_function_configuration(FunctionName=function, Qualifier=target)
    if state.get("State", "Active") != "Active":
        raise RollbackError(
            f"{function}: version {target} is {state.get('State')}, not Active; "
            f"{LIVE_ALIAS} stays on {before}"
        )
    lambda_.update_alias(
        FunctionName=function,
        Name=LIVE_ALIAS,
        FunctionVersion=target,
        RoutingConfig={"AdditionalVersionWeights": {}},
    )
    return Move(function, before, target)


def roll_back_stack(
    lambda_: LambdaApi, functions: Iterable[str], *, log: Callable[[str], None] = print
) -> list[Move]:
    """Every function, even past one that cannot move; then the first failure, if any."""
    moves, failures = [], []
    for function in functions:
        try:
            move = roll_back(lambda_, function)
        except RollbackError as exc:
            log(f"{exc}")
            failures.append(exc)
            continue
        if move is None:
            log(f"{function}: no {LIVE_ALIAS} alias (the stack publishes no versions)")
            continue
        log(move.describe())
        moves.append(move)
    if failures:
        raise failures[0]
    return moves


def _lambda_client(region: str) -> LambdaApi:
    from botocore.config import Config
    from botocore.session import get_session

    config = Config(retries={"mode": "standard", "max_attempts": 5})
    client: LambdaApi = get_session().create_client("lambda", region_name=region, config=config)
    return client


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        prog="python -m infra.operations.rollback", description=__doc__
    )
    parser.add_argument("--stack", required=True, help="the stack, e.g. prod")
    args = parser.parse_args(argv)
    region = stack_config(args.stack).region
    try:
        roll_back_stack(_lambda_client(region), stack_function_names(args.stack))
    except RollbackError as exc:
        sys.stderr.write(f"not rolled back: {exc}\n")
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
