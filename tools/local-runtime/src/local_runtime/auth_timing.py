"""/auth/start timing benchmark: does a new user's sign-up take as long as a
known user's sign-in, so the answer's timing cannot tell them apart?

    make bench [STACK=dev] [RUNS=10]

Starts the local runtime for the stack (the real program, the auth service's
real workers and triggers), warms it, then times RUNS `/auth/start` calls
for destinations never seen (AdminCreateUser + AdminSetUserPassword +
InitiateAuth with the triggers) and RUNS for destinations already known
(InitiateAuth alone), interleaved. Each call comes from its own loopback
address so no per-source budget is reached. Prints figures; asserts nothing.
"""

from __future__ import annotations

import argparse
import statistics
import time

import httpx2 as httpx

from local_runtime.runtime import quiet_runtime


def _client(url: str, source: int) -> httpx.Client:
    transport = httpx.HTTPTransport(local_address=f"127.0.{source // 250}.{source % 250 + 2}")
    return httpx.Client(base_url=url, timeout=30, transport=transport)


def _timed_start(url: str, source: int, phone: str) -> float:
    with _client(url, source) as client:
        started = time.perf_counter()
        response = client.post("/auth/start", json={"phone": phone})
        elapsed = time.perf_counter() - started
    if response.status_code != 200:
        raise RuntimeError(f"/auth/start answered {response.status_code}: {response.text[:200]}")
    return elapsed


def _describe(label: str, seconds: list[float]) -> str:
    ordered = sorted(seconds)
    p95 = ordered[max(round(0.95 * len(ordered)) - 1, 0)]
    return (
        f"  {label:<12} median {statistics.median(ordered) * 1000:7.1f} ms"
        f"  min {ordered[0] * 1000:7.1f}  p95 {p95 * 1000:7.1f}  max {ordered[-1] * 1000:7.1f}"
    )


def measure(url: str, runs: int) -> tuple[list[float], list[float]]:
    known = [f"+120255504{n:02d}" for n in range(runs)]
    for index, phone in enumerate(known):  # made known, and every worker warm
        _timed_start(url, 200 + index, phone)
    new_times, known_times = [], []
    for n in range(runs):
        new_times.append(_timed_start(url, 2 * n, f"+120255505{n:02d}"))
        known_times.append(_timed_start(url, 2 * n + 1, known[n]))
    return new_times, known_times


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m local_runtime.auth_timing")
    parser.add_argument("--stack", default="dev")
    parser.add_argument("--runs", type=int, default=10)
    args = parser.parse_args(argv)
    with quiet_runtime(args.stack) as runtime:
        for pool in runtime.pools.values():
            worker = pool.warm()
            if worker is not None:
                worker.wait_ready()
        new_times, known_times = measure(runtime.url, args.runs)
    print(f"/auth/start on stack {args.stack}, {args.runs} runs each (local runtime):")  # noqa: T201
    print(_describe("new user", new_times))  # noqa: T201
    print(_describe("known user", known_times))  # noqa: T201
    gap = statistics.median(new_times) - statistics.median(known_times)
    print(f"  median gap (new - known): {gap * 1000:+.1f} ms")  # noqa: T201
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
