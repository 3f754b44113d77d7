"""docs/performance.md: one run's figures, its ratios against their goals, and the machine."""

from __future__ import annotations

import datetime

from infra.repo import repo_root
from local_runtime.bench.__main__ import COLD_GOAL, INVOCATION_GOAL, SIZE_GOAL_MB, WARM_GOAL
from local_runtime.bench.figures import Ratio
from local_runtime.bench.performance import Measurement, machine, render

# The multiplication sign the README writes its ratios with.
TIMES = "\u00d7"


def _document() -> str:
    ratios = [
        Ratio("items cold start / seed-style handler (medians)", 600.0, 800.0, 0.8).as_dict(),
        Ratio("largest zipped bundle / 5 MB", 6.0, 5.0, 1.0).as_dict(),
    ]
    return render(
        when=datetime.datetime(2026, 12, 7, 20, 30, tzinfo=datetime.UTC),
        commit="abc1234",
        command="make bench STACK=dev RUNS=2 INVOCATIONS=200",
        host=[("CPU", "Some CPU, 2 cores (x86_64)")],
        ratios=ratios,
        runs=[
            Measurement("What ships", ["-m", "local_runtime.bench"], "bundles:\n  auth 6.00 MB\n")
        ],
    )


def test_the_document_names_the_run_and_the_machine_it_came_from() -> None:
    text = _document()

    assert "One run of `make bench STACK=dev RUNS=2 INVOCATIONS=200`" in text
    assert "2026-12-07 20:30 UTC at commit `abc1234`" in text
    assert "- CPU: Some CPU, 2 cores (x86_64)" in text


def test_each_ratio_is_shown_against_its_goal() -> None:
    text = _document()

    assert "| items cold start / seed-style handler (medians) | **0.75x** | <= 0.8x | met |" in text
    assert "| largest zipped bundle / 5 MB | **1.20x** | <= 1x | **not met** |" in text


def test_each_measurements_output_is_kept_as_it_printed() -> None:
    assert "## What ships\n\n```text\nbundles:\n  auth 6.00 MB\n```" in _document()


def test_the_machine_names_its_cpu_cores_and_memory() -> None:
    described = dict(machine())

    assert {"system", "CPU", "memory", "workspace Python"} <= described.keys()
    assert "cores" in described["CPU"]


def test_the_readme_states_the_goals_the_bench_holds_each_ratio_to() -> None:
    readme = (repo_root() / "README.md").read_text()
    section = readme.split("## Performance\n", 1)[1].split("\n## ", 1)[0]

    for goal in (COLD_GOAL, WARM_GOAL, INVOCATION_GOAL):
        assert f"≤ {goal:g}{TIMES}" in section
    assert f"| {SIZE_GOAL_MB:g} MB | ≤ 1{TIMES} |" in section
    assert "docs/performance.md" in section
