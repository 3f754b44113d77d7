"""Structured JSON logs: one line per record on stdout, one logger per process.

The lines keep the keys aws-lambda-powertools' Logger gave them (`level`,
`location`, `message`, `timestamp`, `service`, the Lambda context's
`cold_start` and `function_*` keys, `request_id`, `xray_trace_id`, then the
record's own keys; a key without a value is left out), so log queries written
for it still work. The standard library writes them: Powertools cost a cold
start ~30 ms of imports and each line ~60 µs, and one access line per request
is on every invocation's path.

The service name and level come from POWERTOOLS_SERVICE_NAME and
POWERTOOLS_LOG_LEVEL, which the platform sets per function (the names
Powertools reads, so the platform and any Powertools code agree).
"""

from __future__ import annotations

import json
import logging
import os
import sys
import time
from collections.abc import Callable, Mapping
from contextvars import ContextVar
from functools import cache, lru_cache
from typing import Any, TextIO

from service_kernel.request_context import current_request_id

# Powertools' name for the record attribute that carries a line's own keys.
_FIELDS = "fields"


def _line_encoder() -> Callable[[Mapping[str, Any]], str]:
    """`json.dumps(value, separators=(",", ":"), default=str)`: compact, as Powertools
    wrote lines, and anything JSON has no type for (a Decimal, a datetime) as its
    str(). json.dumps builds its C encoder anew on every call, a quarter of the
    cost of a line; this one is built once."""
    make_encoder = getattr(json.encoder, "c_make_encoder", None)
    if make_encoder is None:  # an interpreter without json's C accelerator
        return json.JSONEncoder(separators=(",", ":"), default=str).encode
    # No circular-reference bookkeeping (markers=None): a log line's values are flat.
    encode = make_encoder(
        None, str, json.encoder.encode_basestring_ascii, None, ":", ",", False, False, True
    )
    return lambda line: "".join(encode(line, 0))


_encode = _line_encoder()


# The Lambda invocation being served (`bind_invocation`): its context, whether
# it is this instance's first, and its X-Ray trace header.
_invocation: ContextVar[tuple[Any, bool, str | None]] = ContextVar(
    "invocation", default=(None, False, None)
)
_cold_start = True
# How many call sites' line openings a formatter keeps.
_MOST_HEADS = 512
# ",000+0000" … ",999+0000": a timestamp's milliseconds and zone, by index.
_MILLISECONDS = tuple(f",{ms:03d}+0000" for ms in range(1000))


@lru_cache(maxsize=8)
def _constant_keys(service: str, function: tuple[Any, Any, Any]) -> str:
    """`"service":…,"function_name":…,…` as JSON text: the same on every line of a
    process, so encoded once (a process serves one function: the cache is small)."""
    name, memory_size, arn = function
    keys = {
        "service": service,
        "function_name": name,
        "function_memory_size": memory_size,
        "function_arn": arn,
    }
    return _encode({key: value for key, value in keys.items() if value is not None})[1:-1]


class JsonFormatter(logging.Formatter):
    """A record as one JSON line."""

    def __init__(self, service: str) -> None:
        super().__init__()
        self.service = service
        # The timestamp's seconds part, formatted once per second.
        self._second = -1
        self._second_text = ""
        # `{"level":…,"location":…,"message":…` of each line a call site writes.
        self._heads: dict[tuple[int, str, int, str], str] = {}

    def format(self, record: logging.LogRecord) -> str:
        return self.line(
            record.levelno,
            record.funcName,
            record.lineno,
            record.getMessage(),
            record.created,
            record.msecs,
            record.__dict__.get(_FIELDS),
            record.exc_info,
        )

    def line(
        self,
        level: int,
        function: str,
        lineno: int,
        message: str,
        created: float,
        msecs: float,
        fields: Mapping[str, Any] | None,
        exc_info: Any,
    ) -> str:
        """The JSON line of a record with these attributes."""
        line: dict[str, Any] = {"timestamp": self._timestamp(created, msecs)}
        context, cold_start, trace = _invocation.get()
        if context is not None:
            line["cold_start"] = cold_start
            line["function_request_id"] = getattr(context, "aws_request_id", None)
        if trace:
            line["xray_trace_id"] = trace.split(";", 1)[0].removeprefix("Root=")
        request_id = current_request_id()
        if request_id:
            line["request_id"] = request_id
        if fields:
            for key, value in fields.items():
                if value is not None:
                    line[key] = value
        if exc_info and exc_info[0] is not None:
            line["exception"] = self.formatException(exc_info)
            line["exception_name"] = exc_info[0].__name__
        constant = _constant_keys(
            self.service,
            (
                getattr(context, "function_name", None),
                getattr(context, "memory_limit_in_mb", None),
                getattr(context, "invoked_function_arn", None),
            ),
        )
        # What a call site always writes opens the line, and the keys every line of
        # the process shares close it, both encoded once.
        head = self._head(level, function, lineno, message)
        return f"{head},{_encode(line)[1:-1]},{constant}}}"

    def _head(self, level: int, function: str, lineno: int, message: str) -> str:
        key = (level, function, lineno, message)
        head = self._heads.get(key)
        if head is None:
            opening = {
                "level": logging.getLevelName(level),
                "location": f"{function}:{lineno}",
                "message": message,
            }
            head = _encode(opening)[:-1]
            if len(self._heads) < _MOST_HEADS:  # messages built per call would grow it
                self._heads[key] = head
        return head

    def _timestamp(self, created: float, msecs: float) -> str:
        """`2026-01-31 12:00:00,123+0000`, Powertools' format, in UTC (Lambda's zone)."""
        second = int(created)
        if second != self._second:
            self._second = second
            self._second_text = time.strftime("%Y-%m-%d %H:%M:%S", time.gmtime(second))
        return self._second_text + _MILLISECONDS[int(msecs)]


class Logger:
    """The process's logger: `info("message", key=value, ...)`, each keyword a
    key of the JSON line (the call shape Powertools' Logger has).

    Every line is a `logging` record for whoever listens: pytest's caplog, a
    handler a test or a library adds. When nobody but this logger's own handler
    would hear it (a Lambda: the runtime's handler skips these records), the
    line is written without the record: building a record and passing it through
    `logging` is half of what a line costs, and one line is on every request."""

    def __init__(self, service: str, level: str = "INFO") -> None:
        # The lines never show a thread, process or task name: logging need not
        # look them up for each record (the logging HOWTO's own advice for speed).
        logging.logThreads = False
        logging.logProcesses = False
        logging.logMultiprocessing = False
        if sys.version_info >= (3, 12):
            logging.logAsyncioTasks = False
        self.name = service
        self._logger = logging.getLogger(service)
        self._logger.setLevel(level.upper())
        # The attribute names Powertools' Logger has, for code written against it.
        self.registered_formatter = JsonFormatter(service)
        self._lines = _JsonLines(sys.stdout)
        self._lines.setFormatter(self.registered_formatter)
        self.registered_handler: logging.StreamHandler[Any] = self._lines
        self._logger.addHandler(self._lines)
        # Records still propagate, so pytest's caplog sees them; a handler the
        # root logger already has (the Lambda runtime's) skips them, as with
        # Powertools: this logger's own handler has written them.
        self._not_ours = _NotFrom(service)
        for handler in logging.getLogger().handlers:
            if type(handler).__name__ != "LogCaptureHandler":
                handler.addFilter(self._not_ours)

    def debug(self, message: str, **fields: Any) -> None:
        self._log(logging.DEBUG, message, fields)

    def info(self, message: str, **fields: Any) -> None:
        self._log(logging.INFO, message, fields)

    def warning(self, message: str, **fields: Any) -> None:
        self._log(logging.WARNING, message, fields)

    def error(self, message: str, **fields: Any) -> None:
        self._log(logging.ERROR, message, fields)

    def exception(self, message: str, **fields: Any) -> None:
        """An error with the exception being handled and its trace."""
        self._log(logging.ERROR, message, fields, exc_info=True)

    def _log(
        self, level: int, message: str, fields: Mapping[str, Any], *, exc_info: bool = False
    ) -> None:
        logger = self._logger
        if not logger.isEnabledFor(level):
            return
        # The caller of info() & co. is two frames up: read where it is directly,
        # cheaper than logging's own search up the stack for a frame outside it.
        caller = sys._getframe(2)
        code = caller.f_code
        exception = sys.exc_info() if exc_info else None
        if self._heard_elsewhere():
            record = logger.makeRecord(
                logger.name,
                level,
                code.co_filename,
                caller.f_lineno,
                message,
                (),
                exception,
                code.co_name,
            )
            record.__dict__[_FIELDS] = fields
            logger.handle(record)
            return
        # The record's own arithmetic for its time.
        now = time.time_ns()
        created, msecs = now / 1e9, (now % 1_000_000_000) // 1_000_000 + 0.0
        self._lines.write(
            self.registered_formatter.line(
                level, code.co_name, caller.f_lineno, message, created, msecs, fields, exception
            )
        )

    def _heard_elsewhere(self) -> bool:
        """Would a record of this logger reach a handler other than its own, or a filter?"""
        current = self._logger
        handlers = current.handlers
        if current.filters or len(handlers) != 1 or handlers[0] is not self._lines:
            return True
        while current.propagate and current.parent is not None:
            current = current.parent
            if current.filters:
                return True
            for handler in current.handlers:
                if self._not_ours not in handler.filters:
                    return True
        return False


class _JsonLines(logging.StreamHandler[TextIO]):
    """A StreamHandler that writes each line and flushes it under the one lock."""

    def emit(self, record: logging.LogRecord) -> None:
        try:
            self.write(self.format(record))
        except RecursionError:
            raise
        except Exception:
            self.handleError(record)

    def write(self, line: str) -> None:
        with self.lock:  # type: ignore[union-attr] # created by Handler.__init__
            self.stream.write(line + "\n")
            self.stream.flush()


class _NotFrom(logging.Filter):
    """Refuses the records of one logger and its children."""

    def __init__(self, name: str) -> None:
        super().__init__()
        self._name = name
        self._prefix = name + "."

    def filter(self, record: logging.LogRecord) -> bool:
        return record.name != self._name and not record.name.startswith(self._prefix)


@cache
def get_logger() -> Logger:
    return Logger(
        service=os.environ.get("POWERTOOLS_SERVICE_NAME", "service"),
        level=os.environ.get("POWERTOOLS_LOG_LEVEL", "INFO"),
    )


def bind_invocation(context: Any) -> bool:
    """Put the Lambda context of the invocation starting now on every line it logs;
    True when it is this instance's first (a cold start)."""
    global _cold_start
    cold = _cold_start
    # The runtime sets the invocation's X-Ray trace header in the environment.
    _invocation.set((context, cold, os.environ.get("_X_AMZN_TRACE_ID")))
    _cold_start = False
    return cold


def mark_next_invocation_cold() -> None:
    """The next invocation is this instance's first (after a SnapStart restore)."""
    global _cold_start
    _cold_start = True
