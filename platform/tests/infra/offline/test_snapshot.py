"""The committed snapshots are current: every infrastructure change shows up in review."""

from __future__ import annotations

import pytest
import yaml

from infra.offline.snapshot import VERSION_PLACEHOLDER, render, snapshot_path
from infra.program.stack_files import stacks


@pytest.mark.parametrize("stack", stacks())
def test_the_committed_snapshot_is_current(stack: str) -> None:
    path = snapshot_path(stack)

    assert path.is_file(), f"no snapshot for {stack}: run `make snapshot`"
    assert path.read_text() == render(stack), (
        f"{path.name} is stale: run `make snapshot` (python -m infra.offline.snapshot) "
        "and commit it"
    )


@pytest.mark.parametrize("stack", stacks())
def test_the_snapshot_holds_no_secret_and_no_service_version(stack: str) -> None:
    text = snapshot_path(stack).read_text()
    document = yaml.safe_load(text)

    assert "local_only_" not in text
    assert document["stack"] == stack
    functions = [r for r in document["resources"] if r["type"] == "aws:lambda/function:Function"]
    assert functions
    for function in functions:
        variables = function["inputs"]["environment"]["variables"]
        if "SERVICE_VERSION" in variables:
            assert variables["SERVICE_VERSION"] == VERSION_PLACEHOLDER
