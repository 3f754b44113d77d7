"""Lambda SnapStart's runtime hooks: what runs before the snapshot and after a restore.

Lambda's Python runtime runs the hooks registered with `snapshot_restore_py`
(the snapshot-restore-py library), which the managed runtime itself provides.
It is deliberately never in a bundle: a copy there would be another module
than the runtime's, and the runtime would never see the hooks. Where the
module is absent (locally, in tests, in a worker of `make dev`), registering
does nothing and nothing else changes.
"""

from __future__ import annotations

import random
from collections.abc import Callable


def register_hooks(before_snapshot: Callable[[], None], after_restore: Callable[[], None]) -> bool:
    """Register both hooks with the runtime; False where there is no runtime to run them."""
    try:
        from snapshot_restore_py import register_after_restore, register_before_snapshot
    except ImportError:
        return False
    register_before_snapshot(before_snapshot)
    register_after_restore(after_restore)
    return True


def restore_uniqueness() -> None:
    """After a restore: every instance restored from one snapshot starts with the same
    memory, so the `random` module's state is re-seeded from the OS (AWS's SnapStart
    uniqueness guidance). `secrets`, `uuid.uuid4` and `os.urandom` read the OS's
    generator on each call and need nothing."""
    random.seed()
