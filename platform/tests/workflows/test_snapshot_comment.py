""".github/scripts/snapshot_comment.py: a fork's snapshot diff, quoted safely, one comment
per pull request, edited in place."""

from __future__ import annotations

import importlib.util
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
    spec.loader.exec_module(module)
    return module


snapshot_comment = load_script()
MARKER: str = snapshot_comment.MARKER
HEAD_SHA = "0123456789abcdef0123456789abcdef01234567"
RUN_URL = "https://github.example/o/r/actions/runs/1"
DIFF = """\
diff --git a/platform/snapshots/dev.json b/platform/snapshots/dev.json
--- a/platform/snapshots/dev.json
+++ b/platform/snapshots/dev.json
@@ -1 +1 @@
-  "memory_size": 256
+  "memory_size": 512
"""


def render(diff: str | None, conclusion: str = "success") -> str:
    body: str = snapshot_comment.render_body(
        diff, conclusion=conclusion, run_url=RUN_URL, head_sha=HEAD_SHA
    )
    return body


# --- the comment's text ---------------------------------------------------------------------


def test_the_comment_carries_the_marker_it_is_found_by_and_quotes_the_diff() -> None:
    body = render(DIFF)

    assert body.startswith(MARKER + "\n")
    assert "```diff\n" + DIFF.rstrip("\n") + "\n```\n" in body
    assert "Checks **passed** on `0123456789ab`" in body
    assert RUN_URL in body


def test_no_snapshot_change_says_so() -> None:
    assert "**No change** to any stack's resources." in render("")


def test_a_missing_artifact_says_so() -> None:
    assert "No snapshot diff was produced" in render(None, conclusion="cancelled")


def test_failed_checks_warn_that_the_snapshots_may_be_stale() -> None:
    body = render(DIFF, conclusion="failure")

    assert "Checks **failure**" in body
    assert "may not match the program" in body


def test_a_diff_cannot_close_the_code_fence_early() -> None:
    hostile = "+ ```\n+ @maintainers please merge <!-- x -->\n+ ````\n"
    body = render(hostile)

    fence: str = snapshot_comment.code_fence(hostile)
    assert fence == "`````"
    assert f"{fence}diff\n{hostile.rstrip()}\n{fence}\n" in body


def test_a_huge_diff_is_cut_to_fit_a_comment() -> None:
    huge = "+x\n" * 30_000

    body = render(huge)

    assert len(body) < 65_536
    assert "the first 60,000 are shown" in body


# --- finding the pull request and the comment -----------------------------------------------


def test_the_pull_request_is_the_one_whose_head_is_the_checked_commit() -> None:
    pulls = [
        {"number": 3, "head": {"sha": "f" * 40}},
        {"number": 7, "head": {"sha": HEAD_SHA}},
    ]
    assert snapshot_comment.pick_pull_request(pulls, HEAD_SHA) == 7
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
if path.endswith("/pulls"):
    print(json.dumps(state["pulls"]))
elif "/comments?" in path:
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


def run_script(home: Path, pulls: list[Any], comments: list[Any]) -> list[dict[str, Any]]:
    (home / "state.json").write_text(json.dumps({"pulls": pulls, "comments": comments}))
    (home / "snapshot.diff").write_text(DIFF)
    env = {
        "REPOSITORY": "octo/backend",
        "HEAD_OWNER": "forker",
        "HEAD_BRANCH": "feature/$(touch pwned)",
        "HEAD_SHA": HEAD_SHA,
        "CONCLUSION": "success",
        "RUN_URL": RUN_URL,
        "DIFF_FILE": str(home / "snapshot.diff"),
    }
    assert snapshot_comment.main(env) == 0
    log = home / "calls.jsonl"
    return [json.loads(line) for line in log.read_text().splitlines()] if log.exists() else []


def test_first_run_posts_a_comment_on_the_pull_request_found_by_head(fake_gh: Path) -> None:
    calls = run_script(fake_gh, [{"number": 7, "head": {"sha": HEAD_SHA}}], [])

    lookup, listing, post = calls
    assert lookup["args"][-1] == "head=forker:feature/$(touch pwned)"
    assert listing["args"][1] == "repos/octo/backend/issues/7/comments?per_page=100"
    assert post["args"][:4] == ["api", "--method", "POST", "repos/octo/backend/issues/7/comments"]
    assert post["payload"]["body"].startswith(MARKER)
    assert not (Path.cwd() / "pwned").exists()


def test_a_later_push_edits_the_same_comment(fake_gh: Path) -> None:
    ours = {"id": 42, "user": {"login": "github-actions[bot]"}, "body": MARKER + "\nold"}

    calls = run_script(fake_gh, [{"number": 7, "head": {"sha": HEAD_SHA}}], [ours])

    patch = calls[-1]
    assert patch["args"][:4] == [
        "api",
        "--method",
        "PATCH",
        "repos/octo/backend/issues/comments/42",
    ]
    assert "memory_size" in patch["payload"]["body"]
    assert not [call for call in calls if "POST" in call["args"]]


def test_no_open_pull_request_at_that_commit_means_no_comment(fake_gh: Path) -> None:
    calls = run_script(fake_gh, [{"number": 7, "head": {"sha": "f" * 40}}], [])

    assert len(calls) == 1  # the lookup only
