"""Cold-start benchmark: how long a fresh Lambda process of each declared
function takes to import and initialise its handler.

    make bench [STACK=dev] [RUNS=10]

Every function of the program for the stack is measured with its declared
handler and environment, in its service's own interpreter (`.venvs/<service>`,
exactly its dependencies), each run a new process, so nothing is warm but the
OS file cache. AWS clients are built on first use, not at import, so no call
is made. Prints figures; asserts nothing.
"""

from __future__ import annotations

import argparse
import os
import statistics
import subprocess
import sys
from pathlib import Path

from infra.declared import declare
from infra.repo import repo_root
from local_runtime.environments import service_python
from local_runtime.model import LocalFunction, build_model

PROBE = """
import importlib, sys, time
started = time.perf_counter()
module, _, attribute = sys.argv[1].rpartition(".")
getattr(importlib.import_module(module), attribute)
sys.stdout.write(str(time.perf_counter() - started))
"""

# What Lambda gives every function; no request reaches AWS during init.
LAMBDA_ENVIRONMENT = {
    "AWS_ACCESS_KEY_ID": "bench",
    "AWS_SECRET_ACCESS_KEY": "bench",
    "AWS_DEFAULT_REGION": "us-east-1",
    "AWS_REGION": "us-east-1",
    "PYTHONDONTWRITEBYTECODE": "1",
}


def import_milliseconds(python: Path, function: LocalFunction) -> float:
    env = {"PATH": os.environ.get("PATH", ""), **LAMBDA_ENVIRONMENT, **function.environment}
    result = subprocess.run(  # noqa: S603 - the service's interpreter, our probe
        [str(python), "-I", "-c", PROBE, function.handler],
        env=env,
        capture_output=True,
        text=True,
        check=True,
    )
    return float(result.stdout) * 1000


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(prog="python -m local_runtime.cold_start")
    parser.add_argument("--stack", default="dev")
    parser.add_argument("--runs", type=int, default=10)
    args = parser.parse_args(argv)

    root = repo_root()
    resources, _ = declare(args.stack)
    model = build_model(resources)
    sys.stdout.write(
        f"cold start (import + init of the handler), {args.runs} fresh processes each:\n"
    )
    for function in sorted(model.functions.values(), key=lambda f: f.label):
        python = service_python(root, function.service)
        import_milliseconds(python, function)  # fill the OS file cache first
        runs = sorted(import_milliseconds(python, function) for _ in range(args.runs))
        sys.stdout.write(
            f"  {function.label:<34} min {runs[0]:7.1f} ms  median "
            f"{statistics.median(runs):7.1f} ms  max {runs[-1]:7.1f} ms\n"
        )


if __name__ == "__main__":
    main()
