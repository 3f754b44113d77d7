"""A background thread that polls until stopped (the reloaders)."""

from __future__ import annotations

import threading


class Poller:
    """Calls `poll()` every `interval` seconds on a daemon thread until `stop()`."""

    def __init__(self, name: str, interval: float) -> None:
        self._interval = interval
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, name=name, daemon=True)

    def start(self) -> None:
        self._thread.start()

    def stop(self) -> None:
        self._stop.set()
        self._thread.join(timeout=2)

    def poll(self) -> object:
        raise NotImplementedError

    def _run(self) -> None:
        while not self._stop.wait(self._interval):
            self.poll()
