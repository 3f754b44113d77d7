"""Which version answers an invocation of `live`: the alias's, or the second one for the
share its weight gives (Lambda API reference, AliasRoutingConfiguration)."""

from __future__ import annotations

import pytest

from local_runtime.live_version import LiveAlias, LiveVersions, live_aliases
from local_runtime.model import ModelError, Resource


def alias(
    version: str = "6", weights: dict[str, float] | None = None, name: str = "live"
) -> Resource:
    inputs: dict[str, object] = {"name": name, "functionName": "fn", "functionVersion": version}
    if weights is not None:
        inputs["routingConfig"] = {"additionalVersionWeights": weights}
    return Resource("aws:lambda/alias:Alias", "fn-live", "fn:live", inputs, {})


def test_a_draw_below_the_weight_lands_on_the_second_version() -> None:
    canary = LiveAlias("6", {"7": 0.1})

    assert canary.pick(0.0) == "7"
    assert canary.pick(0.0999) == "7"
    assert canary.pick(0.1) == "6"
    assert canary.pick(0.99) == "6"


def test_a_tenth_of_evenly_spread_draws_reach_a_ten_percent_canary() -> None:
    canary = LiveAlias("6", {"7": 0.1})
    picks = [canary.pick(n / 1000) for n in range(1000)]

    assert picks.count("7") == 100


def test_the_aliases_come_from_the_declared_resources() -> None:
    found = live_aliases([alias(weights={"7": 0.25}), alias(name="other")])

    assert found == {"fn": LiveAlias("6", {"7": 0.25})}
    versions = LiveVersions(found, draw=lambda: 0.2)
    assert versions.pick("fn") == "7"
    assert versions.main_version("fn") == "6"
    assert versions.pick("no-alias") is None


@pytest.mark.parametrize(
    ("version", "weights", "refused"),
    [
        ("6", {"7": 0.1, "8": 0.1}, "two versions at most"),
        ("6", {"7": 1.5}, "between 0 and 1"),
        ("$LATEST", {"7": 0.1}, "published versions only"),
    ],
)
def test_an_alias_lambda_would_refuse_is_refused(
    version: str, weights: dict[str, float], refused: str
) -> None:
    with pytest.raises(ModelError, match=refused):
        live_aliases([alias(version, weights)])


def test_the_prod_stack_serves_every_live_alias_on_its_version() -> None:
    """Under the mocks every function's `live` is on its first version, unweighted."""
    from infra.offline.declared import declare

    resources, _ = declare("prod")
    found = live_aliases(resources)

    assert found
    assert {a.version for a in found.values()} == {"1"}
    assert all(not a.weights for a in found.values())
