"""The one place that reaches into the Pulumi SDK's internals.

Running the real program without the CLI (tests, snapshots, `make dev`) and
reading every config value the engine handed the program need parts of the
SDK that are not public API. They are used here and nowhere else, and
`pulumi` is pinned to one minor version (platform/pyproject.toml); the canary
test (tests/infra/offline/test_engine.py) fails with a clear message when an upgrade
breaks any of them.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any, TypeVar

from pulumi.runtime import config as _runtime_config
from pulumi.runtime import rpc as _rpc
from pulumi.runtime import settings as _runtime_settings
from pulumi.runtime.mocks import MockMonitor, Mocks, set_mocks
from pulumi.runtime.stack import run_pulumi_func
from pulumi.runtime.sync_await import _sync_await

T = TypeVar("T")

_ROOT_STACK_TYPE = "pulumi:pulumi:Stack"
# How the engine marks a secret value inside resource inputs.
SIGNATURE_KEY: str = _rpc._special_sig_key
SECRET_SIGNATURE: str = _rpc._special_secret_sig


def config_values() -> dict[str, Any]:
    """Every `namespace:key` config value the engine passed the running program."""
    return {**_runtime_config.get_config_env(), **_runtime_config.CONFIG.get()}


@dataclass(frozen=True)
class Registration:
    """What the engine was told about one resource besides its inputs."""

    urn: str
    # URNs of the resources it waits for: its inputs' and its explicit depends_on.
    dependencies: frozenset[str] = field(default_factory=frozenset)
    # Its `protect` and `retain_on_delete` options.
    protect: bool = False
    retain_on_delete: bool = False


class _RecordingMonitor(MockMonitor):
    """The SDK's mock monitor, also keeping each registration's URN and dependencies
    (Mocks.new_resource is not shown them), keyed by (type, logical name)."""

    def __init__(self, mocks: Mocks, registrations: dict[tuple[str, str], Registration]) -> None:
        super().__init__(mocks)
        self._registrations = registrations

    def RegisterResource(self, request: Any) -> Any:
        self._registrations[(request.type, request.name)] = Registration(
            urn=_engine_urn(self.make_urn(request.parent, request.type, request.name)),
            dependencies=frozenset(_engine_urn(urn) for urn in request.dependencies),
            protect=bool(request.protect),
            retain_on_delete=bool(request.retainOnDelete),
        )
        return super().RegisterResource(request)  # type: ignore[no-untyped-call]


def _engine_urn(mock_urn: str) -> str:
    """The URN as the engine names it: the mock puts the root stack in the type chain."""
    return mock_urn.replace(f"::{_ROOT_STACK_TYPE}$", "::", 1)


def run_with_mocks(
    program: Callable[[], T],
    mocks: Mocks,
    *,
    project: str,
    stack: str,
    config: Mapping[str, str],
    secret_keys: Iterable[str],
    registrations: dict[tuple[str, str], Registration] | None = None,
) -> T:
    """Run `program` as `pulumi up` would, every resource answered by `mocks`;
    wait for every registration, then leave the SDK's globals as they were.
    `registrations`, when given, receives each resource's URN and dependencies."""
    _runtime_settings.ROOT.set(None)
    monitor = _RecordingMonitor(mocks, registrations if registrations is not None else {})
    set_mocks(mocks, project=project, stack=stack, preview=False, monitor=monitor)
    _runtime_config.set_all_config(dict(config), list(secret_keys))
    results: list[T] = []
    try:
        _sync_await(run_pulumi_func(lambda: results.append(program())))
        return results[0]
    finally:
        _runtime_config.set_all_config({}, [])
        _runtime_settings.ROOT.set(None)


def resolve(output: Any) -> Any:
    """The value of an Output once a mocked run has finished."""
    return _sync_await(output.future())


def is_secret_wrapper(value: Any) -> bool:
    return isinstance(value, dict) and value.get(SIGNATURE_KEY) == SECRET_SIGNATURE
