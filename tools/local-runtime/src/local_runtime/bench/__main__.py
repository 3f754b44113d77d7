"""`make bench`: what ships, measured side by side with its baselines in one run.

    make bench [STACK=dev] [RUNS=10] [INVOCATIONS=3000]

1. Every service's bundle, built as `pulumi up` builds it (for this machine's
   architecture, so it runs here), and its zipped and unpacked size.
2. Cold start of every declared function, to its first answer: import, init and
   one invocation (`requests` says which), each run a fresh CPython 3.12 on the
   unpacked bundle alone, against the stack's resources in moto on loopback. The
   items function runs alternately with a seed-style handler (`baseline`) built
   from the same lock, reading the same item with the same GetItem.
3. Warm invocations of every API function; the health function's alternate, in
   one process, with a bare `async def` route on the bundle's own FastAPI, then
   with its own app behind Mangum alone: the cost of the kernel's invocation layer
   (log context, metrics, the tracing switch) with tracing off, as the stack runs.
4. The local runtime (`make dev`): time until ready, latency with 1 and 8 clients.

It prints figures and the ratios the issue set goals for; it asserts nothing.
`make bench` runs it through `local_runtime.bench.performance`, which writes
docs/performance.md from what it prints.
The machine is shared: compare ratios from one run, not absolute times across runs.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import statistics
import subprocess
import sys
import tempfile
import zipfile
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from infra.bundles.bundle import Architecture, Workspace, build_bundle, find_python_312
from infra.repo import repo_root
from local_runtime.bench.baseline import build_baseline
from local_runtime.bench.figures import Ratio, percentile
from local_runtime.bench.local_api import latencies, running_local_api
from local_runtime.bench.requests import CHOSEN_ROUTES, first_event, http_event
from local_runtime.bench.stack import BenchStack, running_stack
from service_manifest import AUTH_PUBLIC, Manifest, Route, find_manifests

PROBE = Path(__file__).with_name("lambda_probe.py")
SIZE_GOAL_MB = 5.0
COLD_GOAL = 0.8
WARM_GOAL = 1.3
# Issue 15: with tracing off, Tracer costs nothing measurable; the whole invocation
# layer within the noise of alternating runs on this machine.
INVOCATION_GOAL = 1.05
# The event of the bare route, in `Events`.
BARE = "bare"
# The function measured against the seed-style handler, and that handler.
SEEDED = "items.api"
SEED_HANDLER = "seed_items.handler"
# The function whose warm invocations alternate with the bare route, and that route.
BARE_COMPARED = "health.api"
BARE_HANDLER = "bare_route.handler"
# The health app behind Mangum alone, without the kernel's invocation layer.
APP_ONLY_HANDLER = "health_app_only.handler"
TRACE_DISABLED = "POWERTOOLS_TRACE_DISABLED"


def main(argv: Sequence[str] | None = None) -> None:
    parser = argparse.ArgumentParser(prog="python -m local_runtime.bench")
    parser.add_argument("--stack", default="dev")
    parser.add_argument("--runs", type=int, default=10, help="fresh processes per cold start")
    parser.add_argument("--invocations", type=int, default=3000, help="warm invocations")
    parser.add_argument("--requests", type=int, default=400, help="requests to the local API")
    parser.add_argument(
        "--ratios", type=Path, default=None, help="also write the ratios here, as JSON"
    )
    args = parser.parse_args(argv)

    root = repo_root()
    workspace = Workspace(root)
    manifests = find_manifests(workspace.services_dir)
    architecture: Architecture = "arm64" if platform.machine() in ("arm64", "aarch64") else "x86_64"
    python = find_python_312()
    say(
        f"make bench: stack {args.stack}, {architecture}, {os.cpu_count()} cores, "
        f"{python_version(python)} ({python})"
    )
    ratios: list[Ratio] = []
    with tempfile.TemporaryDirectory(prefix="bench-") as tmp:
        scratch = Path(tmp)
        bundles = bundle_sizes(workspace, manifests, architecture, scratch, ratios)
        baseline = build_baseline(root, scratch / "baseline", architecture)
        with running_stack(args.stack) as stack:
            events = Events(stack, manifests, scratch / "events")
            cold_starts(stack, manifests, bundles, baseline, events, python, args.runs, ratios)
            warm_invocations(
                stack, manifests, bundles, baseline, events, python, args.invocations, ratios
            )
        local_runtime(args.stack, scratch, args.requests)
    say("ratios (goals from issues 13 and 15):")
    for ratio in ratios:
        say(ratio.line())
    if args.ratios is not None:
        args.ratios.write_text(json.dumps([ratio.as_dict() for ratio in ratios], indent=2))


def say(line: str) -> None:
    sys.stdout.write(line + "\n")
    sys.stdout.flush()


def python_version(python: Path) -> str:
    probe = [str(python), "-c", "import platform; print(platform.python_version())"]
    found = subprocess.run(probe, capture_output=True, text=True, check=True)  # noqa: S603
    return f"CPython {found.stdout.strip()}"


# ---- 1. bundles ----


def bundle_sizes(
    workspace: Workspace,
    manifests: Sequence[Manifest],
    architecture: Architecture,
    scratch: Path,
    ratios: list[Ratio],
) -> dict[str, Path]:
    """Build and unpack every bundle; print their sizes."""
    say(f"bundles, built as `pulumi up` builds them ({architecture}):")
    unpacked: dict[str, Path] = {}
    largest = 0.0
    for manifest in manifests:
        path = build_bundle(workspace, manifest, architecture)
        folder = scratch / "bundles" / manifest.name
        with zipfile.ZipFile(path) as archive:
            archive.extractall(folder)
            size = sum(info.file_size for info in archive.infolist())
        zipped = path.stat().st_size / 1e6
        largest = max(largest, zipped)
        say(f"  {manifest.name:<10} zipped {zipped:5.2f} MB   unpacked {size / 1e6:6.2f} MB")
        unpacked[manifest.name] = folder
    ratios.append(
        Ratio(f"largest zipped bundle / {SIZE_GOAL_MB:.0f} MB", largest, SIZE_GOAL_MB, 1.0)
    )
    return unpacked


# ---- 2. cold starts ----


class Events:
    """Each function's first event, written to a new file each time it is asked for
    (a code sender rate-limits each phone number: every run gets its own)."""

    def __init__(self, stack: BenchStack, manifests: Sequence[Manifest], folder: Path) -> None:
        self._region = stack.region
        self._functions = {
            f"{manifest.name}.{function.name}": (manifest.name, function)
            for manifest in manifests
            for function in manifest.functions
        }
        self._folder = folder
        self._folder.mkdir()
        self._count = 0

    def __contains__(self, label: str) -> bool:
        service, function = self._functions[label]
        return first_event(service, function, self._region) is not None

    def file(self, label: str) -> str:
        if label == BARE:
            event = http_event(Route("GET", "/healthz", AUTH_PUBLIC), {})
        else:
            service, function = self._functions[label]
            found = first_event(service, function, self._region)
            assert found is not None
            event = found
        self._count += 1
        path = self._folder / f"{label}-{self._count}.json"
        path.write_text(json.dumps(event))
        return str(path)


def probe(
    python: Path, stack: BenchStack, label: str, folder: Path, *arguments: str
) -> dict[str, Any]:
    service, name = label.split(".", 1)
    environment = {
        "PATH": os.environ.get("PATH", ""),
        **stack.environment(stack.function(service, name)),
    }
    result = subprocess.run(  # noqa: S603 - Lambda's interpreter, our probe
        [str(python), "-I", "-S", str(PROBE), *arguments],
        cwd=folder,
        env=environment,
        capture_output=True,
        text=True,
        check=False,
    )
    if result.returncode != 0:
        raise RuntimeError(f"{label}: the probe failed:\n{result.stderr[-3000:]}")
    answer: dict[str, Any] = json.loads(result.stdout)
    return answer


def cold_starts(
    stack: BenchStack,
    manifests: Sequence[Manifest],
    bundles: dict[str, Path],
    baseline: Path,
    events: Events,
    python: Path,
    runs: int,
    ratios: list[Ratio],
) -> None:
    say(
        f"cold start: import + init + first answer, a fresh CPython 3.12 each, median of "
        f"{runs} (min-max); the items function alternating with a seed-style handler"
    )
    for manifest in manifests:
        for function in manifest.functions:
            label = f"{manifest.name}.{function.name}"
            if label not in events:
                continue
            # What runs, alternately: the function, and for items the seed-style handler.
            targets = [(bundles[manifest.name], function.handler)]
            if label == SEEDED:
                targets.append((baseline, SEED_HANDLER))
            for folder, handler in targets:  # fill the OS file cache
                cold_start(python, stack, events, label, folder, handler)
            measured: list[list[dict[str, Any]]] = [[] for _ in targets]
            for _ in range(runs):
                for results, (folder, handler) in zip(measured, targets, strict=True):
                    results.append(cold_start(python, stack, events, label, folder, handler))
            names = [(label, what(label, function.trigger, function.schedule))]
            names += [("  seed-style handler", "(FastAPI+Mangum+boto3)")]
            for (name, request), results in zip(names, measured, strict=False):
                say(cold_line(name, request, results))
            if len(measured) == 2:
                ours, seed = ([run["first_ms"] for run in results] for results in measured)
                ratios.append(
                    Ratio(
                        "items cold start / seed-style handler (medians)",
                        statistics.median(ours),
                        statistics.median(seed),
                        COLD_GOAL,
                    )
                )


def cold_start(
    python: Path, stack: BenchStack, events: Events, label: str, folder: Path, handler: str
) -> dict[str, Any]:
    return probe(python, stack, label, folder, "cold", str(folder), handler, events.file(label))


def cold_line(name: str, request: str, results: Sequence[dict[str, Any]]) -> str:
    first = [run["first_ms"] for run in results]
    init = statistics.median(run["init_ms"] for run in results)
    status = results[-1]["status"]
    return (
        f"  {name:<30} {request:<26} first answer {statistics.median(first):6.1f} ms "
        f"({min(first):.0f}-{max(first):.0f})   init {init:6.1f} ms"
        + (f"   [{status}]" if status is not None else "")
    )


def what(label: str, trigger: str | None, schedule: str | None = None) -> str:
    if trigger:
        return trigger
    if schedule:
        return schedule
    return CHOSEN_ROUTES[label][0] if label in CHOSEN_ROUTES else "first GET route"


# ---- 3. warm invocations ----


def warm_invocations(
    stack: BenchStack,
    manifests: Sequence[Manifest],
    bundles: dict[str, Path],
    baseline: Path,
    events: Events,
    python: Path,
    invocations: int,
    ratios: list[Ratio],
) -> None:
    say(
        f"warm: {invocations} invocations of each API function, in one process; the health "
        "function alternating with a bare async route (the bundle's own FastAPI and Mangum)"
    )
    for manifest in manifests:
        folder = bundles[manifest.name]
        for function in manifest.functions:
            label = f"{manifest.name}.{function.name}"
            if not function.routes or label not in events:
                continue
            arguments = ["warm", str(folder), function.handler, events.file(label)]
            arguments.append(str(invocations))
            with_bare = label == BARE_COMPARED
            if with_bare:
                arguments += [str(baseline), BARE_HANDLER, events.file(BARE)]
            answer = probe(python, stack, label, folder, *arguments)
            ours = answer["handler"]
            say(
                f"  {label:<30} {what(label, None):<26} p50 {percentile(ours, 0.5):7.1f} us   "
                f"p99 {percentile(ours, 0.99):8.1f} us   {answer['statuses']}"
            )
            if with_bare:
                bare = answer["baseline"]
                say(
                    f"  {'  bare async route':<30} {'GET /healthz':<26} p50 "
                    f"{percentile(bare, 0.5):7.1f} us   p99 {percentile(bare, 0.99):8.1f} us"
                )
                ratios.append(
                    Ratio(
                        "health warm p50 / bare async route p50",
                        percentile(ours, 0.5),
                        percentile(bare, 0.5),
                        WARM_GOAL,
                    )
                )
                invocation_layer(
                    stack, folder, function.handler, baseline, events, python, invocations, ratios
                )


def invocation_layer(
    stack: BenchStack,
    folder: Path,
    handler: str,
    baseline: Path,
    events: Events,
    python: Path,
    invocations: int,
    ratios: list[Ratio],
) -> None:
    """The health handler alternating with its own app behind Mangum alone: what the
    kernel's invocation layer costs with the stack's tracing (off on dev)."""
    event = events.file(BARE_COMPARED)
    arguments = ["warm", str(folder), handler, event, str(invocations)]
    arguments += [str(baseline), APP_ONLY_HANDLER, event]
    answer = probe(python, stack, BARE_COMPARED, folder, *arguments)
    ours, app_only = answer["handler"], answer["baseline"]
    traced = stack.function(*BARE_COMPARED.split(".")).environment.get(TRACE_DISABLED) == "false"
    tracing = "on" if traced else "off"
    say(
        f"  {'  its app, Mangum alone':<30} {'GET /healthz':<26} p50 "
        f"{percentile(app_only, 0.5):7.1f} us   p99 {percentile(app_only, 0.99):8.1f} us   "
        f"(the handler: p50 {percentile(ours, 0.5):.1f} us; tracing {tracing})"
    )
    ratios.append(
        Ratio(
            f"health warm p50 / its app behind Mangum alone, tracing {tracing}",
            percentile(ours, 0.5),
            percentile(app_only, 0.5),
            INVOCATION_GOAL,
        )
    )


# ---- 4. the local runtime ----


def local_runtime(stack: str, scratch: Path, requests: int) -> None:
    say(f"local runtime (`make dev`, stack {stack}, its API throttling lifted):")
    with running_local_api(stack, scratch) as api:
        say(f"  ready (process start to answering) in {api.ready_seconds:5.1f} s")
        latencies(api.url, "/healthz", clients=8, requests=64)  # a warm worker per client
        for clients, keep_alive in ((1, False), (8, False), (1, True)):
            timings = latencies(
                api.url, "/healthz", clients=clients, requests=requests, keep_alive=keep_alive
            )
            how = "one connection kept open" if keep_alive else "a connection per request"
            say(
                f"  GET /healthz, {clients} client{'s' if clients > 1 else ''}, {how:<26} p50 "
                f"{percentile(timings, 0.5):6.2f} ms   p99 {percentile(timings, 0.99):6.2f} ms"
            )


if __name__ == "__main__":
    main()
