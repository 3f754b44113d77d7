"""docs/config.md is written from StackConfig and the stack files, and kept current."""

from __future__ import annotations

from pydantic import BaseModel

from infra.offline.config_docs import NOT_SET, OUTPUT, render
from infra.program.config import StackConfig
from infra.repo import repo_root


def _fields(model: type[BaseModel], prefix: str = "") -> dict[str, str | None]:
    found: dict[str, str | None] = {}
    for name, field in model.model_fields.items():
        key = prefix + (field.alias or name)
        annotation = field.annotation
        if isinstance(annotation, type) and issubclass(annotation, BaseModel):
            found.update(_fields(annotation, f"{key}."))
        else:
            found[key] = field.description
    return found


def _row(text: str, key: str) -> list[str]:
    (line,) = [line for line in text.splitlines() if line.startswith(f"| `{key}` |")]
    return [cell.strip() for cell in line.strip("|").split(" | ")]


def test_the_committed_config_md_is_current() -> None:
    assert (repo_root() / OUTPUT).read_text() == render(), (
        "docs/config.md is stale: run `make docs` (python -m infra.offline.config_docs) "
        "and commit it"
    )


def test_every_config_key_says_what_it_means() -> None:
    undescribed = [key for key, description in _fields(StackConfig).items() if not description]

    assert undescribed == []


def test_each_row_shows_type_bounds_default_and_what_each_stack_sets() -> None:
    text = render()

    assert _row(text, "functions.memory")[:5] == [
        "`functions.memory`",
        "int 128\u201310240",
        "512",
        "512",
        "1024",
    ]
    # dev leaves the domain to its default; prod sets it.
    assert _row(text, "api.domain")[2:5] == ["unset", NOT_SET, "api.example.com"]
    assert _row(text, "auth.emailSender")[2] == "— (required)"
    assert _row(text, "aws:region")[3:5] == ["eu-west-1", "eu-west-1"]
