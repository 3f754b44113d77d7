"""The canary for infra/offline/engine.py, the one module that uses the Pulumi SDK's
private parts. If a `pulumi` upgrade breaks any of them, this fails first and
says which, before snapshots, tests and `make dev` fail in stranger ways."""

from __future__ import annotations

from typing import Any

import pulumi
from pulumi.runtime.mocks import MockCallArgs, MockResourceArgs, Mocks

from infra.offline import engine


class _Recording(Mocks):
    def __init__(self) -> None:
        self.inputs: dict[str, Any] = {}

    def new_resource(self, args: MockResourceArgs) -> tuple[str | None, dict[str, Any]]:
        self.inputs[args.name] = dict(args.inputs)
        return f"{args.name}-id", dict(args.inputs)

    def call(self, args: MockCallArgs) -> tuple[dict[str, Any], list[tuple[str, str]]]:
        return {}, []


def _program() -> dict[str, pulumi.Output[Any]]:
    config = engine.config_values()
    resource = pulumi.CustomResource(
        "test:index:Thing",
        "thing",
        {"plain": config["proj:plain"], "hidden": pulumi.Output.secret(config["proj:hidden"])},
    )
    return {"id": resource.id}


def test_a_program_runs_under_mocks_with_its_config_and_secrets() -> None:
    mocks = _Recording()

    outputs = engine.run_with_mocks(
        _program,
        mocks,
        project="proj",
        stack="canary",
        config={"proj:plain": "value", "proj:hidden": "s3cret"},
        secret_keys=["proj:hidden"],
    )

    assert engine.resolve(outputs["id"]) == "thing-id", "outputs no longer resolve"
    recorded = mocks.inputs["thing"]
    assert recorded["plain"] == "value", "config values no longer reach the program"
    assert engine.is_secret_wrapper(recorded["hidden"]), (
        "the engine's secret marker moved: update engine.SIGNATURE_KEY / SECRET_SIGNATURE"
    )
    assert recorded["hidden"]["value"] == "s3cret"


def test_the_sdk_globals_are_left_clean_for_the_next_run() -> None:
    engine.run_with_mocks(
        _program,
        _Recording(),
        project="proj",
        stack="canary",
        config={"proj:plain": "a", "proj:hidden": "b"},
        secret_keys=[],
    )

    assert "proj:plain" not in engine.config_values()


def test_each_registration_is_recorded_with_its_urn_and_dependencies() -> None:
    def program() -> dict[str, pulumi.Output[Any]]:
        first = pulumi.CustomResource("test:index:Thing", "first", {"value": "a"})
        second = pulumi.CustomResource("test:index:Thing", "second", {"after": first.id})
        return {"id": second.id}

    registrations: dict[tuple[str, str], engine.Registration] = {}
    engine.run_with_mocks(
        program,
        _Recording(),
        project="proj",
        stack="canary",
        config={},
        secret_keys=[],
        registrations=registrations,
    )

    first = registrations[("test:index:Thing", "first")]
    second = registrations[("test:index:Thing", "second")]
    assert first.urn == "urn:pulumi:canary::proj::test:index:Thing::first"
    assert second.dependencies == {first.urn}, (
        "the mock monitor no longer sees dependencies: update engine._RecordingMonitor"
    )
    assert first.dependencies == set()
