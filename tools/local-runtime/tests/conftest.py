"""One local runtime for the whole session: the real program for `dev` (with a
test-only stack config file), plus the test-only probe function."""

from __future__ import annotations

import dataclasses
from collections.abc import Iterator
from typing import Any

import pytest

from local_runtime.console import Console
from local_runtime.runtime import Runtime
from tests.fake_program import probe_resources
from tests.support import (
    TEST_BURST,
    TEST_RATE,
    THROTTLED_ROUTE,
    Captured,
    services,
    write_test_stack_file,
)


@pytest.fixture(scope="session")
def generated_openapi() -> dict[str, Any]:
    """The whole API's document as `make openapi` makes it from the code now."""
    from local_runtime.openapi import generate

    return generate()


@pytest.fixture(scope="session")
def console_output() -> Captured:
    return Captured()


@pytest.fixture(scope="session")
def runtime(
    tmp_path_factory: pytest.TempPathFactory, console_output: Captured
) -> Iterator[Runtime]:
    from infra.offline.declared import declare

    config_file = write_test_stack_file(tmp_path_factory.mktemp("stack"))
    resources, _ = declare("dev", config_file=config_file)
    api = next(r for r in resources if r.type == "aws:apigatewayv2/api:Api")
    authorizer = next(r for r in resources if r.type == "aws:apigatewayv2/authorizer:Authorizer")
    table = next(r for r in resources if r.type == "aws:dynamodb/table:Table")
    extra = probe_resources(
        api_id=api.id, authorizer_id=authorizer.id, table_arn=str(table.outputs["arn"])
    )
    local = Runtime(
        [*(_with_a_throttled_probe_route(r) for r in resources), *extra],
        stack="dev",
        port=0,
        console=Console(console_output),
        services=services,
    )
    local.start()
    yield local
    local.stop()


def _with_a_throttled_probe_route(resource: Any) -> Any:
    """The stage, with its own small bucket for the probe's throttled route."""
    if resource.type != "aws:apigatewayv2/stage:Stage":
        return resource
    setting = {
        "routeKey": THROTTLED_ROUTE,
        "throttlingRateLimit": TEST_RATE,
        "throttlingBurstLimit": TEST_BURST,
    }
    inputs = {**resource.inputs, "routeSettings": [setting]}
    return dataclasses.replace(resource, inputs=inputs)
