"""`make bench`'s load figure: the local API under a burst of concurrent clients.

    python -m local_runtime.gateway_load [--stack dev] [--connections 50] [--rounds 5]

Runs the program for the stack (as `make dev` does), then, round after round,
opens `--connections` new connections at once, each sending one `GET /healthz`,
and prints the latency percentiles and the answers (200s, and the 429s the
stage's throttling gives: with burst B, about connections - B per round). The
same rounds run side by side against the same gateway behind a listen backlog
of 5 (`http.server`'s default, the gateway's before issue 12), the baseline.
Clients run in their own process, so they do not share the gateway's GIL.
Prints figures; asserts nothing.
"""

from __future__ import annotations

import argparse
import http.client
import statistics
import sys
import threading
import time
from collections import Counter
from collections.abc import Sequence
from concurrent.futures import ProcessPoolExecutor
from dataclasses import dataclass

from local_runtime.gateway import GatewayServer, make_server
from local_runtime.model import Throttle
from local_runtime.runtime import Runtime, quiet_runtime

PATH = "/healthz"


@dataclass(frozen=True)
class Round:
    latencies_ms: list[float]
    statuses: list[int]


def one_round(port: int, connections: int) -> Round:
    """`connections` clients, each on a new connection, released together."""
    barrier = threading.Barrier(connections)
    latencies: list[float] = []
    statuses: list[int] = []
    lock = threading.Lock()

    def client() -> None:
        connection = http.client.HTTPConnection("127.0.0.1", port, timeout=60)
        barrier.wait()
        started = time.perf_counter()
        try:
            connection.request("GET", PATH)
            response = connection.getresponse()
            response.read()
            status = response.status
        except OSError:
            status = 0  # refused or reset: counted, never hidden
        finally:
            connection.close()
        with lock:
            latencies.append((time.perf_counter() - started) * 1000)
            statuses.append(status)

    threads = [threading.Thread(target=client) for _ in range(connections)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return Round(latencies, statuses)


def percentile(values: Sequence[float], fraction: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(fraction * (len(ordered) - 1)))]


def run_rounds(port: int, connections: int, rounds: int, refill_s: float) -> list[Round]:
    results = []
    with ProcessPoolExecutor(max_workers=1) as clients:
        clients.submit(one_round, port, 2).result()  # warm the client process
        for _ in range(rounds):
            time.sleep(refill_s)  # a full bucket for every round
            results.append(clients.submit(one_round, port, connections).result())
    return results


def report(label: str, results: Sequence[Round]) -> str:
    latencies = [ms for result in results for ms in result.latencies_ms]
    counts = [Counter(result.statuses) for result in results]
    per_round = ", ".join(
        "/".join(f"{n} x {status or 'no answer'}" for status, n in sorted(c.items()))
        for c in counts
    )
    return (
        f"  {label:<26} p50 {statistics.median(latencies):7.1f} ms  "
        f"p95 {percentile(latencies, 0.95):7.1f} ms  p99 {percentile(latencies, 0.99):7.1f} ms  "
        f"max {max(latencies):7.1f} ms\n    answers per round: {per_round}\n"
    )


class BacklogOfFive(GatewayServer):
    request_queue_size = 5


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(prog="python -m local_runtime.gateway_load")
    parser.add_argument("--stack", default="dev")
    parser.add_argument("--connections", type=int, default=50)
    parser.add_argument("--rounds", type=int, default=5)
    args = parser.parse_args(argv)

    with quiet_runtime(args.stack) as runtime:
        assert runtime.gateway is not None
        port = int(runtime.url.rsplit(":", 1)[1])
        throttle = _throttle(runtime)
        refill_s = throttle.burst / throttle.rate if throttle and throttle.rate else 0.5
        _wait_until_warm(port)
        old = make_server(runtime.gateway, 0, lambda *_: None, BacklogOfFive)
        threading.Thread(target=old.serve_forever, daemon=True).start()
        limits = f"burst {throttle.burst}, rate {throttle.rate:g}/s" if throttle else "none"
        sys.stdout.write(
            f"gateway load: {args.connections} new connections at once to GET {PATH}, "
            f"{args.rounds} rounds, stack {args.stack} (throttling: {limits})\n"
        )
        sys.stdout.write(
            report(
                "backlog 5 (baseline)",
                run_rounds(old.server_address[1], args.connections, args.rounds, refill_s),
            )
        )
        old.shutdown()
        old.server_close()
        runtime.gateway.port = port
        sys.stdout.write(
            report(
                f"backlog {GatewayServer.request_queue_size} (the gateway)",
                run_rounds(port, args.connections, args.rounds, refill_s),
            )
        )


def _throttle(runtime: Runtime) -> Throttle | None:
    assert runtime.model is not None
    assert runtime.model.api is not None
    api = runtime.model.api
    route = next(r for r in api.routes if r.route_key == f"GET {PATH}")
    return api.route_throttles.get(route.route_key, api.throttle)


def _wait_until_warm(port: int) -> None:
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        try:
            connection = http.client.HTTPConnection("127.0.0.1", port, timeout=10)
            connection.request("GET", PATH)
            if connection.getresponse().status == 200:
                return
        except OSError:
            pass
        time.sleep(0.2)
    raise SystemExit(f"GET {PATH} did not answer 200 within a minute")


if __name__ == "__main__":
    main()
