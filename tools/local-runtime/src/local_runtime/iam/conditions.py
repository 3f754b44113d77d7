"""IAM's condition operators: the ones a policy of this program can use.

Pure. Each follows the IAM User Guide:
- operators: reference_policies_elements_condition_operators.html (string,
  ARN, Bool, Null, the `...IfExists` suffix; a key absent from the request
  makes a positive operator false and a negated one true);
- sets: reference_policies_condition-single-vs-multi-valued-context-keys.html
  and reference_policies_condition_examples-multi-valued-context-keys.html
  (`ForAllValues:` is true when every request value matches, and also when the
  key is absent; `ForAnyValue:` needs one match and is false when it is absent).

Within one operator, keys are ANDed and a key's values ORed; the operators of
one statement are ANDed. An operator this module does not know is a
`PolicyError` when the policy is read, never a condition silently skipped.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from functools import cache

# Request context: condition key (lower case) → its values (several for a
# multivalued key such as dynamodb:LeadingKeys; none when present but empty).
Context = Mapping[str, Sequence[str]]
Match = Callable[[str, str], bool]  # (request value, policy value)


class PolicyError(ValueError):
    """A policy the local IAM check cannot evaluate exactly (IAM would refuse it,
    or it uses what is not implemented here)."""


@cache
def _like(pattern: str) -> re.Pattern[str]:
    """StringLike's wildcards: `*` any run of characters, `?` any one."""
    parts = ("." if c == "?" else ".*" if c == "*" else re.escape(c) for c in pattern)
    return re.compile("".join(parts), re.DOTALL)


def string_like(value: str, pattern: str) -> bool:
    return _like(pattern).fullmatch(value) is not None


def arn_like(value: str, pattern: str) -> bool:
    """ArnLike/ArnEquals: segment by segment (the resource part as one)."""
    values, patterns = value.split(":", 5), pattern.split(":", 5)
    if len(values) != 6 or len(patterns) != 6:
        return False
    return all(string_like(v, p) for v, p in zip(values, patterns, strict=True))


# name → (match, negated)
_OPERATORS: dict[str, tuple[Match, bool]] = {
    "stringequals": (lambda v, p: v == p, False),
    "stringnotequals": (lambda v, p: v == p, True),
    "stringequalsignorecase": (lambda v, p: v.lower() == p.lower(), False),
    "stringnotequalsignorecase": (lambda v, p: v.lower() == p.lower(), True),
    "stringlike": (string_like, False),
    "stringnotlike": (string_like, True),
    "arnequals": (arn_like, False),
    "arnlike": (arn_like, False),
    "arnnotequals": (arn_like, True),
    "arnnotlike": (arn_like, True),
    "bool": (lambda v, p: v.lower() == p.lower(), False),
}
_SETS = ("forallvalues", "foranyvalue")


@dataclass(frozen=True)
class Condition:
    """One `"<operator>": {"<key>": [values]}` entry, for one key."""

    operator: str  # as written, for messages
    key: str  # lower case: condition keys are case-insensitive
    values: tuple[str, ...]

    def holds(self, context: Context) -> bool:
        request = context.get(self.key)
        name = self.operator.lower()
        set_operator, _, base = name.rpartition(":")
        if base == "null":
            absent = not request
            return any((value.lower() == "true") == absent for value in self.values)
        if_exists = base.endswith("ifexists")
        match, negated = _OPERATORS[base.removesuffix("ifexists")]

        def matches(value: str) -> bool:
            hit = any(match(value, policy_value) for policy_value in self.values)
            return not hit if negated else hit

        if set_operator == "forallvalues":
            return all(matches(value) for value in request or ())
        if set_operator == "foranyvalue":
            return any(matches(value) for value in request or ())
        if not request:
            return if_exists or negated
        return (
            all(matches(value) for value in request)
            if negated
            else any(matches(value) for value in request)
        )


def parse_conditions(block: object) -> tuple[Condition, ...]:
    """A statement's `Condition` element, checked against what is implemented."""
    if block is None:
        return ()
    if not isinstance(block, Mapping):
        raise PolicyError("Condition must be an object")
    conditions = []
    for operator, keys in block.items():
        _check_operator(str(operator))
        if not isinstance(keys, Mapping):
            raise PolicyError(f"Condition {operator} must map keys to values")
        for key, values in keys.items():
            listed = values if isinstance(values, list) else [values]
            conditions.append(
                Condition(str(operator), str(key).lower(), tuple(_text(v) for v in listed))
            )
    return tuple(conditions)


def _check_operator(operator: str) -> None:
    set_operator, _, base = operator.lower().rpartition(":")
    if set_operator and set_operator not in _SETS:
        raise PolicyError(f"unknown condition set operator {operator!r}")
    if base != "null" and base.removesuffix("ifexists") not in _OPERATORS:
        raise PolicyError(f"condition operator {operator!r} is not evaluated locally")


def _text(value: object) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    return str(value)
