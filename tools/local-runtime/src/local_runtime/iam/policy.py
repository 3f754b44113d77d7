"""IAM's evaluation of identity-based policies, as the IAM User Guide documents it.

Pure. For one request (action, resource, condition keys) and the policies of
the caller's role:
- nothing allows it: an implicit deny (IAM denies by default);
- a matching `Allow` and no matching `Deny`: allowed;
- any matching `Deny`: an explicit deny, whatever allows it
  (reference_policies_evaluation-logic_AccessPolicyLanguage_Interplay.html).

A statement matches when its `Action` (or `NotAction`), `Resource` (or
`NotResource`) and every condition match. Actions are case-insensitive with
`*` and `?` wildcards (reference_policies_elements_action.html). Resources are
case-sensitive; a wildcard stays within its ARN segment unless it ends the
segment, where it may run past colons, and `*` alone is every resource
(reference_policies_elements_resource.html).
"""

from __future__ import annotations

import enum
import re
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from functools import cache
from typing import Any

from local_runtime.iam.conditions import Condition, Context, PolicyError, parse_conditions

__all__ = ["AccessRequest", "Decision", "PolicyError", "Statement", "evaluate", "read_policy"]


class Decision(enum.Enum):
    ALLOWED = "allowed"
    IMPLICIT_DENY = "implicit deny"
    EXPLICIT_DENY = "explicit deny"


@dataclass(frozen=True)
class AccessRequest:
    """What IAM authorises: one action on one resource, with its condition keys."""

    action: str  # "dynamodb:GetItem"
    resource: str  # an ARN, "*", or what the service names (an SMS phone number)
    context: Context

    @staticmethod
    def of(action: str, resource: str, **keys: Sequence[str]) -> AccessRequest:
        return AccessRequest(action, resource, {k.lower(): tuple(v) for k, v in keys.items()})


@dataclass(frozen=True)
class Statement:
    allow: bool
    actions: tuple[str, ...]
    resources: tuple[str, ...]
    conditions: tuple[Condition, ...] = ()
    not_action: bool = False  # `actions` came from NotAction
    not_resource: bool = False  # `resources` came from NotResource

    def applies_to(self, request: AccessRequest) -> bool:
        action = any(_action_matches(request.action, a) for a in self.actions)
        resource = any(resource_matches(request.resource, r) for r in self.resources)
        return (
            action != self.not_action
            and resource != self.not_resource
            and all(condition.holds(request.context) for condition in self.conditions)
        )


def evaluate(statements: Iterable[Statement], request: AccessRequest) -> Decision:
    decision = Decision.IMPLICIT_DENY
    for statement in statements:
        if not statement.applies_to(request):
            continue
        if not statement.allow:
            return Decision.EXPLICIT_DENY
        decision = Decision.ALLOWED
    return decision


def read_policy(document: Mapping[str, Any]) -> tuple[Statement, ...]:
    """A policy document's statements; `PolicyError` for what IAM would refuse
    in an identity-based policy, or what is not evaluated here."""
    raw = document.get("Statement")
    listed = raw if isinstance(raw, list) else [raw]
    return tuple(_statement(item) for item in listed)


def _statement(item: Any) -> Statement:
    if not isinstance(item, Mapping):
        raise PolicyError("each Statement must be an object")
    if "Principal" in item or "NotPrincipal" in item:
        raise PolicyError("an identity-based policy names no Principal")
    effect = item.get("Effect")
    if effect not in ("Allow", "Deny"):
        raise PolicyError(f"Effect must be Allow or Deny, not {effect!r}")
    actions, not_action = _one_of(item, "Action", "NotAction")
    resources, not_resource = _one_of(item, "Resource", "NotResource")
    return Statement(
        allow=effect == "Allow",
        actions=actions,
        resources=resources,
        conditions=parse_conditions(item.get("Condition")),
        not_action=not_action,
        not_resource=not_resource,
    )


def _one_of(item: Mapping[str, Any], name: str, negated: str) -> tuple[tuple[str, ...], bool]:
    if (name in item) == (negated in item):
        raise PolicyError(f"a statement needs exactly one of {name} and {negated}")
    value = item[name] if name in item else item[negated]
    listed = value if isinstance(value, list) else [value]
    return tuple(str(v) for v in listed), negated in item


@cache
def _action_pattern(pattern: str) -> re.Pattern[str]:
    parts = ("." if c == "?" else ".*" if c == "*" else re.escape(c) for c in pattern)
    return re.compile("".join(parts), re.IGNORECASE | re.DOTALL)


def _action_matches(action: str, pattern: str) -> bool:
    return _action_pattern(pattern).fullmatch(action) is not None


@cache
def _resource_pattern(pattern: str) -> re.Pattern[str]:
    segments = []
    for segment in pattern.split(":", 5):
        parts = []
        for index, c in enumerate(segment):
            if c == "*":
                # The last character of a segment may expand beyond its colons.
                parts.append(".*" if index == len(segment) - 1 else "[^:]*")
            elif c == "?":
                parts.append("[^:]")
            else:
                parts.append(re.escape(c))
        segments.append("".join(parts))
    return re.compile(":".join(segments), re.DOTALL)


def resource_matches(resource: str, pattern: str) -> bool:
    if pattern == "*":
        return True
    return _resource_pattern(pattern).fullmatch(resource) is not None
