"""Restart a service's workers when its source changes.

Polls the modification times of the `.py` files under each service's
`src/` (standard library, no native watcher). Routes, environment and
settings come from the program, which is read once at start.
"""

from __future__ import annotations

import threading
from collections.abc import Callable, Mapping
from pathlib import Path

Snapshot = dict[Path, float]


def snapshot(folder: Path) -> Snapshot:
    files: Snapshot = {}
    for path in folder.rglob("*.py"):
        try:
            files[path] = path.stat().st_mtime
        except OSError:
            continue  # removed while we looked
    return files


class Reloader:
    def __init__(
        self,
        sources: Mapping[str, Path],
        on_change: Callable[[str], None],
        interval: float = 0.5,
    ) -> None:
        self._sources = dict(sources)
        self._on_change = on_change
        self._interval = interval
        self._snapshots = {service: snapshot(path) for service, path in self._sources.items()}
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, name="reloader", daemon=True)

    def start(self) -> None:
        self._thread.start()

    def stop(self) -> None:
        self._stop.set()
        self._thread.join(timeout=2)

    def _run(self) -> None:
        while not self._stop.wait(self._interval):
            self.poll()

    def poll(self) -> list[str]:
        changed = []
        for service, path in self._sources.items():
            current = snapshot(path)
            if current != self._snapshots[service]:
                self._snapshots[service] = current
                changed.append(service)
                self._on_change(service)
        return changed
