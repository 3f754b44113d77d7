"""Post (or update in place) the resource-snapshot diff of a fork's pull request.

Run by .github/workflows/fork-snapshot-comment.yml from the default branch, with a token
that may write pull-request comments. It states only what it derives itself from GitHub's
API: the pull request (found from the run's head owner, branch and commit), the committed
snapshots at the pull request's merge base and at its head (diffed here), the files the
pull request changes, and the check runs GitHub reports for the head commit. Nothing the
fork's run produced is read. Whatever came from the fork (file contents, check names) is
only ever quoted.

Standard library and the `gh` CLI only: the job installs nothing from the fork's lock file.
"""

from __future__ import annotations

import difflib
import json
import os
import re
import shutil
import subprocess
import sys
import tempfile
from collections import Counter
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

MARKER = "<!-- serverless-backend:snapshot-diff -->"
COMMENT_AUTHOR = "github-actions[bot]"
SNAPSHOTS = "platform/snapshots"
# GitHub refuses comment bodies over 65,536 characters; leave room for the prose.
MAX_DIFF_CHARS = 55_000
# What a check's name may show: a fork names its own jobs, so anything else is replaced.
_UNSAFE = re.compile(r"[^A-Za-z0-9 ,._()/:+-]")
_CONCLUSIONS = frozenset(
    {
        "success",
        "failure",
        "neutral",
        "cancelled",
        "skipped",
        "timed_out",
        "action_required",
        "stale",
    }
)


class GhError(RuntimeError):
    """`gh api` failed; `missing` when GitHub answered 404."""

    def __init__(self, message: str, *, missing: bool) -> None:
        super().__init__(message)
        self.missing = missing


@dataclass(frozen=True)
class CheckRun:
    name: str
    # GitHub's conclusion, or its status while it has none (queued, in_progress).
    outcome: str


def code_fence(text: str) -> str:
    """A backtick fence longer than any backtick run in the text, so it cannot close early."""
    longest = max((len(run) for run in re.findall(r"`+", text)), default=0)
    return "`" * max(3, longest + 1)


def snapshot_diff(before: Mapping[str, str], after: Mapping[str, str]) -> str:
    """A unified diff of the snapshot files, by file name, as `git diff` would show it."""
    chunks: list[str] = []
    for name in sorted(set(before) | set(after)):
        old, new = before.get(name), after.get(name)
        if old == new:
            continue
        chunks.extend(
            difflib.unified_diff(
                (old or "").splitlines(keepends=True),
                (new or "").splitlines(keepends=True),
                fromfile=f"a/{SNAPSHOTS}/{name}" if old is not None else "/dev/null",
                tofile=f"b/{SNAPSHOTS}/{name}" if new is not None else "/dev/null",
            )
        )
    return "".join(line if line.endswith("\n") else line + "\n" for line in chunks)


def check_runs(pages: Sequence[Mapping[str, Any]]) -> list[CheckRun]:
    """The head commit's check runs as GitHub reports them, names made safe to show."""
    runs = []
    for page in pages:
        for run in page.get("check_runs", []):
            name = _UNSAFE.sub("?", str(run.get("name", "")))[:80] or "?"
            outcome = str(run.get("conclusion") or run.get("status") or "unknown")
            runs.append(CheckRun(name, outcome if outcome in _CONCLUSIONS else _safe(outcome)))
    return sorted(runs, key=lambda run: run.name)


def _safe(text: str) -> str:
    return _UNSAFE.sub("?", text)[:30]


def render_body(
    *,
    diff: str,
    checks: Sequence[CheckRun],
    workflows_changed: bool,
    head_sha: str,
    merge_base: str,
    run_url: str,
) -> str:
    lines = [
        MARKER,
        "### Infrastructure change (resource snapshots)",
        "",
        "This pull request comes from a fork, so it gets no cloud credentials and no "
        "`pulumi preview`. This comment was made by this repository's own workflow: it "
        f"compares the committed snapshots (`{SNAPSHOTS}/`) at the merge base "
        f"`{merge_base[:12]}` and at the head `{head_sha[:12]}`, and lists the check runs "
        "GitHub reports for the head.",
        "",
    ]
    if not diff.strip():
        lines.append("**No change** to any stack's committed snapshot.")
    else:
        shown = diff[:MAX_DIFF_CHARS]
        if len(diff) > MAX_DIFF_CHARS:
            lines += [
                f"The diff is {len(diff):,} characters; the first {MAX_DIFF_CHARS:,} are "
                f"shown. Run `git diff` on `{SNAPSHOTS}/` for the rest.",
                "",
            ]
        fence = code_fence(shown)
        lines += ["<details open><summary>Snapshot diff</summary>", "", f"{fence}diff"]
        lines += [shown.rstrip("\n"), fence, "", "</details>"]
    lines += ["", *_checks_section(checks, head_sha)]
    lines += [
        "",
        "The snapshots match the program only if the platform tests succeeded on this "
        "commit (a stale snapshot fails them).",
    ]
    if workflows_changed:
        lines.append(
            "**This pull request changes `.github/`**: its checks ran the workflows as the "
            "fork changed them, so read that change before trusting any check above."
        )
    lines += ["", f"[Workflow run]({run_url})"]
    return "\n".join(lines) + "\n"


def _checks_section(checks: Sequence[CheckRun], head_sha: str) -> list[str]:
    if not checks:
        return [f"GitHub reports no check runs for `{head_sha[:12]}`."]
    counts = Counter(check.outcome for check in checks)
    summary = ", ".join(f"{count} {outcome}" for outcome, count in sorted(counts.items()))
    lines = [f"Check runs GitHub reports for `{head_sha[:12]}`: {summary}.", ""]
    lines += ["| check | conclusion |", "|---|---|"]
    lines += [f"| `{check.name}` | {check.outcome} |" for check in checks]
    return lines


def pick_pull_request(
    pulls: Sequence[Mapping[str, Any]], head_sha: str
) -> Mapping[str, Any] | None:
    """The open pull request whose head is exactly the commit the run checked."""
    for pull in pulls:
        if pull.get("head", {}).get("sha") == head_sha:
            return pull
    return None


def pick_comment(comments: Sequence[Mapping[str, Any]]) -> int | None:
    """Our earlier comment on the pull request, to edit rather than add another."""
    for comment in comments:
        if comment.get("user", {}).get("login") == COMMENT_AUTHOR and MARKER in comment.get(
            "body", ""
        ):
            return int(comment["id"])
    return None


def gh(*args: str) -> str:
    """The output of `gh api <args>` (authenticated by GH_TOKEN)."""
    executable = shutil.which("gh")
    if executable is None:
        raise SystemExit("the gh CLI is not on PATH")
    result = subprocess.run(  # noqa: S603 - the gh executable, arguments as a list, no shell
        [executable, "api", *args], check=False, capture_output=True, text=True
    )
    if result.returncode != 0:
        raise GhError(result.stderr.strip(), missing="HTTP 404" in result.stderr)
    return result.stdout


def gh_json(*args: str) -> Any:
    output = gh(*args)
    return json.loads(output) if output.strip() else None


def snapshots_at(repository: str, sha: str) -> dict[str, str]:
    """Each committed snapshot's text at `sha`, by file name (none before there were any)."""
    try:
        listing = gh_json(f"repos/{repository}/contents/{SNAPSHOTS}?ref={sha}")
    except GhError as error:
        if error.missing:
            return {}
        raise
    return {
        entry["name"]: gh(
            "-H",
            "Accept: application/vnd.github.raw+json",
            f"repos/{repository}/contents/{entry['path']}?ref={sha}",
        )
        for entry in listing or []
        if entry.get("type") == "file" and str(entry.get("name", "")).endswith(".yaml")
    }


def main(env: Mapping[str, str]) -> int:
    repository, head_sha = env["REPOSITORY"], env["HEAD_SHA"]
    pulls = gh_json(
        "--method",
        "GET",
        f"repos/{repository}/pulls",
        "-f",
        "state=open",
        "-f",
        f"head={env['HEAD_OWNER']}:{env['HEAD_BRANCH']}",
    )
    pull = pick_pull_request(pulls or [], head_sha)
    if pull is None:
        print(f"No open pull request has head {head_sha}; nothing to comment on.")  # noqa: T201
        return 0
    number = int(pull["number"])
    comparison = gh_json(f"repos/{repository}/compare/{pull['base']['sha']}...{head_sha}")
    merge_base = str(comparison["merge_base_commit"]["sha"])
    changed = [str(file.get("filename", "")) for file in comparison.get("files", [])]
    checks = gh_json(
        f"repos/{repository}/commits/{head_sha}/check-runs?per_page=100", "--paginate", "--slurp"
    )
    body = render_body(
        diff=snapshot_diff(
            snapshots_at(repository, merge_base), snapshots_at(repository, head_sha)
        ),
        checks=check_runs(checks or []),
        workflows_changed=any(name.startswith(".github/") for name in changed),
        head_sha=head_sha,
        merge_base=merge_base,
        run_url=env["RUN_URL"],
    )
    pages = gh_json(
        f"repos/{repository}/issues/{number}/comments?per_page=100", "--paginate", "--slurp"
    )
    existing = pick_comment([comment for page in pages or [] for comment in page])
    with tempfile.NamedTemporaryFile("w", suffix=".json", delete=False) as payload:
        json.dump({"body": body}, payload)
    if existing is None:
        path, method, done = f"repos/{repository}/issues/{number}/comments", "POST", "Commented on"
    else:
        path, method, done = f"repos/{repository}/issues/comments/{existing}", "PATCH", "Updated"
    gh("--method", method, path, "--input", payload.name)
    print(f"{done} pull request #{number}.")  # noqa: T201
    return 0


if __name__ == "__main__":
    sys.exit(main(os.environ))
