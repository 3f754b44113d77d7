"""EventBridge Scheduler, locally: each declared rate schedule invokes its
function on its rate, with the event Scheduler sends a Lambda target (the
schedule's own input, which the platform leaves empty: `{}`). The first run
is one period after start, as a new schedule's is."""

from __future__ import annotations

import threading
from collections.abc import Callable, Mapping, Sequence
from typing import Any

from local_runtime.model import LocalSchedule

Invoke = Callable[[str, Mapping[str, Any]], Any]  # (function name, event) -> result
Report = Callable[[LocalSchedule, Any], None]


class Scheduler:
    def __init__(self, schedules: Sequence[LocalSchedule], invoke: Invoke, report: Report) -> None:
        self._schedules = list(schedules)
        self._invoke = invoke
        self._report = report
        self._stopping = threading.Event()
        self._threads: list[threading.Thread] = []

    def start(self) -> None:
        for schedule in self._schedules:
            thread = threading.Thread(
                target=self._run, args=(schedule,), name=f"schedule-{schedule.name}", daemon=True
            )
            thread.start()
            self._threads.append(thread)

    def stop(self) -> None:
        self._stopping.set()
        for thread in self._threads:
            thread.join(timeout=5)

    def _run(self, schedule: LocalSchedule) -> None:
        while not self._stopping.wait(schedule.every_seconds):
            self._report(schedule, self._invoke(schedule.function, {}))
