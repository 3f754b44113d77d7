""".github/scripts/list-output.sh: the job matrices follow the repository's files."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
from pathlib import Path

REPO = Path(__file__).resolve().parents[3]
SCRIPT = REPO / ".github" / "scripts" / "list-output.sh"


def list_output(target: str, cwd: Path, tmp_path: Path) -> list[str]:
    """Run the script as a workflow step would, and read the matrix it wrote."""
    output = tmp_path / "github_output"
    output.touch()
    # A clean make environment, as on a runner (not the one of an enclosing `make test`).
    env = {k: v for k, v in os.environ.items() if not k.startswith("MAKE")}
    env["GITHUB_OUTPUT"] = str(output)
    subprocess.run(["bash", str(SCRIPT), target], cwd=cwd, env=env, check=True)
    name, _, value = output.read_text().strip().partition("=")
    assert name == target
    parsed = json.loads(value)
    assert isinstance(parsed, list)
    return [str(item) for item in parsed]


def test_a_new_stack_file_is_a_new_preview_with_no_workflow_edit(tmp_path: Path) -> None:
    checkout = tmp_path / "checkout"
    checkout.mkdir()
    shutil.copy(REPO / "Makefile", checkout / "Makefile")
    for name in ("Pulumi.yaml", "Pulumi.dev.yaml", "Pulumi.prod.yaml", "Pulumi.staging.yaml"):
        (checkout / name).write_text("config: {}\n")

    assert sorted(list_output("stacks", checkout, tmp_path)) == ["dev", "prod", "staging"]


def test_the_stack_matrix_is_every_stack_file_in_the_repository(tmp_path: Path) -> None:
    files = sorted(path.name for path in REPO.glob("Pulumi.*.yaml"))
    expected = [name.removeprefix("Pulumi.").removesuffix(".yaml") for name in files]

    assert sorted(list_output("stacks", REPO, tmp_path)) == expected


def test_the_test_matrix_is_every_workspace_member_including_platform(tmp_path: Path) -> None:
    members = list_output("members", REPO, tmp_path)

    on_disk = [
        path.parent.name
        for folder in ("libs", "services", "tools")
        for path in REPO.glob(f"{folder}/*/pyproject.toml")
    ]
    assert sorted(members) == sorted([*on_disk, "platform"])
