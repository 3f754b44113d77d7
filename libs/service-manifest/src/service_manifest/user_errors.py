"""A person's mistakes, said in a few lines: never a traceback.

`UserError` marks an error a person made in a file they edit (a `service.toml`,
a `Pulumi.<stack>.yaml`) or an argument they gave, whose message says all
there is to say: the file, the key or value, what is allowed, and the nearest
valid key. `run_for_people` runs a command line's main so that such an error
is its message and exit status 2, while anything else (a bug) keeps its
traceback; `DEBUG=1` shows the traceback for mistakes too.

Here, in the lowest library both the manifests and the stack config use, so
the two speak alike with no dependency between them; standard library and
pydantic only.
"""

from __future__ import annotations

import difflib
import os
import sys
import types
from collections.abc import Callable, Iterable, Mapping, Sequence
from pathlib import Path
from typing import Annotated, Any, Literal, TextIO, Union, get_args, get_origin

from pydantic import BaseModel, ValidationError

# What a command line exits with when a person's mistake stopped it.
EXIT_MISTAKE = 2
# A value is quoted back only when short: a whole table would bury the message.
_MOST_QUOTED = 60


class UserError(Exception):
    """A person's mistake; the message is everything they need to fix it."""


def nearest(word: str, choices: Iterable[str]) -> str | None:
    """The choice closest to `word` (a misspelling, other capitals), if any is close."""
    by_lower = {choice.lower(): choice for choice in choices}
    found = difflib.get_close_matches(word.lower(), list(by_lower), n=1, cutoff=0.6)
    return by_lower[found[0]] if found else None


def did_you_mean(word: str, choices: Iterable[str]) -> str:
    """`; did you mean `memory`?`, or nothing when no choice is close."""
    found = nearest(word, choices)
    return f"; did you mean `{found}`?" if found is not None else ""


def shown(path: Path) -> str:
    """A file as a person finds it: relative to where they are, when it is below."""
    try:
        return str(path.resolve().relative_to(Path.cwd().resolve()))
    except (ValueError, OSError):
        return str(path)


def validation_problems(
    exc: ValidationError, model: type[BaseModel], *, prefix: str = ""
) -> list[str]:
    """One line per problem of `exc`, raised validating `model`: the dotted key
    (after `prefix`), what is wrong, the value given, what is allowed and the
    nearest valid key or value. A required key that an unknown key is the
    misspelling of is said once, as the misspelling."""
    errors = exc.errors()
    suggested = {
        (*error["loc"][:-1], hint)
        for error in errors
        if error["type"] == "extra_forbidden"
        and (hint := nearest(str(error["loc"][-1]), _keys_at(model, error["loc"][:-1])))
    }
    problems = []
    for error in errors:
        loc = tuple(error["loc"])
        if error["type"] == "missing" and loc in suggested:
            continue
        problems.append(_problem(error, loc, model, prefix))
    return problems


def _problem(error: Any, loc: tuple[Any, ...], model: type[BaseModel], prefix: str) -> str:
    where = prefix + (".".join(str(part) for part in loc) or "(top level)")
    kind = error["type"]
    if kind == "extra_forbidden":
        allowed = _keys_at(model, loc[:-1])
        return (
            f"{where}: unknown key{did_you_mean(str(loc[-1]), allowed)}"
            f" (allowed here: {', '.join(allowed)})"
        )
    message = str(error["msg"]).removeprefix("Value error, ")
    value = error.get("input")
    if kind != "value_error" and isinstance(value, str | int | float | bool):
        quoted = repr(value)
        if len(quoted) <= _MOST_QUOTED:
            message += f" (got {quoted})"
    if kind == "literal_error":
        message += did_you_mean(str(value), (str(c) for c in _literal_choices(model, loc)))
    return f"{where}: {message}"


def _keys_at(model: type[BaseModel], loc: Sequence[Any]) -> list[str]:
    """The keys the model at `loc` takes, as a file spells them (aliases)."""
    found = next((m for m in _members(_walk(model, loc)) if _is_model(m)), None)
    if found is None:
        return []
    return [field.alias or name for name, field in found.model_fields.items()]


def _literal_choices(model: type[BaseModel], loc: Sequence[Any]) -> list[Any]:
    for member in _members(_walk(model, loc)):
        if get_origin(member) is Literal:
            return list(get_args(member))
    return []


def _walk(annotation: Any, loc: Sequence[Any]) -> Any:
    """The type at `loc` under `annotation`: a model's field by name or alias, a
    dict's value by key, a tuple's or list's item by index; None when lost."""
    for part in loc:
        annotation = _step(annotation, part)
        if annotation is None:
            return None
    return annotation


def _step(annotation: Any, part: Any) -> Any:
    for member in _members(annotation):
        if _is_model(member) and isinstance(part, str):
            for name, field in member.model_fields.items():
                if part in (name, field.alias):
                    return field.annotation
        origin = get_origin(member)
        if origin is dict and isinstance(part, str):
            return get_args(member)[1]
        if origin in (tuple, list) and isinstance(part, int):
            return get_args(member)[0]
    return None


def _members(annotation: Any) -> list[Any]:
    """The types an annotation may hold: Annotated unwrapped, a union's members."""
    if annotation is None:
        return []
    origin = get_origin(annotation)
    if origin is Annotated:
        return _members(get_args(annotation)[0])
    if origin is Union or origin is types.UnionType:
        return [member for arg in get_args(annotation) for member in _members(arg)]
    return [annotation]


def _is_model(annotation: Any) -> bool:
    return isinstance(annotation, type) and issubclass(annotation, BaseModel)


def wants_traceback(environ: Mapping[str, str] | None = None) -> bool:
    """`DEBUG=1` (as `make <target> DEBUG=1` sets it): mistakes keep their traceback."""
    return (os.environ if environ is None else environ).get("DEBUG") == "1"


def run_for_people(
    main: Callable[[], int], *, debug: bool | None = None, err: TextIO | None = None
) -> int:
    """`main()`, for a person at a terminal: a `UserError` is its message on
    stderr and exit status 2; anything else propagates with its traceback (a
    bug). With `debug` (default: `DEBUG=1`), a mistake keeps its traceback too."""
    try:
        return main()
    except UserError as exc:
        if debug or (debug is None and wants_traceback()):
            raise
        (err or sys.stderr).write(f"error: {exc}\n")
        return EXIT_MISTAKE
