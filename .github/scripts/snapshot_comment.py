"""Post (or update in place) the resource-snapshot diff of a fork's pull request.

Run by .github/workflows/fork-snapshot-comment.yml from the default branch, with a token
that may write pull-request comments. Everything that came from the fork is untrusted:
the diff is only ever quoted inside a code fence, and the pull request is identified from
GitHub's own event data (head owner, branch and commit), never from the artifact.

Standard library and the `gh` CLI only: the job installs nothing from the fork's lock file.
"""

from __future__ import annotations

import json
import os
import re
import shutil
import subprocess
import sys
import tempfile
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any

MARKER = "<!-- serverless-backend:snapshot-diff -->"
COMMENT_AUTHOR = "github-actions[bot]"
# GitHub refuses comment bodies over 65,536 characters; leave room for the prose.
MAX_DIFF_CHARS = 60_000


def code_fence(text: str) -> str:
    """A backtick fence longer than any backtick run in the text, so it cannot close early."""
    longest = max((len(run) for run in re.findall(r"`+", text)), default=0)
    return "`" * max(3, longest + 1)


def render_body(diff: str | None, *, conclusion: str, run_url: str, head_sha: str) -> str:
    lines = [
        MARKER,
        "### Infrastructure change (resource snapshots)",
        "",
        "This pull request comes from a fork, so it gets no cloud credentials and no "
        "`pulumi preview`. Instead, here is the change it makes to the committed per-stack "
        "resource snapshots (`platform/snapshots/`), which the platform tests keep in step "
        "with the program.",
        "",
    ]
    if conclusion == "success":
        lines.append(f"Checks **passed** on `{head_sha[:12]}`: the snapshots match the program.")
    else:
        lines.append(
            f"Checks **{conclusion or 'did not finish'}** on `{head_sha[:12]}`: the snapshots "
            "may not match the program until they pass (`make snapshot`)."
        )
    lines.append("")
    if diff is None:
        lines.append(f"No snapshot diff was produced by [the run]({run_url}).")
    elif not diff.strip():
        lines.append("**No change** to any stack's resources.")
    else:
        shown = diff
        if len(diff) > MAX_DIFF_CHARS:
            shown = diff[:MAX_DIFF_CHARS]
            lines.append(
                f"The diff is {len(diff):,} characters; the first {MAX_DIFF_CHARS:,} are shown. "
                "Run `git diff` on `platform/snapshots/` for the rest."
            )
            lines.append("")
        fence = code_fence(shown)
        lines += ["<details open><summary>Snapshot diff</summary>", "", f"{fence}diff"]
        lines += [shown.rstrip("\n"), fence, "", "</details>"]
    lines += ["", f"[Workflow run]({run_url})"]
    return "\n".join(lines) + "\n"


def pick_pull_request(pulls: Sequence[Mapping[str, Any]], head_sha: str) -> int | None:
    """The open pull request whose head is exactly the commit the run checked."""
    for pull in pulls:
        if pull.get("head", {}).get("sha") == head_sha:
            return int(pull["number"])
    return None


def pick_comment(comments: Sequence[Mapping[str, Any]]) -> int | None:
    """Our earlier comment on the pull request, to edit rather than add another."""
    for comment in comments:
        if comment.get("user", {}).get("login") == COMMENT_AUTHOR and MARKER in comment.get(
            "body", ""
        ):
            return int(comment["id"])
    return None


def gh_api(*args: str) -> Any:
    """Call the GitHub REST API through the `gh` CLI (authenticated by GH_TOKEN)."""
    gh = shutil.which("gh")
    if gh is None:
        raise SystemExit("the gh CLI is not on PATH")
    result = subprocess.run(  # noqa: S603 - the gh executable, arguments as a list, no shell
        [gh, "api", *args], check=True, capture_output=True, text=True
    )
    return json.loads(result.stdout) if result.stdout.strip() else None


def read_diff(path: Path) -> str | None:
    return path.read_text(encoding="utf-8", errors="replace") if path.is_file() else None


def main(env: Mapping[str, str]) -> int:
    repository, head_sha = env["REPOSITORY"], env["HEAD_SHA"]
    pulls = gh_api(
        "--method",
        "GET",
        f"repos/{repository}/pulls",
        "-f",
        "state=open",
        "-f",
        f"head={env['HEAD_OWNER']}:{env['HEAD_BRANCH']}",
    )
    number = pick_pull_request(pulls or [], head_sha)
    if number is None:
        print(f"No open pull request has head {head_sha}; nothing to comment on.")  # noqa: T201
        return 0

    body = render_body(
        read_diff(Path(env["DIFF_FILE"])),
        conclusion=env.get("CONCLUSION", ""),
        run_url=env["RUN_URL"],
        head_sha=head_sha,
    )
    pages = gh_api(
        f"repos/{repository}/issues/{number}/comments?per_page=100", "--paginate", "--slurp"
    )
    existing = pick_comment([comment for page in pages or [] for comment in page])
    with tempfile.NamedTemporaryFile("w", suffix=".json", delete=False) as payload:
        json.dump({"body": body}, payload)
    if existing is None:
        gh_api(
            "--method",
            "POST",
            f"repos/{repository}/issues/{number}/comments",
            "--input",
            payload.name,
        )
        print(f"Commented on pull request #{number}.")  # noqa: T201
    else:
        gh_api(
            "--method",
            "PATCH",
            f"repos/{repository}/issues/comments/{existing}",
            "--input",
            payload.name,
        )
        print(f"Updated comment {existing} on pull request #{number}.")  # noqa: T201
    return 0


if __name__ == "__main__":
    sys.exit(main(os.environ))
