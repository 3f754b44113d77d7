"""A bare emulated account: the emulator with nothing created, in a process of its own
(moto keeps its state per process, and the session's runtime has its own)."""

from __future__ import annotations

import subprocess
import sys
from collections.abc import Iterator
from contextlib import contextmanager

_SERVE = """
import sys
from local_runtime.account import FRESH
from local_runtime.emulator import Emulator
emulator = Emulator(sys.argv[1], FRESH)
emulator.start()
print(emulator.url, flush=True)
sys.stdin.read()  # serve until the test closes our stdin
emulator.stop()
"""


@contextmanager
def bare_account(region: str) -> Iterator[str]:
    """The URL of a fresh account's emulator in `region`, served until the block ends."""
    process = subprocess.Popen(
        [sys.executable, "-c", _SERVE, region],
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        text=True,
    )
    assert process.stdin is not None
    assert process.stdout is not None
    try:
        url = process.stdout.readline().strip()
        assert url.startswith("http://127.0.0.1:"), f"the emulator did not start: {url!r}"
        yield url
    finally:
        process.stdin.close()
        process.wait()
