"""A mistake in a stack file is said in a few lines: the file, the key,
what is allowed and the nearest valid key; an unknown stack, the stacks there are."""

from __future__ import annotations

from pathlib import Path

import pytest

from infra.program.config import ConfigError
from infra.program.stack_file_errors import missing_stack_file
from infra.program.stack_files import stack_config, stack_file, stacks
from service_manifest.user_errors import UserError


def edited(tmp_path: Path, old: str, new: str) -> Path:
    text = stack_file("dev").read_text()
    assert old in text
    path = tmp_path / "Pulumi.dev.yaml"
    path.write_text(text.replace(old, new))
    return path


def mistake(path: Path) -> str:
    with pytest.raises(ConfigError) as raised:
        stack_config("dev", config_file=path)
    return str(raised.value)


def test_a_misspelt_key_names_the_file_the_key_what_is_allowed_and_the_nearest(
    tmp_path: Path,
) -> None:
    message = mistake(edited(tmp_path, "    memory: 512", "    memroy: 512"))

    assert message == (
        f"{tmp_path / 'Pulumi.dev.yaml'}: bad stack config: "
        "serverless-backend:functions.memroy: unknown key; did you mean `memory`? "
        "(allowed here: architecture, memory, timeout, logLevel, tracing, snapStart, deployment)"
    )


def test_a_misspelt_top_level_key_gets_the_nearest_top_level_key(tmp_path: Path) -> None:
    message = mistake(
        edited(tmp_path, "serverless-backend:enableDocs", "serverless-backend:enableDoc")
    )

    assert "serverless-backend:enableDoc: unknown key; did you mean `enableDocs`?" in message


def test_a_value_not_allowed_is_quoted_back_with_what_is_allowed(tmp_path: Path) -> None:
    message = mistake(edited(tmp_path, "logLevel: DEBUG", "logLevel: DEBUGG"))

    assert message.endswith(
        "serverless-backend:functions.logLevel: Input should be 'DEBUG', 'INFO', 'WARNING' "
        "or 'ERROR' (got 'DEBUGG'); did you mean `DEBUG`?"
    )


def test_each_problem_is_a_line_of_its_own(tmp_path: Path) -> None:
    path = edited(tmp_path, "    memory: 512\n    timeout: 10", "    memroy: 512\n    timeout: 0")

    lines = mistake(path).splitlines()

    assert len(lines) == 2
    assert lines[1].startswith("  serverless-backend:")


def test_an_unknown_stack_lists_the_stacks_there_are() -> None:
    with pytest.raises(ConfigError) as raised:
        stack_config("nosuch")

    assert str(raised.value) == (
        "no stack 'nosuch': there is no Pulumi.nosuch.yaml\n"
        f"  the stacks (a Pulumi.<stack>.yaml each): {', '.join(stacks())}"
    )


def test_a_misspelt_stack_gets_the_nearest_stack() -> None:
    with pytest.raises(ConfigError, match="did you mean `dev`"):
        stack_config("dve")


def test_a_config_file_of_another_name_is_named_as_it_is(tmp_path: Path) -> None:
    message = missing_stack_file(tmp_path / "config.yaml", ["dev"])

    assert message.startswith(f"no stack config file {tmp_path / 'config.yaml'}\n")


def test_a_file_yaml_cannot_read_names_the_file_the_problem_and_where(tmp_path: Path) -> None:
    path = edited(tmp_path, "    memory: 512\n", "    memory: 512\n   timeout: 3\n")

    assert mistake(path) == (
        f"{path}: not valid YAML: expected <block end>, but found '<block mapping start>'"
        " (line 11, column 4)"
    )


def test_a_stack_config_mistake_is_a_persons_mistake_not_a_bug() -> None:
    """Command lines show it as its message, with no traceback."""
    assert issubclass(ConfigError, UserError)
