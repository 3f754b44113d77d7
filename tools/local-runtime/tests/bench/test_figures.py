"""Percentiles and ratios against a goal."""

from __future__ import annotations

import pytest

from local_runtime.bench.figures import Ratio, percentile


def test_percentiles_are_nearest_rank() -> None:
    values = [float(n) for n in range(100, 0, -1)]  # 1..100, unsorted
    assert percentile(values, 0.5) == 50
    assert percentile(values, 0.99) == 99
    assert percentile([7.0], 0.99) == 7


def test_no_values_have_no_percentile() -> None:
    with pytest.raises(ValueError, match="no values"):
        percentile([], 0.5)


def test_a_ratio_is_met_at_or_under_its_goal() -> None:
    assert Ratio("x", 80, 100, 0.8).met
    assert not Ratio("x", 81, 100, 0.8).met
    assert "NOT MET" in Ratio("cold", 81, 100, 0.8).line()
    assert "0.81x" in Ratio("cold", 81, 100, 0.8).line()
