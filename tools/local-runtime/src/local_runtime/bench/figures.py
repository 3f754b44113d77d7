"""The figures a benchmark prints: percentiles, and a ratio next to its goal."""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass


def percentile(values: Sequence[float], share: float) -> float:
    """The nearest-rank percentile (`share` 0.5 is the median, 0.99 the p99)."""
    if not values:
        raise ValueError("no values")
    ordered = sorted(values)
    rank = max(math.ceil(share * len(ordered)), 1)
    return ordered[rank - 1]


@dataclass(frozen=True)
class Ratio:
    """`measured` over `baseline`, and whether that is at most `goal`."""

    what: str
    measured: float
    baseline: float
    goal: float

    @property
    def value(self) -> float:
        return self.measured / self.baseline

    @property
    def met(self) -> bool:
        return self.value <= self.goal

    def as_dict(self) -> dict[str, str | float | bool]:
        return {
            "what": self.what,
            "measured": self.measured,
            "baseline": self.baseline,
            "goal": self.goal,
            "value": self.value,
            "met": self.met,
        }

    def line(self) -> str:
        verdict = "met" if self.met else "NOT MET"
        return f"  {self.what:<58} {self.value:5.2f}x  (goal <= {self.goal:g}x: {verdict})"
