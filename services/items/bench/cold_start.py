"""Cold-start benchmark: the time a fresh Lambda process spends importing and
initialising `items.handler` (settings, app, routes; AWS clients are built
on first use, not here).

    uv run --package items python services/items/bench/cold_start.py [runs]

Each run is a new interpreter, so nothing is warm but the OS file cache.
Prints the figures; asserts nothing."""

from __future__ import annotations

import os
import secrets
import statistics
import subprocess
import sys

PROBE = """
import sys, time
started = time.perf_counter()
import items.handler
sys.stdout.write(str(time.perf_counter() - started))
"""


def one_run(env: dict[str, str]) -> float:
    result = subprocess.run(  # noqa: S603 - our own interpreter and probe
        [sys.executable, "-c", PROBE], env=env, capture_output=True, text=True, check=True
    )
    return float(result.stdout.strip()) * 1000


def main() -> None:
    runs = int(sys.argv[1]) if len(sys.argv) > 1 else 10
    env = {
        **os.environ,
        "AWS_DEFAULT_REGION": "us-east-1",
        "STAGE": "bench",
        "TABLE_NAME": "bench-table",
        "CURSOR_SIGNING_KEY": secrets.token_hex(32),  # throwaway, for this run only
        "CURSOR_TTL_SECONDS": "3600",
        "POWERTOOLS_SERVICE_NAME": "items",
    }
    one_run(env)  # fill the file cache; Lambda's is warm from the bundle too
    timings = sorted(one_run(env) for _ in range(runs))
    median = statistics.median(timings)
    sys.stdout.write(
        f"import items.handler, {runs} fresh processes (Python {sys.version.split()[0]}):\n"
        f"  min {timings[0]:.1f} ms  median {median:.1f} ms  max {timings[-1]:.1f} ms\n"
    )


if __name__ == "__main__":
    main()
