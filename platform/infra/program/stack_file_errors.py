"""A person's mistakes in a `Pulumi.<stack>.yaml`, said in a few lines.

The file, the dotted key (`serverless-backend:functions.memroy`), what is
wrong with its value, what is allowed and the nearest valid key; for a stack
with no file, the stacks there are. Formatted as a `service.toml`'s mistakes
are (`service_manifest.user_errors`), and raised as `ConfigError`, a
`UserError`: a command line prints the message, never a traceback.
"""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path

from pydantic import BaseModel, ValidationError

from service_manifest.user_errors import did_you_mean, shown, validation_problems

STACK_FILE_PREFIX, STACK_FILE_SUFFIX = "Pulumi.", ".yaml"


def bad_config(exc: ValidationError, model: type[BaseModel], project: str) -> str:
    """Every problem pydantic found, one a line, each key as the file spells it."""
    problems = validation_problems(exc, model, prefix=f"{project}:")
    return "bad stack config: " + "\n  ".join(problems)


def in_file(path: Path, message: str) -> str:
    """A stack config problem, with the file it is in."""
    return f"{shown(path)}: {message}"


def not_yaml(path: Path, exc: Exception) -> str:
    """A file YAML cannot read: the file, PyYAML's problem and where it is."""
    problem = getattr(exc, "problem", None) or str(exc)
    mark = getattr(exc, "problem_mark", None)
    where = f" (line {mark.line + 1}, column {mark.column + 1})" if mark is not None else ""
    return f"{shown(path)}: not valid YAML: {problem}{where}"


def missing_stack_file(path: Path, stacks: Sequence[str]) -> str:
    """No file at `path`: which stack that was, the nearest one and every one there is."""
    name = path.name
    if name.startswith(STACK_FILE_PREFIX) and name.endswith(STACK_FILE_SUFFIX):
        stack = name[len(STACK_FILE_PREFIX) : -len(STACK_FILE_SUFFIX)]
        wanted = f"no stack {stack!r}: there is no {shown(path)}"
        hint = did_you_mean(stack, stacks)
    else:
        wanted, hint = f"no stack config file {shown(path)}", ""
    there = ", ".join(stacks) if stacks else "none"
    return f"{wanted}{hint}\n  the stacks (a Pulumi.<stack>.yaml each): {there}"
