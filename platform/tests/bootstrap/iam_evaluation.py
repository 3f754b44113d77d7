"""IAM's decision on one request against one identity policy, for the bootstrap's tests.

What it follows, from the IAM User Guide:
- "Policy evaluation logic": an explicit Deny in any statement wins; else an Allow in any
  statement whose Action, Resource and Condition all match; else the request is implicitly
  denied.
- "IAM JSON policy elements: Action / Resource": `*` matches any run of characters (`/` and
  `:` included) and `?` any one character; actions compare case-insensitively, ARNs
  case-sensitively.
- "IAM JSON policy elements: Condition operators": the conditions of a statement, and the keys
  within one condition, must all match; a key given several values matches any of them.
  A key missing from the request matches no positive operator (StringEquals, StringLike), and
  every negated one (StringNotEquals). `...IfExists`: a missing key matches.
- "Single-valued vs. multivalued context keys": `ForAllValues:` matches when every value in the
  request matches, and when the request has none; `ForAnyValue:` when at least one does.

Only the operators the bootstrap writes are known here; any other fails loudly.
"""

from __future__ import annotations

import fnmatch
import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any, Literal

Decision = Literal["allow", "explicit-deny", "implicit-deny"]


@dataclass(frozen=True)
class Request:
    action: str
    resource: str
    # Single-valued keys (aws:ResourceTag/<key>, aws:RequestTag/<key>, ...).
    context: Mapping[str, str] = field(default_factory=dict)
    # Multivalued keys (aws:TagKeys).
    multi: Mapping[str, Sequence[str]] = field(default_factory=dict)


def _wildcard(pattern: str, value: str, *, case: bool) -> bool:
    regex = "".join(".*" if c == "*" else "." if c == "?" else re.escape(c) for c in pattern)
    return re.fullmatch(regex, value, flags=0 if case else re.IGNORECASE) is not None


def _listed(value: Any) -> list[str]:
    return [str(v) for v in value] if isinstance(value, list) else [str(value)]


def _string_match(operator: str, expected: list[str], actual: str) -> bool:
    if operator == "StringEquals":
        return actual in expected
    if operator == "StringLike":
        return any(fnmatch.fnmatchcase(actual, pattern) for pattern in expected)
    if operator == "StringNotEquals":
        return actual not in expected
    raise ValueError(f"operator {operator} is not modelled")


def _condition(operator: str, key: str, expected: list[str], request: Request) -> bool:
    qualifier, _, operator = operator.rpartition(":")
    if_exists = operator.endswith("IfExists")
    operator = operator.removesuffix("IfExists")
    if qualifier:
        values = list(request.multi.get(key, ()))
        if qualifier == "ForAllValues":
            return all(_string_match(operator, expected, v) for v in values)
        if qualifier == "ForAnyValue":
            return any(_string_match(operator, expected, v) for v in values)
        raise ValueError(f"qualifier {qualifier} is not modelled")
    if key not in request.context:
        return if_exists or operator.startswith("StringNot")
    return _string_match(operator, expected, request.context[key])


def _matches(statement: Mapping[str, Any], request: Request) -> bool:
    if not any(_wildcard(a, request.action, case=False) for a in _listed(statement["Action"])):
        return False
    if not any(_wildcard(r, request.resource, case=True) for r in _listed(statement["Resource"])):
        return False
    for operator, keys in (statement.get("Condition") or {}).items():
        for key, expected in keys.items():
            if not _condition(operator, key, _listed(expected), request):
                return False
    return True


def decide(policy: Mapping[str, Any], request: Request) -> Decision:
    statements = [s for s in policy["Statement"] if _matches(s, request)]
    if any(s["Effect"] == "Deny" for s in statements):
        return "explicit-deny"
    if any(s["Effect"] == "Allow" for s in statements):
        return "allow"
    return "implicit-deny"
