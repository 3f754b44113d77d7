"""`make dev` measured: its config with throttling out of reach, and latencies."""

from __future__ import annotations

import threading
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import pytest
import yaml

from local_runtime.bench.local_api import UNTHROTTLED, latencies, unthrottled_stack_file


def test_the_benchmarks_stack_file_lifts_the_apis_throttling_only(tmp_path: Path) -> None:
    path = unthrottled_stack_file("dev", tmp_path)

    config = yaml.safe_load(path.read_text())["config"]
    api = config["serverless-backend:api"]
    assert (api["throttlingRateLimit"], api["throttlingBurstLimit"]) == (UNTHROTTLED, UNTHROTTLED)
    assert config["serverless-backend:production"] is False  # the rest is the stack's own


class _Ok(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"

    def do_GET(self) -> None:
        self.send_response(200)
        self.send_header("content-length", "2")
        self.end_headers()
        self.wfile.write(b"ok")

    def log_message(self, *args: object) -> None:
        pass


@pytest.fixture
def server() -> Iterator[str]:
    httpd = ThreadingHTTPServer(("127.0.0.1", 0), _Ok)
    threading.Thread(target=httpd.serve_forever, daemon=True).start()
    try:
        yield f"http://127.0.0.1:{httpd.server_address[1]}"
    finally:
        httpd.shutdown()
        httpd.server_close()


@pytest.mark.parametrize("keep_alive", [False, True])
def test_latencies_are_one_a_request_split_over_the_clients(server: str, keep_alive: bool) -> None:
    timings = latencies(server, "/healthz", clients=4, requests=40, keep_alive=keep_alive)

    assert len(timings) == 40
    assert all(ms > 0 for ms in timings)
