"""Which version of a function answers an invocation of its `live` alias, as Lambda picks it.

Where the stack publishes versions, the API, the Cognito triggers and the schedules invoke
the function's `live` alias (infra.components.service). The alias names one version and
may send a share of its invocations to one more: `RoutingConfig.AdditionalVersionWeights`,
a version and a weight between 0 and 1, "the percentage of traffic that the alias routes to
the second version" (Lambda API reference, AliasRoutingConfiguration; developer guide,
"Implement Lambda canary deployments using a weighted alias"). Lambda picks per invocation
and runs each version in execution environments of its own; the function's context and
environment name the version that runs (`AWS_LAMBDA_FUNCTION_VERSION`; developer guide,
"Using Lambda environment variables").

The local runtime does the same: each invocation draws, the version it lands on answers
from its own warm workers, whose environment names that version. Every version runs the
working tree's code (there is no older code here to run): what differs is which version's
workers answer, and how often.
"""

from __future__ import annotations

import random
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass

from local_runtime.model import ALIAS, Declared, ModelError

LIVE = "live"


@dataclass(frozen=True)
class LiveAlias:
    version: str
    # The second version and its share of the invocations (at most one, as Lambda allows).
    weights: Mapping[str, float]

    def pick(self, draw: float) -> str:
        """The version that answers, for a draw uniform in [0, 1)."""
        for version, weight in self.weights.items():
            if draw < weight:
                return version
        return self.version


def live_aliases(resources: Sequence[Declared]) -> dict[str, LiveAlias]:
    """Each function's `live` alias by the function's physical name, refused as Lambda
    refuses it: more than one additional version, a weight outside [0, 1], `$LATEST`."""
    found = {}
    for resource in resources:
        if resource.type != ALIAS or resource.inputs.get("name") != LIVE:
            continue
        function = str(resource.inputs.get("functionName", ""))
        version = str(resource.inputs.get("functionVersion", ""))
        routing = resource.inputs.get("routingConfig") or {}
        weights = {
            str(k): float(v) for k, v in (routing.get("additionalVersionWeights") or {}).items()
        }
        if len(weights) > 1:
            raise ModelError(f"{resource.name}: an alias routes to two versions at most")
        if any(not 0.0 <= weight <= 1.0 for weight in weights.values()):
            raise ModelError(f"{resource.name}: a version's weight is between 0 and 1")
        if "$LATEST" in (version, *weights):
            raise ModelError(f"{resource.name}: a weighted alias names published versions only")
        found[function] = LiveAlias(version, weights)
    return found


class LiveVersions:
    """The runtime's draw for every function with a `live` alias."""

    def __init__(
        self, aliases: Mapping[str, LiveAlias], draw: Callable[[], float] = random.random
    ) -> None:
        self.aliases = dict(aliases)
        self.draw = draw

    def main_version(self, function_name: str) -> str | None:
        """The version the alias names, or None without an alias (`$LATEST` answers)."""
        alias = self.aliases.get(function_name)
        return alias.version if alias else None

    def pick(self, function_name: str) -> str | None:
        alias = self.aliases.get(function_name)
        return alias.pick(self.draw()) if alias else None
