"""What a developer reads while `make dev` runs.

The URL and stack, the routes table, what is not modeled locally, one line
per request, each function's own output prefixed by its name (a business
metric it writes, a CloudWatch EMF line, as one short line per metric), and
every SMS and e-mail the system sent (moto keeps them; locally, one-time codes
are read here). Everything goes through one lock so lines from threads never mix.
"""

from __future__ import annotations

import json
import sys
import threading
from collections.abc import Sequence
from typing import Any, TextIO

from local_runtime.model import LocalApi, LocalModel, NotModeled


class Console:
    def __init__(self, out: TextIO | None = None) -> None:
        self._out = out or sys.stdout
        self._lock = threading.Lock()

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
        if items:
            self.line("not modeled locally (declared, but not run here):")
            grouped: dict[tuple[str, str], list[str]] = {}
            for item in items:
                grouped.setdefault((item.type, item.reason), []).append(item.name)
            for (kind, reason), names in grouped.items():
                self.line(f"  {kind} x{len(names)} ({', '.join(names)}): {reason}")
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
        self.line(f"{status} {latency_ms:6.0f}ms  {method} {path}  {function or '-'}  {request_id}")

    def function_log(self, function: str, text: str) -> None:
        metrics = metric_lines(function, text)
        if metrics is not None:
            self.line("\n".join(metrics))
            return
        self.line(f"[{function}] {text}")

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
