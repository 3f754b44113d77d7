"""EventBridge Scheduler's rate schedules, run locally on their rate."""

from __future__ import annotations

import threading
from typing import Any

import pytest

from local_runtime.model import SCHEDULE, LocalSchedule, Resource, build_model, rate_seconds
from local_runtime.scheduler import Scheduler
from tests.fake_program import PROBE, declared, health_manifest


@pytest.mark.parametrize(
    ("expression", "seconds"),
    [
        ("rate(5 minutes)", 300),
        ("rate(1 minute)", 60),
        ("rate(2 hours)", 7200),
        ("rate(1 day)", 86400),
        ("cron(0 * * * ? *)", None),
        ("rate(five minutes)", None),
    ],
)
def test_rate_expressions(expression: str, seconds: int | None) -> None:
    assert rate_seconds(expression) == seconds


def schedule(expression: str, target: str) -> Resource:
    return Resource(
        type=SCHEDULE,
        name="probe-sweep-schedule",
        id="probe-sweep",
        inputs={
            "scheduleExpression": expression,
            "flexibleTimeWindow": {"mode": "OFF"},
            "target": {"arn": target, "roleArn": "arn:aws:iam::123456789012:role/x"},
        },
        outputs={},
    )


def test_a_declared_rate_schedule_runs_its_function() -> None:
    resources = declared([health_manifest(), PROBE])
    probe = build_model(resources).functions["probe-api"]
    local = build_model([*resources, schedule("rate(5 minutes)", probe.arn + ":live")])
    assert local.schedules == (
        LocalSchedule("probe-sweep-schedule", "probe-api", "rate(5 minutes)", 300),
    )
    assert not [item for item in local.not_modeled if item.type == SCHEDULE]


def test_a_schedule_the_runtime_cannot_run_is_listed_not_dropped() -> None:
    resources = declared([health_manifest(), PROBE])
    probe = build_model(resources).functions["probe-api"]
    local = build_model([*resources, schedule("cron(0 * * * ? *)", probe.arn)])
    assert local.schedules == ()
    (listed,) = [item for item in local.not_modeled if item.type == SCHEDULE]
    assert "only rate(...)" in listed.reason


def test_the_scheduler_invokes_on_each_period_until_stopped() -> None:
    calls: list[tuple[str, Any]] = []
    reports: list[Any] = []
    enough = threading.Event()

    def invoke(function: str, event: Any) -> str:
        calls.append((function, event))
        if len(calls) >= 3:
            enough.set()
        return "ok"

    every_instant = LocalSchedule("s", "probe-api", "rate(1 minute)", 0)
    scheduler = Scheduler([every_instant], invoke, lambda s, result: reports.append(result))
    scheduler.start()
    assert enough.wait(10)
    scheduler.stop()  # joins its threads: nothing runs after it returns
    assert not any(thread.is_alive() for thread in scheduler._threads)
    assert calls[0] == ("probe-api", {})
    assert reports[0] == "ok"


def test_the_first_run_waits_one_period() -> None:
    calls: list[str] = []
    hourly = LocalSchedule("s", "probe-api", "rate(1 hour)", 3600)
    scheduler = Scheduler([hourly], lambda f, e: calls.append(f), lambda s, r: None)
    scheduler.start()
    scheduler.stop()
    assert calls == []
