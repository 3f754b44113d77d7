"""The business metrics: the code counts exactly what service.toml declares (which
the stack's dashboard graphs, and CodesFailed's alarm watches), and each is written
when what it counts happens, through the app, the emulated pool and the real
triggers; a test destination is counted as sent nothing.

The triggers write their lines at the end of each invocation (the kernel's
`lambda_function`); the API's are written here with `metrics.flush()`, as its Lambda
handler does at the end of each request. The EMF lines are read from stdout
(capsys), as CloudWatch reads them."""

from __future__ import annotations

import ast
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
from fastapi.testclient import TestClient

from auth import metrics as auth_metrics
from auth.settings import settings
from service_kernel import metrics
from service_kernel.aws import client as kernel_client
from service_kernel.testing import (
    Emitted,
    MetricPoint,
    countable_metrics,
    declared_metrics,
    emitted_metrics,
)
from service_manifest import load_manifest
from tests.requests import wrong

MANIFEST = load_manifest(Path(__file__).parents[1] / "service.toml")
SOURCES = Path(__file__).parents[1] / "src" / "auth"
NAMESPACE = "serverless-backend/test"
PHONE = "+12025550101"
EMAIL = "ada@example.com"
PASSWORD = "Passw0rd!"


@dataclass
class World:
    client: TestClient
    aws: Any
    monkeypatch: pytest.MonkeyPatch

    def start(self, **destination: str) -> Any:
        return self.client.post("/auth/start", json=destination)

    def verify(self, started: dict[str, Any], otp: str) -> Any:
        answer = {"phone": started["phone"], "session": started["session"], "otp": otp}
        return self.client.post("/auth/verify", json=answer)

    def settings(self, **changes: int) -> None:
        """The API's settings changed, and its code rules rebuilt from them."""
        for name, value in changes.items():
            self.monkeypatch.setattr(settings, name, value)
        self.aws.serve_with(kernel_client("cognito-idp"))


Action = Callable[[], object]


def sms_sent(world: World) -> Action:
    return lambda: world.start(phone=PHONE)


def email_sent(world: World) -> Action:
    return lambda: world.start(email=EMAIL)


def wrong_code(world: World) -> Action:
    started = world.start(phone=PHONE).json()
    return lambda: world.verify(started, wrong(started["dev_otp"]))


def locked(world: World) -> Action:
    world.aws.configure("VerifyAuthChallengeResponse", max_failed_codes=2)
    started = world.start(phone=PHONE).json()
    first = world.verify(started, wrong(started["dev_otp"])).json()
    return lambda: world.verify({**started, "session": first["session"]}, "000000")


def refused_by(budget: str, **limits: int) -> Callable[[World], Action]:
    def setup(world: World) -> Action:
        world.settings(**limits)
        assert world.start(phone="+12025550111").status_code == 200
        phone = PHONE if budget != "destination" else "+12025550111"
        return lambda: world.start(phone=phone)

    return setup


def signed_in_by_code(world: World) -> Action:
    started = world.start(phone=PHONE).json()
    return lambda: world.verify(started, started["dev_otp"])


def signed_in_by_password(world: World) -> Action:
    world.monkeypatch.setattr(settings, "auto_confirm", True)
    world.aws.configure("PreSignUp", auto_confirm=True)
    credentials = {"email": EMAIL, "password": PASSWORD}
    assert world.client.post("/auth/signup", json=credentials).status_code == 201
    return lambda: world.client.post("/auth/login", json=credentials)


# What makes each declared metric happen: a setup that returns the one action counting it.
SCENARIOS: dict[MetricPoint, Callable[[World], Action]] = {
    ("CodesSent", (("channel", "sms"),)): sms_sent,
    ("CodesSent", (("channel", "email"),)): email_sent,
    ("CodesFailed", ()): wrong_code,
    ("Lockouts", ()): locked,
    ("RateLimited", (("budget", "destination"),)): refused_by("destination", send_rate_limit=1),
    ("RateLimited", (("budget", "source"),)): refused_by("source", source_send_limit=1),
    ("RateLimited", (("budget", "stack"),)): refused_by("stack", stack_sms_per_hour=1),
    ("StackBudgetSpent", ()): refused_by("stack", stack_sms_per_hour=1),
    ("SignIns", (("method", "code"),)): signed_in_by_code,
    ("SignIns", (("method", "password"),)): signed_in_by_password,
}


@pytest.fixture(autouse=True)
def nothing_pending() -> Iterator[None]:
    metrics.clear()
    yield
    metrics.clear()


@pytest.fixture
def world(client: TestClient, aws: Any, monkeypatch: pytest.MonkeyPatch) -> World:
    return World(client, aws, monkeypatch)


def written(capsys: pytest.CaptureFixture[str]) -> list[Emitted]:
    """The business metrics written so far: the triggers' and, flushed now, the API's."""
    metrics.flush()
    return [m for m in emitted_metrics(capsys.readouterr().out) if m.name != "ColdStart"]


def test_the_code_counts_exactly_the_metrics_service_toml_declares() -> None:
    assert countable_metrics(auth_metrics) == declared_metrics(MANIFEST)


def test_only_the_metrics_module_counts() -> None:
    """So auth/metrics.py is the one place the code names a metric."""
    counting = {
        path.relative_to(SOURCES).as_posix()
        for path in SOURCES.rglob("*.py")
        for node in ast.walk(ast.parse(path.read_text()))
        if isinstance(node, ast.ImportFrom) and node.module == "service_kernel.metrics"
    }
    assert counting == {"metrics.py"}


def test_every_declared_metric_has_a_scenario_below() -> None:
    assert set(SCENARIOS) == declared_metrics(MANIFEST)


@pytest.mark.parametrize(
    "point", sorted(SCENARIOS), ids=lambda p: "-".join([p[0], *(v for _, v in p[1])])
)
def test_each_metric_is_written_once_when_what_it_counts_happens(
    point: MetricPoint, world: World, capsys: pytest.CaptureFixture[str]
) -> None:
    action = SCENARIOS[point](world)
    written(capsys)

    action()

    name, dimension = point
    happened = written(capsys)
    assert Emitted(NAMESPACE, name, {"service": "auth", **dict(dimension)}, 1) in happened
    assert [m.name for m in happened].count(name) == 1
    # Whatever else the action counted is declared too: no destination, code or secret.
    assert {as_point(metric) for metric in happened} <= declared_metrics(MANIFEST)


def as_point(metric: Emitted) -> MetricPoint:
    return metric.name, tuple((k, v) for k, v in metric.dimensions.items() if k != "service")


def test_a_test_destination_is_counted_as_sent_nothing(
    world: World, capsys: pytest.CaptureFixture[str]
) -> None:
    assert world.start(phone="+15555550100").status_code == 200

    assert written(capsys) == []


def test_a_wrong_code_that_locks_counts_both(
    world: World, capsys: pytest.CaptureFixture[str]
) -> None:
    world.aws.configure("VerifyAuthChallengeResponse", max_failed_codes=1)
    started = world.start(phone=PHONE).json()
    written(capsys)

    world.verify(started, wrong(started["dev_otp"]))

    assert sorted(m.name for m in written(capsys)) == ["CodesFailed", "Lockouts"]


def test_the_triggers_own_send_limit_counts_as_a_refusal_too(
    world: World, capsys: pytest.CaptureFixture[str]
) -> None:
    """Behind the API's budgets: the create trigger's own count of what it sent."""
    world.aws.configure("CreateAuthChallenge", stack_sms_per_hour=1)
    assert world.start(phone=PHONE).status_code == 200
    written(capsys)

    assert world.start(phone="+12025550111").status_code == 429

    assert sorted((m.name, m.dimensions.get("budget", "")) for m in written(capsys)) == [
        ("RateLimited", "stack"),
        ("StackBudgetSpent", ""),
    ]
