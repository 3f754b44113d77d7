"""`python -m local_runtime --stack dev --port 8000`: what `make dev` runs."""

from __future__ import annotations

import argparse
import signal
import sys
import threading
import time
from pathlib import Path
from types import FrameType

from local_runtime.console import Console
from local_runtime.runtime import REPO_ROOT, PortInUse, Runtime


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
    return parser.parse_args(argv)


def program_files(stack: str, config_file: Path | None) -> list[Path]:
    """What the local system is declared by: the program, the services'
    manifests and the stack's config file."""
    return [
        REPO_ROOT / "platform" / "infra",
        *sorted((REPO_ROOT / "services").glob("*/service.toml")),
        config_file or REPO_ROOT / f"Pulumi.{stack}.yaml",
    ]


def main(argv: list[str] | None = None) -> int:
    args = parse_args(argv)
    console = Console()
    started = time.monotonic()
    # Imported here: the program (and Pulumi) load only when the runtime really starts.
    from infra.declared import declare

    resources, _outputs = declare(args.stack, config_file=args.config_file)
    console.line(
        f"declared stack {args.stack}: {len(resources)} resources"
        f" in {time.monotonic() - started:.1f}s"
    )
    runtime = Runtime(
        resources,
        stack=args.stack,
        port=args.port,
        console=console,
        watch=not args.no_watch,
        program_files=program_files(args.stack, args.config_file),
    )
    stopping = threading.Event()

    def on_signal(signum: int, frame: FrameType | None) -> None:
        stopping.set()

    signal.signal(signal.SIGTERM, on_signal)
    signal.signal(signal.SIGINT, on_signal)
    try:
        runtime.start()
    except PortInUse as exc:
        console.line(f"port {args.port} is in use ({exc}); choose another: PORT=8001 make dev")
        return 1
    try:
        stopping.wait()
    finally:
        console.line("stopping ...")
        runtime.stop()
    return 0


if __name__ == "__main__":
    sys.exit(main())
