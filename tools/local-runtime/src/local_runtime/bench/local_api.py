"""`make dev`, measured: how long until it answers, and its latency with 1 and 8 clients.

The local runtime runs as `make dev` runs it (`python -m local_runtime`), from a
copy of the stack's config whose API throttling is out of reach: the figures
are the runtime's own, not the stack's rate limit.
"""

from __future__ import annotations

import http.client
import re
import signal
import subprocess
import sys
import threading
import time
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import urlsplit

import yaml

from infra.program.stack_files import stack_file

READY = re.compile(r"ready in [\d.]+s: (?P<url>http://\S+)")
# Long enough for a cold machine to import every service's handler.
READY_TIMEOUT = 300.0
UNTHROTTLED = 1_000_000


@dataclass(frozen=True)
class LocalApi:
    url: str
    ready_seconds: float  # from starting the process to "ready"


def unthrottled_stack_file(stack: str, folder: Path) -> Path:
    """The stack's config file, its API throttling out of reach."""
    data = yaml.safe_load(stack_file(stack).read_text())
    api = data["config"].setdefault("serverless-backend:api", {})
    api["throttlingRateLimit"] = UNTHROTTLED
    api["throttlingBurstLimit"] = UNTHROTTLED
    path = folder / f"Pulumi.{stack}.yaml"
    path.write_text(yaml.safe_dump(data))
    return path


@contextmanager
def running_local_api(stack: str, folder: Path) -> Iterator[LocalApi]:
    """`python -m local_runtime` for the stack on a free port, until the block ends."""
    config = unthrottled_stack_file(stack, folder)
    started = time.monotonic()
    process = subprocess.Popen(  # noqa: S603 - this interpreter, our module
        [
            sys.executable,
            "-m",
            "local_runtime",
            "--stack",
            stack,
            "--config-file",
            str(config),
            "--port",
            "0",
            "--no-watch",
        ],
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
    )
    try:
        url = _await_ready(process, started + READY_TIMEOUT)
        yield LocalApi(url, time.monotonic() - started)
    finally:
        process.send_signal(signal.SIGTERM)
        try:
            process.wait(timeout=30)
        except subprocess.TimeoutExpired:
            process.kill()


def _await_ready(process: subprocess.Popen[str], deadline: float) -> str:
    assert process.stdout is not None
    seen: list[str] = []
    found: list[str] = []

    def read() -> None:
        assert process.stdout is not None
        for line in process.stdout:
            seen.append(line)
            match = READY.search(line)
            if match and not found:
                found.append(match["url"])
        # Keep draining, so the runtime never blocks on a full pipe.

    threading.Thread(target=read, daemon=True).start()
    while not found:
        if process.poll() is not None or time.monotonic() > deadline:
            raise RuntimeError("the local runtime did not get ready:\n" + "".join(seen[-40:]))
        time.sleep(0.02)
    return found[0]


def latencies(
    url: str, path: str, *, clients: int, requests: int, keep_alive: bool = False
) -> list[float]:
    """Milliseconds of `requests` GETs of `path`, split over `clients` concurrent clients,
    each opening a connection per request (as curl does) or keeping one open."""
    per_client = max(requests // clients, 1)
    with ThreadPoolExecutor(clients) as pool:
        runs = pool.map(lambda _: _client(url, path, per_client, keep_alive), range(clients))
        return [ms for run in runs for ms in run]


def _client(url: str, path: str, count: int, keep_alive: bool) -> list[float]:
    parts = urlsplit(url)
    host, port = parts.hostname or "127.0.0.1", parts.port
    connection = http.client.HTTPConnection(host, port, timeout=30)
    timings: list[float] = []
    try:
        for _ in range(count):
            started = time.perf_counter()
            if not keep_alive:
                connection.close()
                connection = http.client.HTTPConnection(host, port, timeout=30)
            connection.request("GET", path)
            response = connection.getresponse()
            response.read()
            timings.append((time.perf_counter() - started) * 1000)
            if response.status != 200:
                raise RuntimeError(f"GET {path}: {response.status}")
    finally:
        connection.close()
    return timings
