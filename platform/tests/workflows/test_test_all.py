"""`make test` (.ci/test-all): every step runs even after one fails, and a summary says
which passed, with their counts, and the total. Driven with a stand-in `make` whose
steps pass or fail as each test asks."""

from __future__ import annotations

import subprocess
from pathlib import Path

REPO = Path(__file__).resolve().parents[3]
TEST_ALL = REPO / ".ci" / "test-all"

# A `make` whose `lint`/`typecheck` pass and whose `test SERVICE=<m>` prints what pytest
# would for the member named: `good` passes, `bad` has a failing test, `broken` fails
# before pytest runs (a sync error), `nothing` collects no test.
FAKE_MAKE = """#!/usr/bin/env bash
for arg in "$@"; do case "$arg" in SERVICE=*) member=${arg#SERVICE=} ;; esac; done
case "${member:-}" in
  "") exit 0 ;;
  good) echo "5 passed, 1 warning in 1.20s" ;;
  bad) echo "1 failed, 3 passed in 0.90s"; exit 1 ;;
  broken) echo "error: the lock file needs to be updated"; exit 2 ;;
  nothing) echo "no tests ran in 0.01s"; exit 5 ;;
esac
"""


def run(tmp_path: Path, *members: str) -> subprocess.CompletedProcess[str]:
    make = tmp_path / "make"
    make.write_text(FAKE_MAKE)
    make.chmod(0o755)
    return subprocess.run(
        [str(TEST_ALL), *members],
        env={"MAKE": str(make), "PATH": "/usr/bin:/bin"},
        capture_output=True,
        text=True,
        check=False,
    )


def summary(output: str) -> list[str]:
    return output.split("== make test: summary\n", 1)[1].splitlines()


def test_all_green_says_so_and_exits_zero(tmp_path: Path) -> None:
    result = run(tmp_path, "good")
    assert result.returncode == 0, result.stdout
    lines = summary(result.stdout)
    assert lines[0].split()[:3] == ["ok", "lint", "clean"]
    assert lines[1].split()[:3] == ["ok", "typecheck", "clean"]
    assert lines[2].split()[:4] == ["ok", "good", "5", "passed,"]
    assert lines[-2:] == ["1 of 1 members passed", "total: 5 passed, 0 failed"]


def test_a_failing_member_does_not_stop_the_ones_after_it(tmp_path: Path) -> None:
    result = run(tmp_path, "bad", "good")
    assert result.returncode != 0
    lines = summary(result.stdout)
    assert lines[2].split()[:2] == ["FAIL", "bad"]
    assert "1 failed, 3 passed" in lines[2]
    assert lines[3].split()[:2] == ["ok", "good"]
    assert lines[-2:] == ["1 of 2 members passed; failed: bad", "total: 8 passed, 1 failed"]


def test_a_member_that_fails_before_its_tests_run_counts_as_failed(tmp_path: Path) -> None:
    result = run(tmp_path, "broken", "good")
    assert result.returncode != 0
    assert summary(result.stdout)[-2:] == [
        "1 of 2 members passed; failed: broken",
        "total: 5 passed, 1 failed",
    ]


def test_a_member_with_no_tests_fails(tmp_path: Path) -> None:
    """pytest's exit 5: a member whose tests vanished must not pass quietly."""
    result = run(tmp_path, "nothing")
    assert result.returncode != 0
    assert "failed: nothing" in result.stdout
