"""The GitHub Actions workflows under .github/: valid, pinned, least-privileged, and doing
what docs/ci-cd.md promises (per-stack previews in per-stack environments, fork safety,
gated deploys)."""

from __future__ import annotations

import re
import subprocess
import sys
from collections.abc import Iterator, Mapping
from pathlib import Path
from typing import Any

import pytest
import yaml

from bootstrap.github_deploy_access import (
    DEPLOY_SESSION_SECONDS,
    deploy_subject,
    preview_subject,
)

REPO = Path(__file__).resolve().parents[3]
GITHUB = REPO / ".github"
WORKFLOW_FILES = sorted((GITHUB / "workflows").glob("*.yml"))
ACTION_FILES = sorted((GITHUB / "actions").glob("*/action.yml"))

Job = Mapping[str, Any]
Step = Mapping[str, Any]


def load(path: Path) -> dict[str, Any]:
    data = yaml.safe_load(path.read_text())
    assert isinstance(data, dict), f"{path} is not a YAML mapping"
    # YAML 1.1 reads the bare key `on` as the boolean true.
    if True in data:
        data["on"] = data.pop(True)
    return data


WORKFLOWS = {path.name: load(path) for path in WORKFLOW_FILES}
ACTIONS = {path.parent.name: load(path) for path in ACTION_FILES}


def jobs(workflow: str) -> dict[str, Job]:
    return dict(WORKFLOWS[workflow]["jobs"])


def local_action(uses: str) -> dict[str, Any] | None:
    if uses.startswith("./.github/actions/"):
        return ACTIONS[uses.removeprefix("./.github/actions/").rstrip("/")]
    return None


def expanded_steps(steps: list[Step]) -> Iterator[Step]:
    """The steps, with each local composite action's own steps in its place."""
    for step in steps:
        yield step
        action = local_action(step.get("uses", ""))
        if action is not None:
            yield from expanded_steps(action["runs"]["steps"])


def job_steps(job: Job) -> list[Step]:
    return list(expanded_steps(job.get("steps", [])))


def all_steps() -> Iterator[tuple[str, Step]]:
    for name, workflow in WORKFLOWS.items():
        for job_id, job in workflow["jobs"].items():
            for step in job.get("steps", []):
                yield f"{name}:{job_id}", step
    for name, action in ACTIONS.items():
        for step in action["runs"]["steps"]:
            yield f"actions/{name}", step


def uses_of(steps: list[Step], action: str) -> list[Step]:
    return [step for step in steps if step.get("uses", "").split("@")[0] == action]


def run_lines(steps: list[Step]) -> str:
    return "\n".join(step["run"] for step in steps if "run" in step)


def truthy(value: Any) -> bool:
    return value is True or str(value).lower() == "true"


# --- valid files ---------------------------------------------------------------------------


def test_there_are_workflows_and_composite_actions() -> None:
    assert {"checks.yml", "pull-request.yml", "fork-snapshot-comment.yml", "deploy.yml"} <= set(
        WORKFLOWS
    )
    assert {"setup-uv", "deploy-stack"} <= set(ACTIONS)


@pytest.mark.parametrize(
    ("schema", "files"),
    [("vendor.github-workflows", WORKFLOW_FILES), ("vendor.github-actions", ACTION_FILES)],
    ids=["workflows", "actions"],
)
def test_files_pass_githubs_schema(schema: str, files: list[Path]) -> None:
    # check-jsonschema ships these schemas, so this runs offline.
    result = subprocess.run(
        [sys.executable, "-m", "check_jsonschema", "--builtin-schema", schema, *map(str, files)],
        capture_output=True,
        text=True,
        check=False,
    )
    assert result.returncode == 0, result.stdout + result.stderr


@pytest.mark.parametrize("name", sorted(WORKFLOWS))
def test_workflow_has_triggers_and_jobs(name: str) -> None:
    assert WORKFLOWS[name]["on"], name
    assert WORKFLOWS[name]["jobs"], name


def test_every_local_action_and_script_referenced_exists() -> None:
    for where, step in all_steps():
        uses = step.get("uses", "")
        if uses.startswith("./"):
            assert (REPO / uses / "action.yml").is_file(), f"{where}: {uses}"
        for script in re.findall(r"\.github/scripts/[\w./-]+", step.get("run", "")):
            assert (REPO / script).is_file(), f"{where}: {script}"


# --- pinned actions --------------------------------------------------------------------------

# A full 40-hex commit SHA, its release in a comment: a tag can be moved to other code, a
# commit cannot (the deploy jobs hold id-token: write).
SHA_PIN = re.compile(r"^[\w.-]+/[\w./-]+@([0-9a-f]{40})$")
VERSION_COMMENT = re.compile(r"#\s*(v\d+\.\d+\.\d+)\s*$")


def is_pinned(uses: str, raw_line: str) -> bool:
    """A local action, or a full commit SHA with its version in a comment."""
    if uses.startswith("./"):
        return True
    return bool(SHA_PIN.match(uses)) and VERSION_COMMENT.search(raw_line) is not None


@pytest.mark.parametrize(
    ("uses", "line", "pinned"),
    [
        ("actions/checkout@v4.2.2", "- uses: actions/checkout@v4.2.2", False),
        ("actions/checkout@v4", "- uses: actions/checkout@v4", False),
        ("actions/checkout@main", "- uses: actions/checkout@main", False),
        ("actions/checkout@" + "a" * 40, "- uses: actions/checkout@" + "a" * 40, False),
        ("actions/checkout@" + "a" * 39, "uses: actions/checkout@" + "a" * 39 + " # v4.2.2", False),
        ("actions/checkout@" + "a" * 40, "uses: actions/checkout@" + "a" * 40 + " # v4.2.2", True),
        ("./.github/actions/setup-uv", "- uses: ./.github/actions/setup-uv", True),
        ("docker://alpine:3", "- uses: docker://alpine:3", False),
    ],
)
def test_pin_rule(uses: str, line: str, pinned: bool) -> None:
    assert is_pinned(uses, line) is pinned


def pinned_uses() -> list[tuple[str, str, str]]:
    """(file, uses, raw line) of every `uses:` in the workflows and actions."""
    found = []
    for path in [*WORKFLOW_FILES, *ACTION_FILES]:
        for line in path.read_text().splitlines():
            match = re.match(r"^\s*(?:-\s+)?uses:\s*(\S+)", line)
            if match:
                found.append((path.name, match.group(1), line))
    return found


def test_every_action_is_pinned_to_a_commit_sha_with_its_version() -> None:
    for name, uses, line in pinned_uses():
        assert is_pinned(uses, line), f"{name}: {line.strip()}"


def test_one_action_release_is_one_commit_everywhere() -> None:
    """A bump changes every use of the action at once, and a SHA keeps its version's name."""
    versions: dict[str, set[tuple[str, str]]] = {}
    for _, uses, line in pinned_uses():
        if uses.startswith("./"):
            continue
        action, _, sha = uses.partition("@")
        comment = VERSION_COMMENT.search(line)
        assert comment is not None
        versions.setdefault(action, set()).add((sha, comment.group(1)))
    assert versions
    for action, pins in versions.items():
        assert len(pins) == 1, f"{action} is pinned to several commits or versions: {pins}"


# --- least privilege --------------------------------------------------------------------------

# Scripts that call the GitHub API, and what their token must allow.
SCRIPT_PERMISSIONS = {
    # The comment; the snapshots at both commits; the head commit's check runs.
    ".github/scripts/snapshot_comment.py": {
        "pull-requests": "write",
        "contents": "read",
        "checks": "read",
    }
}


def needed_permissions(job: Job) -> dict[str, str]:
    """What a job's steps (or the reusable workflow it calls) need from GITHUB_TOKEN."""
    if "uses" in job:
        called = WORKFLOWS[Path(job["uses"]).name]
        needed: dict[str, str] = {}
        for called_job in called["jobs"].values():
            for scope, level in needed_permissions(called_job).items():
                if needed.get(scope) != "write":
                    needed[scope] = level
        return needed

    steps = job_steps(job)
    needed = {}
    if uses_of(steps, "actions/checkout"):
        needed["contents"] = "read"
    if uses_of(steps, "aws-actions/configure-aws-credentials"):
        needed["id-token"] = "write"
    if any(
        truthy(s.get("with", {}).get("comment-on-pr")) for s in uses_of(steps, "pulumi/actions")
    ):
        needed["pull-requests"] = "write"
    for script, scopes in SCRIPT_PERMISSIONS.items():
        if script in run_lines(steps):
            needed.update(scopes)
    return needed


def all_jobs() -> list[tuple[str, str]]:
    return [(name, job_id) for name, wf in sorted(WORKFLOWS.items()) for job_id in wf["jobs"]]


@pytest.mark.parametrize("name", sorted(WORKFLOWS))
def test_top_level_permissions_grant_nothing(name: str) -> None:
    assert WORKFLOWS[name].get("permissions") == {}, name


@pytest.mark.parametrize(("name", "job_id"), all_jobs())
def test_job_permissions_are_exactly_what_its_steps_need(name: str, job_id: str) -> None:
    job = jobs(name)[job_id]
    assert "permissions" in job, f"{name}:{job_id} must declare its permissions"
    assert job["permissions"] == needed_permissions(job), f"{name}:{job_id}"


def test_permission_rule_flags_a_comment_scope_on_a_job_that_posts_nothing() -> None:
    job = {
        "permissions": {"contents": "read", "pull-requests": "write"},
        "steps": [{"uses": "actions/checkout@v4.2.2"}, {"run": "make test"}],
    }
    assert job["permissions"] != needed_permissions(job)


def test_oidc_and_comment_scopes_are_granted_only_where_used() -> None:
    oidc = {f"{n}:{j}" for n, j in all_jobs() if "id-token" in jobs(n)[j].get("permissions", {})}
    comment = {
        f"{n}:{j}" for n, j in all_jobs() if "pull-requests" in jobs(n)[j].get("permissions", {})
    }
    assert oidc == {"pull-request.yml:preview", "deploy.yml:dev", "deploy.yml:prod"}
    assert comment == {"pull-request.yml:preview", "fork-snapshot-comment.yml:comment"}


# --- secrets --------------------------------------------------------------------------------

SECRET_EXPRESSION = re.compile(r"\$\{\{[^}]*\bsecrets\.")


def secret_env_names(*scopes: Mapping[str, Any]) -> set[str]:
    return {
        key
        for scope in scopes
        for key, value in scope.get("env", {}).items()
        if SECRET_EXPRESSION.search(str(value))
    }


def secret_leaks(run: str, secret_names: set[str]) -> list[str]:
    """Secrets in a run script: inlined as expressions, or their env variables named at all."""
    leaks = [f"inlined: {m.group(0)}" for m in SECRET_EXPRESSION.finditer(run)]
    leaks += [name for name in secret_names if re.search(rf"\b{re.escape(name)}\b", run)]
    return leaks


@pytest.mark.parametrize(
    "run", ["echo ${{ secrets.PULUMI_ACCESS_TOKEN }}", 'curl -H "x: $TOKEN" example.test']
)
def test_secret_rule_catches_inlined_and_echoed_secrets(run: str) -> None:
    assert secret_leaks(run, {"TOKEN"})


def test_no_run_line_sees_a_secret() -> None:
    for name, workflow in WORKFLOWS.items():
        for job_id, job in workflow["jobs"].items():
            for step in job_steps(job):
                names = secret_env_names(workflow, job, step)
                assert not secret_leaks(step.get("run", ""), names), f"{name}:{job_id}"
    for name, action in ACTIONS.items():
        # Composite actions have no secrets context: secrets reach them only as job env.
        assert "secrets." not in (GITHUB / "actions" / name / "action.yml").read_text()
        assert not secret_leaks(run_lines(action["runs"]["steps"]), set()), name


def test_secrets_only_reach_steps_as_env_or_action_inputs() -> None:
    for where, step in all_steps():
        for key, value in step.items():
            if key not in {"env", "with"}:
                assert not SECRET_EXPRESSION.search(str(value)), f"{where}: {key}"


STACK_SECRETS = re.compile(r"\bsecrets\.(PULUMI_ACCESS_TOKEN|PULUMI_CONFIG_PASSPHRASE)\b")


def test_a_stacks_pulumi_credentials_reach_only_jobs_in_one_of_its_environments() -> None:
    """They are environment secrets (docs/ci-cd.md): a job without an environment, or at the
    workflow's top level, would get the repository's (which must not exist) or none."""
    for name, workflow in WORKFLOWS.items():
        assert not STACK_SECRETS.search(yaml.safe_dump(workflow.get("env", {}))), name
        for job_id, job in workflow["jobs"].items():
            if STACK_SECRETS.search(yaml.safe_dump(job)):
                assert job.get("environment"), f"{name}:{job_id} has no environment"


# --- pull requests -------------------------------------------------------------------------


def test_no_workflow_runs_pull_request_code_with_base_privileges() -> None:
    for name, workflow in WORKFLOWS.items():
        assert "pull_request_target" not in workflow["on"], name


def test_superseded_pull_request_runs_are_cancelled() -> None:
    """Their checks are; their previews are not (a preview cancelled halfway leaves the
    stack's Pulumi lock behind): those wait in the stack's group (below)."""
    assert "concurrency" not in WORKFLOWS["pull-request.yml"]
    concurrency = jobs("pull-request.yml")["checks"]["concurrency"]
    assert "github.event.pull_request.number" in concurrency["group"]
    assert concurrency["cancel-in-progress"] is True


def test_pull_requests_run_the_checks() -> None:
    assert jobs("pull-request.yml")["checks"]["uses"] == "./.github/workflows/checks.yml"


def test_lint_format_and_types_are_checked() -> None:
    runs = run_lines(job_steps(jobs("checks.yml")["static"]))
    assert "make lint" in runs  # ruff check and ruff format --check
    assert "make typecheck" in runs


def test_tests_run_one_job_per_workspace_member_synced_alone() -> None:
    checks = jobs("checks.yml")
    assert ".github/scripts/list-output.sh members" in run_lines(checks["members"]["steps"])
    test = checks["test"]
    assert test["strategy"]["matrix"]["member"] == "${{ fromJSON(needs.members.outputs.members) }}"
    assert test["strategy"]["fail-fast"] is False
    (step,) = [s for s in test["steps"] if "make test" in s.get("run", "")]
    assert step["run"] == 'make test SERVICE="$MEMBER"'
    assert step["env"]["MEMBER"] == "${{ matrix.member }}"


def test_ci_runs_the_uv_version_the_project_pins() -> None:
    import tomllib

    pinned = tomllib.loads((REPO / "pyproject.toml").read_text())["tool"]["uv"]["required-version"]
    (setup,) = ACTIONS["setup-uv"]["runs"]["steps"]
    assert pinned == f"=={setup['with']['version']}"


def test_uv_is_cached_on_the_lock_file_wherever_make_installs() -> None:
    (setup,) = ACTIONS["setup-uv"]["runs"]["steps"]
    assert setup["uses"].startswith("astral-sh/setup-uv@")
    assert setup["with"]["enable-cache"] is True
    assert setup["with"]["cache-dependency-glob"] == "uv.lock"
    for name, workflow in WORKFLOWS.items():
        for job_id, job in workflow["jobs"].items():
            steps = job_steps(job)
            installs = re.search(r"make (setup|lint|typecheck|test|smoke)", run_lines(steps))
            if installs:
                assert uses_of(steps, "./.github/actions/setup-uv"), f"{name}:{job_id}"


def test_every_stack_file_is_previewed() -> None:
    pull_request = jobs("pull-request.yml")
    assert ".github/scripts/list-output.sh stacks" in run_lines(pull_request["stacks"]["steps"])
    preview = pull_request["preview"]
    assert preview["needs"] == "stacks"
    assert preview["strategy"]["matrix"]["stack"] == "${{ fromJSON(needs.stacks.outputs.stacks) }}"
    assert preview["strategy"]["fail-fast"] is False


def test_preview_comments_once_per_stack_and_edits_it_in_place() -> None:
    preview = jobs("pull-request.yml")["preview"]
    (pulumi,) = uses_of(job_steps(preview), "pulumi/actions")
    inputs = pulumi["with"]
    assert inputs["command"] == "preview"
    assert inputs["stack-name"].endswith("${{ matrix.stack }}")
    assert inputs["comment-on-pr"] is True
    assert inputs["edit-pr-comment"] is True
    assert inputs["diff"] is True
    assert inputs["policyPacks"] == "platform/policy"
    assert inputs["github-token"] == "${{ secrets.GITHUB_TOKEN }}"


def test_preview_assumes_the_stacks_read_only_role_by_oidc() -> None:
    preview = jobs("pull-request.yml")["preview"]
    (aws,) = uses_of(job_steps(preview), "aws-actions/configure-aws-credentials")
    # The preview environment's own variable: no other job sees it.
    assert aws["with"]["role-to-assume"] == "${{ vars.AWS_PREVIEW_ROLE_ARN }}"
    assert not {"aws-access-key-id", "aws-secret-access-key"} & set(aws["with"])


def environment_of(job: Job, stack: str) -> str:
    environment = job["environment"]
    name = environment["name"] if isinstance(environment, dict) else environment
    return str(name).replace("${{ matrix.stack }}", stack)


@pytest.mark.parametrize("stack", ["dev", "prod"])
def test_each_preview_runs_in_its_stacks_preview_environment_which_alone_its_role_trusts(
    stack: str,
) -> None:
    """prod-preview has required reviewers (docs/ci-cd.md): branch code gets prod's preview
    role and prod's Pulumi credentials only after a person approves that run. The role
    trusts exactly that environment's OIDC subject (platform/bootstrap)."""
    environment = environment_of(jobs("pull-request.yml")["preview"], stack)

    assert environment == f"{stack}-preview"
    assert preview_subject("o/r", stack) == f"repo:o/r:environment:{environment}"


@pytest.mark.parametrize("stack", ["dev", "prod"])
def test_each_deploy_runs_in_the_one_environment_its_deploy_role_trusts(stack: str) -> None:
    environment = environment_of(jobs("deploy.yml")[stack], stack)

    assert deploy_subject("o/r", stack) == f"repo:o/r:environment:{environment}"
    # A preview environment is never a deploy environment.
    assert environment != environment_of(jobs("pull-request.yml")["preview"], stack)


def test_one_variable_switches_the_state_backend() -> None:
    # PULUMI_BACKEND_URL empty: Pulumi Cloud with PULUMI_ACCESS_TOKEN; s3://...: that bucket.
    (preview,) = uses_of(job_steps(jobs("pull-request.yml")["preview"]), "pulumi/actions")
    assert preview["with"]["cloud-url"] == "${{ vars.PULUMI_BACKEND_URL }}"
    (login,) = [
        s for s in ACTIONS["deploy-stack"]["runs"]["steps"] if "pulumi login" in s.get("run", "")
    ]
    assert login["env"]["CLOUD_URL"] == "${{ inputs.cloud-url }}"
    # Empty: no argument, so `pulumi login` logs in to Pulumi Cloud with the token.
    assert login["run"].endswith('pulumi login ${CLOUD_URL:+"$CLOUD_URL"}')
    for job_id in ("dev", "prod"):
        (deploy,) = uses_of(jobs("deploy.yml")[job_id]["steps"], "./.github/actions/deploy-stack")
        assert deploy["with"]["cloud-url"] == "${{ vars.PULUMI_BACKEND_URL }}"
    for job in (jobs("pull-request.yml")["preview"], jobs("deploy.yml")["dev"]):
        assert job["env"]["PULUMI_ACCESS_TOKEN"] == "${{ secrets.PULUMI_ACCESS_TOKEN }}"


# --- forks ----------------------------------------------------------------------------------

SAME_REPO = "github.event.pull_request.head.repo.full_name == github.repository"
FORK = "github.event.pull_request.head.repo.full_name != github.repository"


def test_cloud_jobs_run_only_for_branches_of_this_repository() -> None:
    pull_request = jobs("pull-request.yml")
    assert pull_request["stacks"]["if"] == SAME_REPO
    # preview needs stacks, so it is skipped with it.
    assert pull_request["preview"]["needs"] == "stacks"


def test_a_fork_gets_nothing_but_the_checks() -> None:
    """Every job but the checks needs `stacks`, which runs only for this repository's
    branches; nothing a fork's run writes (no artifact) is read by anything privileged."""
    for job_id, job in jobs("pull-request.yml").items():
        if job_id in {"checks", "stacks"}:
            continue
        assert "stacks" in str(job.get("needs", "")), job_id
    for where, step in all_steps():
        uses = step.get("uses", "")
        assert not uses.startswith(("actions/upload-artifact", "actions/download-artifact")), where


def test_fork_comment_is_posted_from_the_default_branch_after_the_pull_request_run() -> None:
    workflow = WORKFLOWS["fork-snapshot-comment.yml"]
    trigger = workflow["on"]["workflow_run"]
    assert trigger["workflows"] == [WORKFLOWS["pull-request.yml"]["name"]]
    assert trigger["types"] == ["completed"]
    (job,) = workflow["jobs"].values()
    assert "head_repository.full_name != github.repository" in job["if"]
    (checkout,) = uses_of(job["steps"], "actions/checkout")
    assert "ref" not in checkout.get("with", {}), "must check out the default branch, not the fork"
    # The fork's branch name is attacker-chosen text: it reaches the script as env, not code.
    assert run_lines(job["steps"]) == "python3 .github/scripts/snapshot_comment.py"


def test_the_fork_comment_derives_what_it_states_and_takes_no_verdict_from_the_run() -> None:
    """The diff and the check conclusions come from GitHub's API, read by the script; the
    run's own conclusion (which a fork's workflow decides) is not handed to it."""
    (job,) = WORKFLOWS["fork-snapshot-comment.yml"]["jobs"].values()
    (step,) = [s for s in job["steps"] if "run" in s]
    assert set(step["env"]) == {
        "GH_TOKEN",
        "REPOSITORY",
        "HEAD_OWNER",
        "HEAD_BRANCH",
        "HEAD_SHA",
        "RUN_URL",
    }
    assert "conclusion" not in yaml.safe_dump(job)
    assert job["permissions"] == {"checks": "read", "contents": "read", "pull-requests": "write"}


def test_no_run_line_interpolates_event_text() -> None:
    for where, step in all_steps():
        assert not re.search(r"\$\{\{\s*github\.(event|head_ref)", step.get("run", "")), where


# --- deploys --------------------------------------------------------------------------------


def test_deploys_run_on_main_one_at_a_time() -> None:
    """One at a time per stack, never cancelled, none dropped while waiting: GitHub keeps
    one pending job per concurrency group and cancels the one it replaces, unless the group
    queues (`queue: max`, up to 100 waiting, first in first out) (GitHub Actions docs,
    "Control the concurrency of workflows and jobs")."""
    workflow = WORKFLOWS["deploy.yml"]
    assert workflow["on"] == {"push": {"branches": ["main"]}}
    # No workflow-wide group: a run waiting for prod's reviewers holds no other stack.
    assert "concurrency" not in workflow
    for stack in ("dev", "prod"):
        assert jobs("deploy.yml")[stack]["concurrency"] == {
            "group": f"stack-{stack}",
            "cancel-in-progress": False,
            "queue": "max",
        }
    assert jobs("deploy.yml")["checks"]["uses"] == "./.github/workflows/checks.yml"


def concurrency_group(job: Job, stack: str) -> str:
    return str(job["concurrency"]["group"]).replace("${{ matrix.stack }}", stack)


@pytest.mark.parametrize("stack", ["dev", "prod"])
def test_a_stacks_previews_and_deploys_share_one_lock(stack: str) -> None:
    """Both take the stack's Pulumi lock: in one group they wait for each other instead of
    failing on it. Neither is cancelled running, and a waiting one is never dropped."""
    preview = jobs("pull-request.yml")["preview"]
    deploy = jobs("deploy.yml")[stack]

    assert concurrency_group(preview, stack) == concurrency_group(deploy, stack) == f"stack-{stack}"
    for job in (preview, deploy):
        assert job["concurrency"]["cancel-in-progress"] is False
        assert job["concurrency"]["queue"] == "max"


def test_a_dev_deploy_never_waits_behind_prods_approval() -> None:
    """Prod's job may wait hours for its reviewers; it holds prod's group only, and the
    next push's dev job depends on nothing of an earlier run."""
    deploy = jobs("deploy.yml")
    assert concurrency_group(deploy["dev"], "dev") != concurrency_group(deploy["prod"], "prod")
    assert deploy["dev"]["needs"] == "checks"


# terraform-provider-aws, internal/service/acm/certificate_validation.go:
# `Timeouts: &schema.ResourceTimeout{Create: schema.DefaultTimeout(75 * time.Minute)}`.
CERTIFICATE_VALIDATION_MINUTES = 75
TIMEOUT = re.compile(r"\btimeout\s+(?:--signal=(\w+)\s+)?(?:--kill-after=(\d+)m\s+)?(\d+)m\s+(.*)")
# Left for what runs without a timeout of its own: checkout, uv, the credentials.
SETUP_MINUTES = 10


def step_minutes(step: Step) -> int | None:
    """The most a step may run: its `timeout-minutes`, or its `timeout` command's
    duration plus its grace after the signal."""
    if "timeout-minutes" in step:
        return int(step["timeout-minutes"])
    match = TIMEOUT.search(step.get("run", ""))
    if match is None:
        return None
    return int(match.group(3)) + int(match.group(2) or 0)


def pulumi_steps(steps: list[Step]) -> list[Step]:
    return [
        s
        for s in steps
        if re.search(r"(^|\s|\()pulumi\s", s.get("run", ""))
        or (uses_of([s], "pulumi/actions") and s.get("with", {}).get("command"))
    ]


def pulumi_jobs() -> list[tuple[str, str]]:
    return [(n, j) for n, j in all_jobs() if pulumi_steps(job_steps(jobs(n)[j]))]


def test_the_pulumi_jobs_are_the_previews_and_the_deploys() -> None:
    assert pulumi_jobs() == [
        ("deploy.yml", "dev"),
        ("deploy.yml", "prod"),
        ("pull-request.yml", "preview"),
    ]


@pytest.mark.parametrize(("name", "job_id"), pulumi_jobs())
def test_every_pulumi_step_has_a_timeout_below_its_jobs(name: str, job_id: str) -> None:
    """A job killed at its timeout leaves Pulumi's pending operations and the stack's lock
    behind; a step interrupted first (SIGINT) lets Pulumi record them and release the lock.
    So each pulumi call has its own timeout, and all the steps' fit in the job's."""
    job = jobs(name)[job_id]
    steps = job_steps(job)
    for step in pulumi_steps(steps):
        assert step_minutes(step) is not None, step
        match = TIMEOUT.search(step.get("run", ""))
        if match is not None:
            assert match.group(1) == "INT", step["run"]  # Pulumi's graceful cancel
            assert match.group(4).startswith("pulumi "), step["run"]
    total = SETUP_MINUTES + sum(step_minutes(s) or 0 for s in steps)
    assert total < job["timeout-minutes"], (total, job["timeout-minutes"])


@pytest.mark.parametrize("stack", ["dev", "prod"])
def test_a_deploy_outlasts_a_certificate_validation(stack: str) -> None:
    """`pulumi up` of a stack with a custom domain waits up to 75 minutes for ACM, and its
    AWS session must last as long as the job (the deploy role allows it)."""
    steps = job_steps(jobs("deploy.yml")[stack])
    (up,) = [s for s in steps if "pulumi up" in s.get("run", "")]
    assert (step_minutes(up) or 0) > CERTIFICATE_VALIDATION_MINUTES
    (credentials,) = uses_of(steps, "aws-actions/configure-aws-credentials")
    session = int(credentials["with"]["role-duration-seconds"])
    assert session >= jobs("deploy.yml")[stack]["timeout-minutes"] * 60
    assert session <= DEPLOY_SESSION_SECONDS


@pytest.mark.parametrize(("job_id", "needs"), [("dev", "checks"), ("prod", "dev")])
def test_promotion_goes_checks_then_dev_then_prod(job_id: str, needs: str) -> None:
    job = jobs("deploy.yml")[job_id]
    assert job["needs"] == needs
    assert "if" not in job, "a condition could let prod run after a failed dev smoke test"


@pytest.mark.parametrize("stack", ["dev", "prod"])
def test_each_deploy_runs_in_its_stacks_environment(stack: str) -> None:
    job = jobs("deploy.yml")[stack]
    assert job["environment"]["name"] == stack
    (deploy,) = uses_of(job["steps"], "./.github/actions/deploy-stack")
    assert deploy["with"]["stack"] == stack
    assert deploy["with"]["role-to-assume"] == "${{ vars.AWS_DEPLOY_ROLE_ARN }}"


def test_prod_deploy_needs_the_prod_environment() -> None:
    assert jobs("deploy.yml")["prod"]["environment"]["name"] == "prod"


def test_deploy_runs_pulumi_up_then_smoke_tests_its_api_url() -> None:
    steps = ACTIONS["deploy-stack"]["runs"]["steps"]
    (up,) = [s for s in steps if "pulumi up" in s.get("run", "")]
    assert "--policy-pack platform/policy" in up["run"]
    assert '--stack "$STACK_NAME"' in up["run"]
    (outputs,) = [s for s in steps if s.get("id") == "outputs"]
    (smoke,) = [s for s in steps if "make smoke" in s.get("run", "")]
    assert smoke["run"].endswith('make smoke API_URL="$API_URL" STACK="$STACK"')
    assert smoke["env"]["API_URL"] == "${{ steps.outputs.outputs.api_url }}"
    assert steps.index(up) < steps.index(outputs) < steps.index(smoke)


def test_the_stacks_missing_secrets_are_made_before_pulumi_up() -> None:
    """`make secrets` (infra.operations.secret_parameters): the program only names them."""
    steps = ACTIONS["deploy-stack"]["runs"]["steps"]
    (secrets,) = [s for s in steps if "make secrets" in s.get("run", "")]
    (up,) = [s for s in steps if "pulumi up" in s.get("run", "")]
    assert secrets["run"].endswith('make secrets STACK="$STACK"')
    assert secrets["env"]["STACK"] == "${{ inputs.stack }}"
    assert steps.index(secrets) < steps.index(up)


def test_the_app_client_gets_its_secret_after_pulumi_up_and_before_the_release() -> None:
    """make secrets -> pulumi up -> make client-secret -> release -> smoke: the client's
    secret is the `authClientSecret` parameter `make secrets` made (a client `pulumi up`
    replaced answers the API 503 until it has it; infra.operations.client_secret)."""
    steps = ACTIONS["deploy-stack"]["runs"]["steps"]

    def step(text: str) -> int:
        (found,) = [i for i, s in enumerate(steps) if text in s.get("run", "")]
        return found

    (client_secret,) = [s for s in steps if "make client-secret" in s.get("run", "")]
    assert client_secret["run"].endswith('make client-secret STACK="$STACK"')
    assert client_secret["env"]["STACK"] == "${{ inputs.stack }}"
    assert (
        step("make secrets")
        < step("pulumi up")
        < step("make client-secret")
        < step("infra.operations.release")
        < step("make smoke")
    )


def test_a_failed_smoke_test_rolls_live_back_and_still_fails_the_job() -> None:
    steps = ACTIONS["deploy-stack"]["runs"]["steps"]
    (smoke,) = [s for s in steps if "make smoke" in s.get("run", "")]
    (rollback,) = [s for s in steps if "make rollback" in s.get("run", "")]
    assert steps.index(smoke) < steps.index(rollback)
    assert rollback["if"] == f"failure() && steps.{smoke['id']}.outcome == 'failure'"
    assert rollback["run"].endswith('make rollback STACK="$STACK"')
    assert "continue-on-error" not in smoke


def test_the_smoke_test_signs_in_with_the_deployed_stacks_own_test_destinations() -> None:
    """`make smoke STACK=<stack>`: that stack's test destinations, and for a stack that does
    not echo codes its fixed test code, read with the job's own deploy role."""
    steps = ACTIONS["deploy-stack"]["runs"]["steps"]
    (smoke,) = [s for s in steps if "make smoke" in s.get("run", "")]
    assert smoke["env"]["STACK"] == "${{ inputs.stack }}"
    makefile = (REPO / "Makefile").read_text()
    assert "python -m local_runtime.smoke --api-url $(API_URL) --stack $(STACK)" in makefile


def test_a_stack_is_deployed_only_once_every_live_version_is_active() -> None:
    """pulumi up returns before a SnapStart version is Active
    (hashicorp/terraform-provider-aws#42693) and moves no traffic: the release step moves it,
    each version once Active, as the stack's deployment says, before the smoke test; the old
    versions are pruned once `live` is settled (infra.operations.live_versions)."""
    steps = ACTIONS["deploy-stack"]["runs"]["steps"]
    (up,) = [s for s in steps if "pulumi up" in s.get("run", "")]
    (release,) = [s for s in steps if "infra.operations.release" in s.get("run", "")]
    (wait,) = [s for s in steps if "infra.operations.live_versions" in s.get("run", "")]
    (smoke,) = [s for s in steps if "make smoke" in s.get("run", "")]
    assert steps.index(up) < steps.index(release) < steps.index(wait) < steps.index(smoke)
    assert release["env"] == {
        "RELEASES": "${{ steps.outputs.outputs.releases }}",
        "DEPLOYMENT": "${{ steps.outputs.outputs.deployment }}",
    }
    assert '--deployment "$DEPLOYMENT" --releases "$RELEASES"' in release["run"]
    # Its timeout interrupts it (SIGINT), which rolls every alias back (infra.operations.release).
    assert "timeout --signal=INT" in release["run"]
    assert wait["env"]["LIVE_ALIASES"] == "${{ steps.outputs.outputs.live_aliases }}"
    assert '--aliases "$LIVE_ALIASES"' in wait["run"]
    for step in steps:
        assert "continue-on-error" not in step
        # Only the rollback runs after a failure; every other step runs only while all pass.
        assert "if" not in step or "make rollback" in step.get("run", "")


def test_prod_shifts_gradually_and_smoke_tests_the_new_version_through_the_alias() -> None:
    """Prod's stack file asks for a canary; the smoke test runs after the release, on the
    api_url, whose integrations invoke `live`: the new version, alone by then."""
    from infra.program.stack_files import stack_config

    assert stack_config("prod").functions.deployment == "canary10Percent5Minutes"
    assert stack_config("dev").functions.deployment == "allAtOnce"
    steps = ACTIONS["deploy-stack"]["runs"]["steps"]
    (release,) = [s for s in steps if "infra.operations.release" in s.get("run", "")]
    (smoke,) = [s for s in steps if "make smoke" in s.get("run", "")]
    assert steps.index(release) < steps.index(smoke)
