"""What a developer reads while `make dev` runs.

The URL and stack, the routes table, what is not modeled locally (a count
per kind), one short line per request (method, path, status, ms, function,
request id), each function's own log lines compact (level, logger, message,
its own keys; a business metric it writes, a CloudWatch EMF line, as one
short line per metric), and every SMS and e-mail the system sent (moto keeps
them; locally, one-time codes are read here). `verbose` (`make dev
VERBOSE=1`) shows each function's JSON lines whole and names every resource
not modeled. Everything goes through one lock so lines from threads never mix.
"""

from __future__ import annotations

import json
import re
import sys
import threading
from collections import Counter
from collections.abc import Sequence
from typing import Any, TextIO

from local_runtime.model import LocalApi, LocalModel, NotModeled

# A compact line is cut here: a function's key may hold a long value.
MOST_CHARACTERS = 200
# The keys every line of the kernel's logger (and Powertools') has: what the
# compact line says otherwise (the level, logger and message), or what the
# function's name and the request line already say.
_COMMON_KEYS = frozenset(
    {
        "level",
        "location",
        "message",
        "timestamp",
        "service",
        "logger",
        "name",
        "cold_start",
        "function_name",
        "function_memory_size",
        "function_arn",
        "function_request_id",
        "request_id",
        "xray_trace_id",
        "sampling_rate",
        "exception",
        "exception_name",
    }
)
# The kernel's access line (service_kernel/middleware.py): the request line says
# the same, so it is shown only in full (verbose).
_ACCESS_LINE_KEYS = frozenset({"method", "path", "status"})


class Console:
    def __init__(self, out: TextIO | None = None, *, verbose: bool = False) -> None:
        self._out = out or sys.stdout
        self._lock = threading.Lock()
        self.verbose = verbose

    def line(self, text: str) -> None:
        with self._lock:
            self._out.write(text + "\n")
            self._out.flush()

    def banner(self, *, stack: str, url: str, emulator_url: str, docs: Sequence[str]) -> None:
        lines = [
            f"local runtime: stack {stack}",
            f"  API       {url}",
            f"  emulator  {emulator_url}  (moto; AWS_ENDPOINT_URL for your own scripts)",
        ]
        if docs:
            lines.append(f"  docs      {url}/_local/docs  (the whole API: {url}/openapi.json)")
        lines += [f"  docs      {url}/_local/docs/{service}" for service in docs]
        self.line("\n".join(lines))

    def routes(self, model: LocalModel) -> None:
        if model.api is None:
            self.line("no HTTP API declared")
            return
        self.line(routes_table(model.api, model))

    def not_modeled(self, items: Sequence[NotModeled], settings: Sequence[str]) -> None:
        if items and self.verbose:
            self.line("not modeled locally (declared, but not run here):")
            grouped: dict[tuple[str, str], list[str]] = {}
            for item in items:
                grouped.setdefault((item.type, item.reason), []).append(item.name)
            for (kind, reason), names in grouped.items():
                self.line(f"  {kind} x{len(names)} ({', '.join(names)}): {reason}")
        elif items:
            self.line(
                f"not modeled locally: {not_modeled_summary(items)}"
                " (make dev VERBOSE=1 lists each, and why)"
            )
        if settings:
            self.line("declared but not applied in the emulator:")
            for setting in settings:
                self.line(f"  {setting}")

    def request(
        self,
        *,
        status: int,
        latency_ms: float,
        method: str,
        path: str,
        function: str,
        request_id: str,
    ) -> None:
        self.line(request_line(method, path, status, latency_ms, function, request_id))

    def function_log(self, function: str, text: str) -> None:
        metrics = metric_lines(function, text)
        if metrics is not None:
            self.line("\n".join(metrics))
            return
        if self.verbose:
            self.line(f"[{function}] {text}")
            return
        compact = compact_log_line(text)
        if compact == "":
            return  # the kernel's access line: the request line says it
        self.line(f"[{function}] {text if compact is None else compact}")

    def sms(self, phone: str, message: str) -> None:
        self.line(f"SMS to {phone}: {message}")

    def email(self, destinations: Sequence[str], subject: str, body: str) -> None:
        self.line(f"E-mail to {', '.join(destinations)}: {subject}\n{_indent(body)}")


def routes_table(api: LocalApi, model: LocalModel) -> str:
    rows = [("METHOD", "PATH", "FUNCTION", "AUTH")]
    for route in api.routes:
        function = model.functions[route.function]
        auth = "public" if route.authorizer is None else "JWT"
        if route.scopes:
            auth += f" ({' '.join(route.scopes)})"
        rows.append((route.method, route.path or "$default", function.label, auth))
    widths = [max(len(row[i]) for row in rows) for i in range(3)]
    return "\n".join(
        "  "
        + "  ".join(cell.ljust(width) for cell, width in zip(row[:3], widths, strict=True))
        + "  "
        + row[3]
        for row in rows
    )


def request_line(
    method: str, path: str, status: int, latency_ms: float, function: str, request_id: str
) -> str:
    """`GET /healthz  200  4ms  health.api  <request id>`: one line per request."""
    if len(path) > MOST_CHARACTERS // 2:
        path = path[: MOST_CHARACTERS // 2 - 1] + "…"
    return f"{method} {path}  {status}  {latency_ms:.0f}ms  {function or '-'}  {request_id}"


def compact_log_line(text: str) -> str | None:
    """A function's JSON log line as `LEVEL logger: message  key=value ...` (its
    own keys), cut at MOST_CHARACTERS, with an exception's trace on the lines
    below; "" for the kernel's access line; None for a line that is not a JSON
    log line (shown as it is)."""
    if not text.startswith("{"):
        return None
    try:
        line = json.loads(text)
    except ValueError:
        return None
    if not isinstance(line, dict) or "message" not in line:
        return None
    if line["message"] == "request" and line.keys() >= _ACCESS_LINE_KEYS:
        return ""
    logger = line.get("logger") or line.get("name") or line.get("service") or "-"
    head = f"{line.get('level', '-')} {logger}: {line['message']}"
    own = "  ".join(
        f"{key}={_value(value)}" for key, value in line.items() if key not in _COMMON_KEYS
    )
    compact = f"{head}  {own}" if own else head
    if len(compact) > MOST_CHARACTERS:
        compact = compact[: MOST_CHARACTERS - 1] + "…"
    trace = line.get("exception")
    if isinstance(trace, str) and trace:
        compact += "\n" + _indent(trace)
    return compact


def _value(value: Any) -> str:
    return value if isinstance(value, str) else json.dumps(value, separators=(",", ":"))


def not_modeled_summary(items: Sequence[NotModeled]) -> str:
    """`21 metric alarms, 9 log groups, 1 dashboard`: how many of each kind, most first."""
    counts = Counter(_kind(item.type) for item in items)
    ordered = sorted(counts.items(), key=lambda kind_count: (-kind_count[1], kind_count[0]))
    return ", ".join(f"{count} {_plural(kind) if count > 1 else kind}" for kind, count in ordered)


# A word of a CamelCase name: `Sms`, `V2`, an acronym (`DB` of `DBInstance`).
_WORD = re.compile(r"[A-Z]+[0-9]*(?![a-z])|[A-Z]?[a-z]+[0-9]*")


def _kind(type_token: str) -> str:
    """`aws:cloudwatch/metricAlarm:MetricAlarm` → `metric alarm`."""
    name = type_token.rpartition(":")[2] or type_token
    return " ".join(word.lower() for word in _WORD.findall(name))


def _plural(kind: str) -> str:
    if kind.endswith("s"):
        return kind
    if kind.endswith("y") and kind[-2:-1] not in ("a", "e", "i", "o", "u"):
        return kind[:-1] + "ies"
    return kind + "s"


# Dimensions every metric line carries, which the function's name already says.
_IMPLIED_DIMENSIONS = frozenset({"service", "function_name"})


def metric_lines(function: str, text: str) -> list[str] | None:
    """An EMF line a function wrote, as a readable line per metric:
    `metric  auth.api  CodesSent +1  channel=sms`; None for any other line."""
    if not text.startswith('{"_aws"'):
        return None
    try:
        document = json.loads(text)
        lines = []
        for directive in document["_aws"]["CloudWatchMetrics"]:
            names = [name for group in directive["Dimensions"] for name in group]
            dimensions = "  ".join(
                f"{name}={document[name]}" for name in names if name not in _IMPLIED_DIMENSIONS
            )
            for metric in directive["Metrics"]:
                value = _number(document[metric["Name"]])
                line = f"metric  {function}  {metric['Name']} +{value}"
                lines.append(f"{line}  {dimensions}" if dimensions else line)
        return lines
    except (ValueError, KeyError, TypeError):
        return None  # not EMF after all: shown as it is


def _number(values: Any) -> str:
    total = sum(values) if isinstance(values, list) else values
    return f"{total:g}"


def _indent(text: str) -> str:
    return "\n".join("    " + line for line in text.strip().splitlines())
