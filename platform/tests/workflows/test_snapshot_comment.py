""".github/scripts/snapshot_comment.py: a fork's snapshot diff and check conclusions, both
derived by the privileged job itself from GitHub's API (never from anything the fork's run
wrote), quoted safely, one comment per pull request, edited in place."""

from __future__ import annotations

import importlib.util
import inspect
import json
import os
import stat
import sys
from pathlib import Path
from types import ModuleType
from typing import Any

import pytest

SCRIPT = Path(__file__).resolve().parents[3] / ".github" / "scripts" / "snapshot_comment.py"


def load_script() -> ModuleType:
    spec = importlib.util.spec_from_file_location("snapshot_comment", SCRIPT)
    assert spec is not None
    assert spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    sys.modules["snapshot_comment"] = module  # dataclasses look their module up
    spec.loader.exec_module(module)
    return module


snapshot_comment = load_script()
MARKER: str = snapshot_comment.MARKER
HEAD_SHA = "0123456789abcdef0123456789abcdef01234567"
BASE_SHA = "b" * 40
MERGE_BASE = "c" * 40
RUN_URL = "https://github.example/o/r/actions/runs/1"
BEFORE = {"dev.yaml": "resources:\n- memorySize: 256\n", "prod.yaml": "stack: prod\n"}
AFTER = {"dev.yaml": "resources:\n- memorySize: 512\n", "prod.yaml": "stack: prod\n"}


def render(diff: str, checks: list[Any] | None = None, *, workflows_changed: bool = False) -> str:
    body: str = snapshot_comment.render_body(
        diff=diff,
        checks=checks or [],
        workflows_changed=workflows_changed,
        head_sha=HEAD_SHA,
        merge_base=MERGE_BASE,
        run_url=RUN_URL,
    )
    return body


# --- what the job derives itself ---------------------------------------------------------------


def test_the_diff_is_computed_here_from_the_snapshots_at_both_commits() -> None:
    diff = snapshot_comment.snapshot_diff(BEFORE, AFTER)

    assert diff == (
        "--- a/platform/snapshots/dev.yaml\n"
        "+++ b/platform/snapshots/dev.yaml\n"
        "@@ -1,2 +1,2 @@\n"
        " resources:\n"
        "-- memorySize: 256\n"
        "+- memorySize: 512\n"
    )


def test_a_new_or_removed_stack_shows_as_a_whole_file() -> None:
    diff = snapshot_comment.snapshot_diff({"old.yaml": "a\n"}, {"new.yaml": "b\n"})

    assert "--- /dev/null\n+++ b/platform/snapshots/new.yaml\n" in diff
    assert "--- a/platform/snapshots/old.yaml\n+++ /dev/null\n" in diff


def test_unchanged_snapshots_give_no_diff() -> None:
    assert snapshot_comment.snapshot_diff(BEFORE, dict(BEFORE)) == ""


def test_check_runs_are_github_s_and_their_names_are_made_safe_to_show() -> None:
    pages = [
        {
            "check_runs": [
                {"name": "Test platform", "status": "completed", "conclusion": "success"},
                {"name": "x | <img src=y> `z`", "status": "completed", "conclusion": "failure"},
                {"name": "Lint", "status": "in_progress", "conclusion": None},
            ]
        }
    ]

    runs = snapshot_comment.check_runs(pages)

    assert [(run.name, run.outcome) for run in runs] == [
        ("Lint", "in_progress"),
        ("Test platform", "success"),
        ("x ? ?img src?y? ?z?", "failure"),
    ]


def test_the_script_reads_no_artifact_and_no_conclusion_handed_to_it() -> None:
    """What the fork's run wrote (an artifact, the run's own conclusion) never reaches it."""
    source = SCRIPT.read_text()
    assert '"DIFF_FILE"' not in source
    assert '"CONCLUSION"' not in source
    assert set(inspect.signature(snapshot_comment.render_body).parameters) == {
        "diff",
        "checks",
        "workflows_changed",
        "head_sha",
        "merge_base",
        "run_url",
    }


# --- the comment's text --------------------------------------------------------------------


def test_the_comment_carries_the_marker_it_is_found_by_and_quotes_the_diff() -> None:
    diff = snapshot_comment.snapshot_diff(BEFORE, AFTER)
    body = render(diff)

    assert body.startswith(MARKER + "\n")
    assert "```diff\n" + diff.rstrip("\n") + "\n```\n" in body
    assert f"`{MERGE_BASE[:12]}`" in body
    assert f"`{HEAD_SHA[:12]}`" in body
    assert RUN_URL in body


def test_it_states_the_checks_as_github_reports_them_never_that_they_passed() -> None:
    checks = [
        snapshot_comment.CheckRun("Test platform", "success"),
        snapshot_comment.CheckRun("Lint", "failure"),
    ]
    body = render("", checks)

    assert "1 failure, 1 success" in body
    assert "| `Test platform` | success |" in body
    assert "| `Lint` | failure |" in body
    assert "passed" not in body.lower()


def test_no_check_runs_says_so() -> None:
    assert "GitHub reports no check runs" in render("")


def test_no_snapshot_change_says_so() -> None:
    assert "**No change** to any stack's committed snapshot." in render("")


def test_a_pull_request_that_changes_the_workflows_is_flagged() -> None:
    body = render("", workflows_changed=True)

    assert "This pull request changes `.github/`" in body
    assert "changes `.github/`" not in render("")


def test_a_diff_cannot_close_the_code_fence_early() -> None:
    hostile = "+ ```\n+ @maintainers please merge <!-- x -->\n+ ````\n"
    body = render(hostile)

    fence: str = snapshot_comment.code_fence(hostile)
    assert fence == "`````"
    assert f"{fence}diff\n{hostile.rstrip()}\n{fence}\n" in body


def test_a_huge_diff_is_cut_to_fit_a_comment() -> None:
    body = render("+x\n" * 30_000)

    assert len(body) < 65_536
    assert "the first 55,000 are shown" in body


# --- finding the pull request and the comment -----------------------------------------------


def test_the_pull_request_is_the_one_whose_head_is_the_checked_commit() -> None:
    pulls = [
        {"number": 3, "head": {"sha": "f" * 40}},
        {"number": 7, "head": {"sha": HEAD_SHA}},
    ]
    assert snapshot_comment.pick_pull_request(pulls, HEAD_SHA)["number"] == 7
    assert snapshot_comment.pick_pull_request(pulls[:1], HEAD_SHA) is None


def test_only_our_own_marked_comment_is_edited() -> None:
    comments = [
        {"id": 1, "user": {"login": "someone"}, "body": MARKER + " copied by a human"},
        {"id": 2, "user": {"login": "github-actions[bot]"}, "body": "another bot comment"},
        {"id": 3, "user": {"login": "github-actions[bot]"}, "body": MARKER + "\nold diff"},
    ]
    assert snapshot_comment.pick_comment(comments) == 3
    assert snapshot_comment.pick_comment(comments[:2]) is None


# --- the whole run, against a fake `gh` -----------------------------------------------------

# Answers like GitHub's API: the pull requests, the comparison, the snapshots at each commit
# (a directory listing, then each file raw), the check runs, the comments.
FAKE_GH = """\
#!{python}
import json, os, sys
state = json.load(open(os.environ["FAKE_GH_STATE"]))
args = sys.argv[1:]
call = {{"args": args}}
if "--input" in args:
    call["payload"] = json.load(open(args[args.index("--input") + 1]))
with open(os.environ["FAKE_GH_LOG"], "a") as log:
    log.write(json.dumps(call) + "\\n")
path = next(a for a in args[1:] if a.startswith("repos/"))
route, _, query = path.partition("?")
ref = query.partition("ref=")[2]
if route.endswith("/pulls"):
    print(json.dumps(state["pulls"]))
elif "/compare/" in route:
    print(json.dumps(state["compare"]))
elif route.endswith("/contents/platform/snapshots"):
    files = state["snapshots"].get(ref)
    if files is None:
        sys.stderr.write("gh: Not Found (HTTP 404)\\n")
        sys.exit(1)
    print(json.dumps([
        {{"type": "file", "name": name, "path": "platform/snapshots/" + name}} for name in files
    ]))
elif "/contents/platform/snapshots/" in route:
    sys.stdout.write(state["snapshots"][ref][route.rsplit("/", 1)[1]])
elif route.endswith("/check-runs"):
    print(json.dumps([{{"check_runs": state["checks"]}}]))
elif "/comments" in route and "--method" not in args:
    print(json.dumps([state["comments"]]))
else:
    print("{{}}")
"""


@pytest.fixture
def fake_gh(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    bin_dir = tmp_path / "bin"
    bin_dir.mkdir()
    gh = bin_dir / "gh"
    gh.write_text(FAKE_GH.format(python=sys.executable))
    gh.chmod(gh.stat().st_mode | stat.S_IEXEC)
    monkeypatch.setenv("PATH", f"{bin_dir}{os.pathsep}{os.environ['PATH']}")
    monkeypatch.setenv("FAKE_GH_LOG", str(tmp_path / "calls.jsonl"))
    monkeypatch.setenv("FAKE_GH_STATE", str(tmp_path / "state.json"))
    return tmp_path


PULL = {"number": 7, "head": {"sha": HEAD_SHA}, "base": {"sha": BASE_SHA}}
CHECKS = [
    {"name": "Test platform", "status": "completed", "conclusion": "success"},
    {"name": "Lint, format, types", "status": "completed", "conclusion": "failure"},
]


def run_script(
    home: Path,
    *,
    pulls: list[Any],
    comments: list[Any] | None = None,
    snapshots: dict[str, dict[str, str]] | None = None,
    changed: tuple[str, ...] = ("platform/snapshots/dev.yaml",),
) -> list[dict[str, Any]]:
    state = {
        "pulls": pulls,
        "compare": {
            "merge_base_commit": {"sha": MERGE_BASE},
            "files": [{"filename": name} for name in changed],
        },
        "snapshots": snapshots if snapshots is not None else {MERGE_BASE: BEFORE, HEAD_SHA: AFTER},
        "checks": CHECKS,
        "comments": comments or [],
    }
    (home / "state.json").write_text(json.dumps(state))
    env = {
        "REPOSITORY": "octo/backend",
        "HEAD_OWNER": "forker",
        "HEAD_BRANCH": "feature/$(touch pwned)",
        "HEAD_SHA": HEAD_SHA,
        "RUN_URL": RUN_URL,
    }
    assert snapshot_comment.main(env) == 0
    log = home / "calls.jsonl"
    return [json.loads(line) for line in log.read_text().splitlines()] if log.exists() else []


def posted(calls: list[dict[str, Any]]) -> str:
    (write,) = [call for call in calls if "payload" in call]
    body: str = write["payload"]["body"]
    return body


def test_first_run_diffs_the_snapshots_at_the_merge_base_and_head_and_posts(
    fake_gh: Path,
) -> None:
    calls = run_script(fake_gh, pulls=[PULL])

    lookup = calls[0]
    assert lookup["args"][-1] == "head=forker:feature/$(touch pwned)"
    paths = [next(a for a in call["args"] if a.startswith("repos/")) for call in calls]
    assert f"repos/octo/backend/compare/{BASE_SHA}...{HEAD_SHA}" in paths
    assert f"repos/octo/backend/contents/platform/snapshots?ref={MERGE_BASE}" in paths
    assert f"repos/octo/backend/contents/platform/snapshots/dev.yaml?ref={HEAD_SHA}" in paths
    assert f"repos/octo/backend/commits/{HEAD_SHA}/check-runs?per_page=100" in paths
    post = calls[-1]
    assert post["args"][:4] == ["api", "--method", "POST", "repos/octo/backend/issues/7/comments"]
    body = posted(calls)
    assert body.startswith(MARKER)
    assert "+- memorySize: 512" in body
    assert "| `Lint, format, types` | failure |" in body
    assert not (Path.cwd() / "pwned").exists()


def test_a_later_push_edits_the_same_comment(fake_gh: Path) -> None:
    ours = {"id": 42, "user": {"login": "github-actions[bot]"}, "body": MARKER + "\nold"}

    calls = run_script(fake_gh, pulls=[PULL], comments=[ours])

    patch = calls[-1]
    assert patch["args"][:4] == [
        "api",
        "--method",
        "PATCH",
        "repos/octo/backend/issues/comments/42",
    ]
    assert "memorySize" in posted(calls)
    assert not [call for call in calls if "POST" in call["args"]]


def test_snapshots_new_in_the_pull_request_show_as_added(fake_gh: Path) -> None:
    # The merge base has no platform/snapshots/ yet: GitHub answers 404.
    calls = run_script(fake_gh, pulls=[PULL], snapshots={HEAD_SHA: AFTER})

    assert "--- /dev/null\n+++ b/platform/snapshots/dev.yaml" in posted(calls)


def test_a_change_to_the_workflows_is_flagged_from_the_comparison(fake_gh: Path) -> None:
    calls = run_script(fake_gh, pulls=[PULL], changed=(".github/workflows/checks.yml",))

    assert "This pull request changes `.github/`" in posted(calls)


def test_no_open_pull_request_at_that_commit_means_no_comment(fake_gh: Path) -> None:
    calls = run_script(fake_gh, pulls=[{**PULL, "head": {"sha": "f" * 40}}])

    assert len(calls) == 1  # the lookup only
