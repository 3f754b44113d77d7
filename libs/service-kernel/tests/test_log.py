"""JSON lines with Powertools' keys, written by the standard library's logging."""

from __future__ import annotations

import io
import json
import logging
import re
import uuid
from collections.abc import Iterator
from typing import Any

import pytest

from service_kernel import log
from service_kernel.log import Logger, bind_invocation, mark_next_invocation_cold
from service_kernel.request_context import set_request_id
from service_kernel.testing import LambdaContext

TIMESTAMP = re.compile(r"^\d{4}-\d\d-\d\d \d\d:\d\d:\d\d,\d{3}\+0000$")


@pytest.fixture
def logger() -> Iterator[tuple[Logger, io.StringIO]]:
    """A logger of its own service name, writing to a buffer."""
    made = Logger(f"svc-{uuid.uuid4().hex[:8]}")
    buffer = io.StringIO()
    made.registered_handler.setStream(buffer)
    yield made, buffer
    logging.getLogger(made.name).removeHandler(made.registered_handler)


def lines(buffer: io.StringIO) -> list[dict[str, Any]]:
    return [json.loads(line) for line in buffer.getvalue().splitlines()]


def test_a_line_has_powertools_keys_and_the_callers_own(
    logger: tuple[Logger, io.StringIO],
) -> None:
    made, buffer = logger

    made.info("request", method="GET", status=200, latency_ms=1.5, sub=None)

    (line,) = lines(buffer)
    assert line["level"] == "INFO"
    assert line["location"].startswith("test_a_line_has_powertools_keys_and_the_callers_own:")
    assert line["message"] == "request"
    assert TIMESTAMP.match(line["timestamp"])
    assert line["service"] == made.name
    assert (line["method"], line["status"], line["latency_ms"]) == ("GET", 200, 1.5)
    assert "sub" not in line  # a key without a value is left out, as Powertools did


def test_a_line_inside_a_request_carries_its_request_id(
    logger: tuple[Logger, io.StringIO],
) -> None:
    made, buffer = logger

    set_request_id("req-42")
    try:
        made.warning("table unavailable")
    finally:
        set_request_id("")

    assert lines(buffer)[0]["request_id"] == "req-42"


def test_an_invocations_lines_carry_its_lambda_context(
    logger: tuple[Logger, io.StringIO], monkeypatch: pytest.MonkeyPatch
) -> None:
    made, buffer = logger
    monkeypatch.setenv("_X_AMZN_TRACE_ID", "Root=1-5e6722a7-cc56xmpl46db7ae02d4da47e;Sampled=0")
    mark_next_invocation_cold()

    bind_invocation(LambdaContext(function_name="items-api", aws_request_id="lambda-1"))
    made.info("first")
    bind_invocation(LambdaContext(function_name="items-api", aws_request_id="lambda-2"))
    made.info("second")

    first, second = lines(buffer)
    assert (first["cold_start"], second["cold_start"]) == (True, False)
    assert (first["function_request_id"], second["function_request_id"]) == ("lambda-1", "lambda-2")
    assert first["function_name"] == "items-api"
    assert first["function_memory_size"] == 256
    assert first["function_arn"].endswith(":function:items-api")
    assert first["xray_trace_id"] == "1-5e6722a7-cc56xmpl46db7ae02d4da47e"


def test_an_exception_is_logged_with_its_name_and_trace(
    logger: tuple[Logger, io.StringIO],
) -> None:
    made, buffer = logger

    try:
        raise ValueError("broken on purpose")
    except ValueError:
        made.exception("unhandled error")

    (line,) = lines(buffer)
    assert line["level"] == "ERROR"
    assert line["exception_name"] == "ValueError"
    assert "broken on purpose" in line["exception"]


def test_records_reach_logging_so_other_handlers_see_them(
    logger: tuple[Logger, io.StringIO], caplog: pytest.LogCaptureFixture
) -> None:
    made, _ = logger
    caplog.set_level("INFO")

    made.info("code sent", delivery="sms")

    (record,) = [r for r in caplog.records if r.name == made.name]
    assert record.getMessage() == "code sent"
    assert "sms" in str(record.__dict__)


def test_a_root_handler_already_there_does_not_write_the_lines_again() -> None:
    # On Lambda the runtime's handler is on the root logger before a handler imports.
    runtime = io.StringIO()
    root_handler = logging.StreamHandler(runtime)
    logging.getLogger().addHandler(root_handler)
    try:
        made = Logger(f"svc-{uuid.uuid4().hex[:8]}")
        made.registered_handler.setStream(io.StringIO())
        made.info("once only")
        logging.getLogger("somebody.else").warning("not ours")
    finally:
        logging.getLogger().removeHandler(root_handler)
    assert "once only" not in runtime.getvalue()
    assert "not ours" in runtime.getvalue()


def test_values_json_has_no_type_for_are_written_as_text(
    logger: tuple[Logger, io.StringIO],
) -> None:
    made, buffer = logger
    from decimal import Decimal

    made.info("priced", price=Decimal("19.99"))

    assert lines(buffer)[0]["price"] == "19.99"


def test_the_level_comes_from_powertools_log_level(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("POWERTOOLS_LOG_LEVEL", "WARNING")
    monkeypatch.setenv("POWERTOOLS_SERVICE_NAME", f"svc-{uuid.uuid4().hex[:8]}")
    # A logger made as get_logger makes it, leaving the process's own in place (a new
    # one would write to whatever sys.stdout is when it is next asked for).
    made = log.get_logger.__wrapped__()
    assert not logging.getLogger(made.name).isEnabledFor(logging.INFO)
    assert logging.getLogger(made.name).isEnabledFor(logging.WARNING)


class Heard(logging.Handler):
    def __init__(self) -> None:
        super().__init__()
        self.records: list[logging.LogRecord] = []

    def emit(self, record: logging.LogRecord) -> None:
        self.records.append(record)


def say(made: Logger) -> None:
    """One call site, for lines that must come out the same."""
    made.info("request", method="GET", status=200)


def test_with_nobody_else_listening_the_same_line_is_written_without_a_record(
    logger: tuple[Logger, io.StringIO], monkeypatch: pytest.MonkeyPatch
) -> None:
    made, buffer = logger
    listener = Heard()
    root = logging.getLogger()

    monkeypatch.setattr(root, "handlers", [])  # as on Lambda, pytest's own handlers gone
    say(made)
    root.addHandler(listener)  # somebody listens: the line goes as a record
    say(made)

    unheard, recorded = lines(buffer)
    assert [record.getMessage() for record in listener.records] == ["request"]
    assert TIMESTAMP.match(unheard.pop("timestamp"))
    assert TIMESTAMP.match(recorded.pop("timestamp"))
    assert unheard == recorded
