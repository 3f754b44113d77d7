"""`make bench`: run every measurement, then write docs/performance.md.

    python -m local_runtime.bench.performance [--stack dev] [--runs 10] [--invocations 3000]

Runs, each in its own process and printing as it goes: what ships
(`local_runtime.bench`: bundles, cold starts, warm invocations, `make dev`), the
local API under load (`local_runtime.gateway_load`) and `/auth/start`'s timing
(`local_runtime.auth_timing`). Then writes what they printed, the ratios against
their goals, and the machine they ran on to docs/performance.md, so the figures
the project quotes are always one run's, on a machine that is named.
"""

from __future__ import annotations

import argparse
import datetime
import json
import os
import platform
import subprocess
import sys
import tempfile
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from infra.repo import repo_root

OUTPUT = Path("docs") / "performance.md"
# Why the figures are what they are: the design, true of every run.
WHERE_IT_COMES_FROM = """\
Bundles hold only the AWS SDK models their functions call, without
documentation, and no file Lambda never loads (of Powertools, what Metrics and
Tracer load; of the X-Ray SDK, its botocore patch), third-party code as bytecode
only (`platform/infra/bundles/bundle_slim.py`). A handler's imports run in
`init_phase()` (garbage collector paused, FastAPI's OpenAPI models built on
first use); `pydantic.v1` is not in the bundle (FastAPI's check for it was a
noticeable share of a cold start); botocore rather than boto3, clients built on
first use; routes and dependencies are `async def` (no worker-thread hop); the
request pipeline is one middleware; the access line is written by the standard
library without Powertools; FastAPI's own OpenTelemetry is off. Powertools
Metrics is imported by the first invocation that counts a metric (never by a
cold start: its `ColdStart` line is the kernel's), Tracer only where the stack
traces: with tracing off it is never imported. With SnapStart (prod), the
snapshot is primed (and holds Powertools Metrics imported): a restored
instance skips the cold start.

`/auth/start` takes the same time for a new and a known user (its 1.0 s
equal-time floor), so the answer's timing does not tell them apart.
"""


@dataclass(frozen=True)
class Measurement:
    title: str
    command: list[str]
    output: str = ""


def measurements(stack: str, runs: int, invocations: int, ratios: Path) -> list[Measurement]:
    bench = ["-m", "local_runtime.bench", "--stack", stack, "--runs", str(runs)]
    bench += ["--invocations", str(invocations), "--ratios", str(ratios)]
    return [
        Measurement("What ships: bundles, cold starts, warm invocations, `make dev`", bench),
        Measurement(
            "The local API under load", ["-m", "local_runtime.gateway_load", "--stack", stack]
        ),
        Measurement(
            "`/auth/start`'s timing, new and known users",
            ["-m", "local_runtime.auth_timing", "--stack", stack, "--runs", str(runs)],
        ),
    ]


def run(measurement: Measurement) -> Measurement:
    """Run one measurement, echoing its output line by line, and keep what it printed."""
    process = subprocess.Popen(  # noqa: S603 - this interpreter, our own modules
        [sys.executable, *measurement.command],
        stdout=subprocess.PIPE,
        text=True,
    )
    assert process.stdout is not None
    lines = []
    for line in process.stdout:
        sys.stdout.write(line)
        sys.stdout.flush()
        lines.append(line)
    if process.wait() != 0:
        raise SystemExit(f"{' '.join(measurement.command)} failed (exit {process.returncode})")
    return Measurement(measurement.title, measurement.command, "".join(lines))


# The machine -----------------------------------------------------------------------


def machine() -> list[tuple[str, str]]:
    """What the figures depend on, as far as this process can tell."""
    load = ", ".join(f"{value:.2f}" for value in os.getloadavg())
    return [
        ("system", platform.platform()),
        ("CPU", f"{_cpu_model()}, {os.cpu_count()} cores ({platform.machine()})"),
        ("memory", _memory()),
        ("load average at the start (1, 5, 15 min)", load),
        ("workspace Python", f"{platform.python_implementation()} {platform.python_version()}"),
    ]


def _cpu_model() -> str:
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                return line.partition(":")[2].strip()
    except OSError:
        pass
    return platform.processor() or "unknown CPU"


def _memory() -> str:
    try:
        for line in Path("/proc/meminfo").read_text().splitlines():
            if line.startswith("MemTotal:"):
                return f"{int(line.split()[1]) / 1024 / 1024:.1f} GiB"
    except (OSError, ValueError, IndexError):
        pass
    return "unknown"


def _commit(root: Path) -> str:
    found = subprocess.run(  # noqa: S603
        ["git", "-C", str(root), "describe", "--always", "--dirty"],  # noqa: S607
        capture_output=True,
        text=True,
        check=False,
    )
    return found.stdout.strip() or "unknown"


# The document ----------------------------------------------------------------------


def render(
    *,
    when: datetime.datetime,
    commit: str,
    command: str,
    host: list[tuple[str, str]],
    ratios: Sequence[dict[str, Any]],
    runs: Sequence[Measurement],
) -> str:
    lines = [
        "# Performance",
        "",
        "<!-- Written by `make bench` (python -m local_runtime.bench.performance); "
        "do not edit by hand. -->",
        "",
        f"One run of `{command}`, on {when:%Y-%m-%d %H:%M} UTC at commit `{commit}`.",
        "The goals are the README's ([Performance](../README.md#performance)). The machine",
        "is shared and noisy: compare the ratios of one run, not absolute times across runs.",
        "",
        "## The machine",
        "",
        *(f"- {what}: {value}" for what, value in host),
        "",
        "## Against the goals",
        "",
        "| what | ratio | goal | |",
        "|---|---|---|---|",
        *(_ratio_row(ratio) for ratio in ratios),
        "",
    ]
    for measurement in runs:
        lines += [f"## {measurement.title}", "", "```text", measurement.output.rstrip(), "```", ""]
    lines += ["## Where it comes from", "", WHERE_IT_COMES_FROM]
    return "\n".join(lines)


def _ratio_row(ratio: dict[str, Any]) -> str:
    verdict = "met" if ratio["met"] else "**not met**"
    return f"| {ratio['what']} | **{ratio['value']:.2f}x** | <= {ratio['goal']:g}x | {verdict} |"


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m local_runtime.bench.performance")
    parser.add_argument("--stack", default="dev")
    parser.add_argument("--runs", type=int, default=10)
    parser.add_argument("--invocations", type=int, default=3000)
    parser.add_argument("--output", type=Path, default=None, help="default: docs/performance.md")
    args = parser.parse_args(argv)
    root = repo_root()
    when = datetime.datetime.now(datetime.UTC)
    host = machine()
    with tempfile.TemporaryDirectory(prefix="performance-") as tmp:
        ratios_file = Path(tmp) / "ratios.json"
        done = [run(m) for m in measurements(args.stack, args.runs, args.invocations, ratios_file)]
        ratios = json.loads(ratios_file.read_text())
    command = f"make bench STACK={args.stack} RUNS={args.runs} INVOCATIONS={args.invocations}"
    text = render(
        when=when, commit=_commit(root), command=command, host=host, ratios=ratios, runs=done
    )
    output = args.output or root / OUTPUT
    output.write_text(text)
    sys.stdout.write(f"wrote {output}\n")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
