"""Each stack declared once per test session, under Pulumi's mocks, with its real config."""

from __future__ import annotations

from pathlib import Path

import pytest

from infra.offline.declared import DeclaredStack, declare_stack
from infra.program.stack_files import stacks
from infra.repo import repo_root
from service_manifest import Manifest, find_manifests

FIXTURE_SERVICES = Path(__file__).parent / "fixtures" / "services"
# The one ${service.version} the tests pass in for every service, so declared stacks do
# not follow source edits (test_bundle and test_program check the real, per-service ones).
VERSION = "abc1234"

_cache: dict[tuple[str, Path], DeclaredStack] = {}


def _declared(stack: str, services: Path) -> DeclaredStack:
    key = (stack, services)
    if key not in _cache:
        _cache[key] = declare_stack(stack, version=VERSION, services_dir=services)
    return _cache[key]


@pytest.fixture(scope="session", params=stacks())
def declared(request: pytest.FixtureRequest) -> DeclaredStack:
    """The real services under each stack's real config."""
    return _declared(request.param, repo_root() / "services")


@pytest.fixture(scope="session")
def dev() -> DeclaredStack:
    """The real services under the dev stack's config: what a function's environment is."""
    return _declared("dev", repo_root() / "services")


@pytest.fixture(scope="session")
def manifests() -> tuple[Manifest, ...]:
    return find_manifests(repo_root() / "services")


@pytest.fixture(scope="session", params=stacks())
def sample(request: pytest.FixtureRequest) -> DeclaredStack:
    """The fixture services (triggers, SES, SMS, own prefixes, a secret) under each stack."""
    return _declared(request.param, FIXTURE_SERVICES)


@pytest.fixture(scope="session")
def sample_manifests() -> tuple[Manifest, ...]:
    return find_manifests(FIXTURE_SERVICES)
