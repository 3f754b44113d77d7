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

    assert "local-only-insecure" not in text
    assert document["stack"] == stack
    functions = [r for r in document["resources"] if r["type"] == "aws:lambda/function:Function"]
    assert functions
    for function in functions:
        variables = function["inputs"]["environment"]["variables"]
        if "SERVICE_VERSION" in variables:
            assert variables["SERVICE_VERSION"] == VERSION_PLACEHOLDER


@pytest.mark.parametrize("stack", stacks())
def test_the_stack_puts_no_secret_in_pulumis_state(stack: str) -> None:
    """A `random:*` resource keeps its result in the state, and a secret input is kept there
    encrypted with the stack's key, which a token that may preview the stack can decrypt
    (Pulumi Cloud's "Stack Read" permission set includes stack:decrypt; docs/ci-cd.md). The
    stack's secrets live in SSM only (infra.operations.secret_parameters)."""
    resources = yaml.safe_load(snapshot_path(stack).read_text())["resources"]

    assert not [r["name"] for r in resources if r["type"].startswith("random:")]
    assert not [r["name"] for r in resources if r.get("secret_inputs")]
    assert "[secret]" not in snapshot_path(stack).read_text()
