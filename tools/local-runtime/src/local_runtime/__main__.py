"""`python -m local_runtime --stack dev --port 8000`: what `make dev` runs.

A person's mistake (an unknown stack, a misspelt key in a stack file or a
`service.toml`) is said in a few lines; a bug keeps its traceback, and
`--debug` (`make dev DEBUG=1`) keeps it for mistakes too.
"""

from __future__ import annotations

import argparse
import os
import signal
import sys
import threading
import time
from pathlib import Path
from types import FrameType

from local_runtime.console import Console
from local_runtime.runtime import REPO_ROOT, PortInUse, Runtime
from service_manifest.user_errors import run_for_people, wants_traceback

# When this module was first imported: the process's start where /proc cannot say.
_IMPORTED = time.monotonic()


def parse_args(argv: list[str] | None = None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(
        prog="python -m local_runtime",
        description="Run the Pulumi program for a stack locally: emulator, workers, HTTP API.",
    )
    parser.add_argument("--stack", default="dev", help="the stack whose config to run (dev)")
    parser.add_argument("--port", type=int, default=8000, help="the local API's port (8000)")
    parser.add_argument(
        "--config-file", type=Path, default=None, help="a stack config file other than the stack's"
    )
    parser.add_argument("--no-watch", action="store_true", help="do not restart on source edits")
    parser.add_argument(
        "--verbose",
        action="store_true",
        help="each function's log lines whole (JSON), every resource not modeled named",
    )
    parser.add_argument(
        "--debug",
        action="store_true",
        default=wants_traceback(),
        help="a traceback for every error, a mistake in a file too (default: DEBUG=1)",
    )
    return parser.parse_args(argv)


def process_started() -> float:
    """When this process started, on time.monotonic()'s clock: "ready in" counts
    from the command's start, imports and the program's declaration included.
    Linux says it in /proc (the process's start and the uptime, both counted
    from boot); elsewhere, the first import of this module is close."""
    try:
        with open("/proc/self/stat") as stat, open("/proc/uptime") as uptime:
            # The command name (field 2) may hold spaces: count fields after its ")".
            fields = stat.read().rpartition(")")[2].split()
            started_after_boot = int(fields[19]) / os.sysconf("SC_CLK_TCK")
            age = float(uptime.read().split()[0]) - started_after_boot
    except (OSError, ValueError, IndexError):
        return _IMPORTED
    return time.monotonic() - max(age, 0.0)


def program_files(stack: str, config_file: Path | None) -> list[Path]:
    """What the local system is declared by: the program, the services'
    manifests and the stack's config file."""
    return [
        REPO_ROOT / "platform" / "infra",
        *sorted((REPO_ROOT / "services").glob("*/service.toml")),
        config_file or REPO_ROOT / f"Pulumi.{stack}.yaml",
    ]


def main(argv: list[str] | None = None) -> int:
    started = process_started()
    args = parse_args(argv)
    return run_for_people(lambda: run(args, started), debug=args.debug)


def run(args: argparse.Namespace, started: float) -> int:
    console = Console(verbose=args.verbose)
    declaring = time.monotonic()
    # Imported here: the program (and Pulumi) load only when the runtime really starts.
    from infra.offline.declared import declare

    resources, _outputs = declare(args.stack, config_file=args.config_file)
    console.line(
        f"declared stack {args.stack}: {len(resources)} resources"
        f" in {time.monotonic() - declaring:.1f}s"
    )
    runtime = Runtime(
        resources,
        stack=args.stack,
        port=args.port,
        console=console,
        watch=not args.no_watch,
        program_files=program_files(args.stack, args.config_file),
        started=started,
    )
    stopping = threading.Event()
    started_up = threading.Event()

    def on_signal(signum: int, frame: FrameType | None) -> None:
        stopping.set()
        if not started_up.is_set():
            # start() waits for the workers to warm: Ctrl-C stops that wait too.
            raise KeyboardInterrupt

    signal.signal(signal.SIGTERM, on_signal)
    signal.signal(signal.SIGINT, on_signal)
    try:
        runtime.start()  # stops what it started, when interrupted
    except PortInUse as exc:
        console.line(f"port {args.port} is in use ({exc}); choose another: PORT=8001 make dev")
        return 1
    except KeyboardInterrupt:
        console.line("stopped before it was ready")
        return 130
    started_up.set()
    try:
        stopping.wait()
    finally:
        console.line("stopping ...")
        runtime.stop()
    return 0


if __name__ == "__main__":
    sys.exit(main())
