"""A person's mistake is said in a few lines: the file, the key or value,
what is allowed and the nearest valid key; a bug keeps its traceback."""

from __future__ import annotations

import io
from pathlib import Path

import pytest

from service_manifest import ManifestError, load_manifest
from service_manifest.user_errors import (
    EXIT_MISTAKE,
    UserError,
    did_you_mean,
    nearest,
    run_for_people,
    wants_traceback,
)

VALID = """
name = "things"
key_prefixes = ["THING#"]

[functions.api]
handler = "things.handler.handler"

[[functions.api.routes]]
method = "get"
path = "/things/{thing_id}"

[[functions.api.permissions]]
actions = ["dynamodb:GetItem"]
resource = "table"
own_keys_only = true

[functions.pre_sign_up]
handler = "things.triggers.pre_sign_up"
trigger = "PreSignUp"

[functions.sweep]
handler = "things.sweep.handler"
schedule = "rate(5 minutes)"
"""


def write(tmp_path: Path, text: str) -> Path:
    path = tmp_path / "service.toml"
    path.write_text(text)
    return path


def mistake(tmp_path: Path, change: tuple[str, str]) -> str:
    path = write(tmp_path, VALID.replace(*change))
    with pytest.raises(ManifestError) as raised:
        load_manifest(path)
    return str(raised.value)


def test_a_misspelt_key_names_the_file_the_key_what_is_allowed_and_the_nearest(
    tmp_path: Path,
) -> None:
    message = mistake(tmp_path, ('trigger = "PreSignUp"', 'trigger = "PreSignUp"\nmemroy = 256'))

    assert message.startswith(f"{tmp_path / 'service.toml'}: functions.pre_sign_up.memroy: ")
    assert "unknown key; did you mean `memory`?" in message
    assert "(allowed here: handler, description, routes, trigger," in message


def test_a_misspelt_required_key_is_said_once_as_the_misspelling(tmp_path: Path) -> None:
    message = mistake(tmp_path, ('handler = "things.sweep', 'handlr = "things.sweep'))

    assert message == (
        f"{tmp_path / 'service.toml'}: functions.sweep.handlr: unknown key; did you mean "
        "`handler`? (allowed here: handler, description, routes, trigger, environment, "
        "permissions, timeout, memory, openapi, schedule, sdk_clients)"
    )


def test_a_value_not_allowed_is_quoted_back_with_the_nearest_allowed(tmp_path: Path) -> None:
    message = mistake(tmp_path, ('resource = "table"', 'resource = "tabel"'))

    assert message.endswith(
        "functions.api.permissions.0.resource: Input should be 'table', 'user_pool', "
        "'email_identity' or 'sms' (got 'tabel'); did you mean `table`?"
    )


def test_each_problem_is_a_line_of_its_own(tmp_path: Path) -> None:
    text = VALID.replace("own_keys_only", "own_key_only").replace('"rate(5', '"rate(0')

    with pytest.raises(ManifestError) as raised:
        load_manifest(write(tmp_path, text))

    lines = str(raised.value).splitlines()
    assert len(lines) == 2
    assert "functions.api.permissions.0.own_key_only: unknown key" in lines[0]
    assert lines[1].startswith("  functions.sweep.schedule: String should match pattern")


def test_a_file_below_the_current_folder_is_named_from_there(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(tmp_path.parent)

    message = mistake(tmp_path, ("own_keys_only", "own_key_only"))

    assert message.startswith(f"{tmp_path.name}/service.toml: ")


def test_the_nearest_key_ignores_capitals_and_nothing_close_is_no_guess() -> None:
    keys = ["logLevel", "memory", "timeout"]

    assert nearest("loglevel", keys) == "logLevel"
    assert nearest("memroy", keys) == "memory"
    assert nearest("colour", keys) is None
    assert did_you_mean("colour", keys) == ""
    assert did_you_mean("timout", keys) == "; did you mean `timeout`?"


def test_a_mistake_is_its_message_on_stderr_and_exit_status_2() -> None:
    err = io.StringIO()

    def main() -> int:
        raise ManifestError("services/x/service.toml: name: unknown key")

    assert run_for_people(main, debug=False, err=err) == EXIT_MISTAKE
    assert err.getvalue() == "error: services/x/service.toml: name: unknown key\n"


def test_a_bug_keeps_its_traceback() -> None:
    def main() -> int:
        raise KeyError("a bug")

    with pytest.raises(KeyError):
        run_for_people(main, debug=False, err=io.StringIO())


def test_debug_keeps_the_traceback_of_a_mistake_too() -> None:
    def main() -> int:
        raise UserError("a mistake")

    with pytest.raises(UserError):
        run_for_people(main, debug=True)
    assert wants_traceback({"DEBUG": "1"})
    assert not wants_traceback({"DEBUG": "express:*"})  # another tool's DEBUG
    assert not wants_traceback({})


def test_a_command_that_succeeds_answers_its_own_status() -> None:
    assert run_for_people(lambda: 0, debug=False) == 0
