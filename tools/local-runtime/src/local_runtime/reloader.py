"""Notice edits: a service's source (its workers restart), or the program.

Polls modification times (standard library, no native watcher): the `.py`
files under each watched folder, and each watched file. Routes, environment
and settings come from the program, which is run once at start; an edit to
it is pointed out, and applied by restarting `make dev`.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from pathlib import Path

from local_runtime.polling import Poller

Snapshot = dict[Path, float]


def snapshot(paths: Sequence[Path]) -> Snapshot:
    """Modification times of these files, and of the `.py` files under these folders."""
    files: Snapshot = {}
    for root in paths:
        for path in root.rglob("*.py") if root.is_dir() else [root]:
            try:
                files[path] = path.stat().st_mtime
            except OSError:
                continue  # removed while we looked
    return files


class Reloader(Poller):
    def __init__(
        self,
        sources: Mapping[str, Sequence[Path]],
        on_change: Callable[[str], None],
        interval: float = 0.5,
    ) -> None:
        super().__init__("reloader", interval)
        self._sources = dict(sources)
        self._on_change = on_change
        self._snapshots = {service: snapshot(path) for service, path in self._sources.items()}

    def poll(self) -> list[str]:
        changed = []
        for service, path in self._sources.items():
            current = snapshot(path)
            if current != self._snapshots[service]:
                self._snapshots[service] = current
                changed.append(service)
                self._on_change(service)
        return changed
