"""SnapStart's runtime hooks: priming before the snapshot, uniqueness after a restore.

The hooks are run here the way Lambda's Python runtime runs them, from the
registries of the real snapshot-restore-py library (a test dependency: the
managed runtime provides it on Lambda)."""

from __future__ import annotations

import io
import json
import random
import sys

import pytest
import snapshot_restore_py
from fastapi import FastAPI, Request

from service_kernel import create_app, current_request_id, lambda_handler
from service_kernel.app import PRIMING_REQUEST_ID
from service_kernel.identity import caller_sub
from service_kernel.log import mark_next_invocation_cold
from service_kernel.snapstart import register_hooks
from service_kernel.testing import LambdaContext, emitted_metrics, http_event


@pytest.fixture
def runtime(monkeypatch: pytest.MonkeyPatch) -> None:
    """Empty hook registries for one test, as a fresh sandbox has them."""
    monkeypatch.setattr(snapshot_restore_py, "_before_snapshot_registry", [])
    monkeypatch.setattr(snapshot_restore_py, "_after_restore_registry", [])


def take_snapshot() -> None:
    """What the runtime does before the snapshot: the hooks, last registered first
    (the init that precedes it is the sandbox's first invocation-free phase)."""
    mark_next_invocation_cold()
    hooks = snapshot_restore_py.get_before_snapshot()
    while hooks:
        function, args, kwargs = hooks.pop()
        function(*args, **kwargs)


def restore() -> None:
    """What the runtime does after a restore: the hooks, in the order registered."""
    for function, args, kwargs in snapshot_restore_py.get_after_restore():
        function(*args, **kwargs)


def counting_app() -> tuple[FastAPI, list[str]]:
    app = create_app("snapstart-test", "0.0.0")
    served: list[str] = []

    @app.get("/warm")
    async def warm() -> dict[str, str]:
        served.append("warm")
        return {"status": "ok"}

    return app, served


def test_before_the_snapshot_the_app_is_primed_and_answers_one_request(runtime: None) -> None:
    app, served = counting_app()
    primed: list[str] = []

    lambda_handler(app, prime=lambda: primed.append("clients"), priming_path="/warm")
    take_snapshot()

    assert primed == ["clients"]
    assert served == ["warm"]


def test_the_priming_request_has_its_own_request_id_and_no_caller(runtime: None) -> None:
    app = create_app("snapstart-test", "0.0.0")
    seen: list[tuple[str, str | None]] = []

    @app.get("/who")
    async def who(request: Request) -> dict[str, str]:
        seen.append((current_request_id(), caller_sub(request.scope)))
        return {}

    lambda_handler(app, priming_path="/who")
    take_snapshot()

    assert seen == [(PRIMING_REQUEST_ID, None)]


def test_after_a_restore_randomness_is_reseeded(runtime: None) -> None:
    app, _ = counting_app()
    lambda_handler(app, priming_path="/warm")
    take_snapshot()
    random.seed(1234)
    snapshotted = random.random()

    random.seed(1234)  # the state every restored instance would start with
    restore()

    assert random.random() != snapshotted


def test_after_a_restore_the_next_invocation_is_logged_as_cold(
    runtime: None, log_output: io.StringIO
) -> None:
    app, _ = counting_app()
    handler = lambda_handler(app, priming_path="/warm")
    take_snapshot()
    handler(http_event("GET", "/warm"), LambdaContext(aws_request_id="before-restore"))
    restore()
    handler(http_event("GET", "/warm"), LambdaContext(aws_request_id="after-restore"))

    logged = [json.loads(line) for line in log_output.getvalue().splitlines()]
    cold = {line["function_request_id"]: line["cold_start"] for line in logged}
    assert cold == {PRIMING_REQUEST_ID: True, "before-restore": False, "after-restore": True}


def test_the_cold_start_is_counted_after_a_restore_not_for_the_priming_request(
    runtime: None, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.setenv("POWERTOOLS_METRICS_NAMESPACE", "serverless-backend/test")
    app, _ = counting_app()
    handler = lambda_handler(app, priming_path="/warm")

    take_snapshot()
    assert emitted_metrics(capsys.readouterr().out) == []
    restore()
    handler(http_event("GET", "/warm"), LambdaContext())

    assert [m.name for m in emitted_metrics(capsys.readouterr().out)] == ["ColdStart"]


def test_the_snapshot_holds_powertools_metrics_imported(runtime: None) -> None:
    app, _ = counting_app()
    lambda_handler(app, priming_path="/warm")
    sys.modules.pop("aws_lambda_powertools.metrics", None)

    take_snapshot()

    assert "aws_lambda_powertools.metrics" in sys.modules


def test_without_the_runtimes_library_nothing_is_registered(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setitem(sys.modules, "snapshot_restore_py", None)  # as in a plain process

    assert register_hooks(lambda: None, lambda: None) is False
    app, served = counting_app()
    handler = lambda_handler(app, priming_path="/warm")
    assert handler(http_event("GET", "/warm"), LambdaContext())["statusCode"] == 200
    assert served == ["warm"]  # only the real request: no priming happened


def test_the_hooks_can_be_run_without_the_runtime(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setitem(sys.modules, "snapshot_restore_py", None)
    app, served = counting_app()
    primed: list[str] = []
    handler = lambda_handler(app, prime=lambda: primed.append("x"), priming_path="/warm")

    handler.before_snapshot()
    handler.after_restore()

    assert primed == ["x"]
    assert served == ["warm"]
