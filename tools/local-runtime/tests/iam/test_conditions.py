"""Condition operators, as the IAM User Guide documents them
(reference_policies_elements_condition_operators.html and
reference_policies_condition-single-vs-multi-valued-context-keys.html)."""

from __future__ import annotations

from collections.abc import Sequence

import pytest

from local_runtime.iam.conditions import Condition, parse_conditions


def holds(operator: str, values: list[str], request: Sequence[str] | None) -> bool:
    (condition,) = parse_conditions({operator: {"Test:Key": values}})
    context = {} if request is None else {"test:key": tuple(request)}
    return condition.holds(context)


@pytest.mark.parametrize(
    ("operator", "values", "request_values", "expected"),
    [
        ("StringEquals", ["a", "b"], ["b"], True),  # a key's values are ORed
        ("StringEquals", ["a"], ["A"], False),
        ("StringEqualsIgnoreCase", ["a"], ["A"], True),
        ("StringNotEquals", ["a"], ["b"], True),
        ("StringNotEquals", ["a"], ["a"], False),
        ("StringLike", ["ITEMS#*"], ["ITEMS#x"], True),
        ("StringLike", ["ITEM?#x"], ["ITEMS#x"], True),
        ("StringLike", ["ITEMS#*"], ["AUTH#x"], False),
        ("StringNotLike", ["ITEMS#*"], ["AUTH#x"], True),
        ("ArnLike", ["arn:aws:sns:*:*:*"], ["arn:aws:sns:eu-west-1:1:t"], True),
        ("ArnLike", ["arn:aws:sns:*:*:*"], ["+15555550100"], False),
        ("Bool", ["true"], ["true"], True),
        ("Bool", ["true"], ["false"], False),
    ],
)
def test_operators_on_a_present_key(
    operator: str, values: list[str], request_values: list[str], expected: bool
) -> None:
    assert holds(operator, values, request_values) is expected


@pytest.mark.parametrize(
    ("operator", "expected"),
    [
        ("StringEquals", False),  # an absent key matches nothing...
        ("StringLike", False),
        ("StringNotEquals", True),  # ...so a negated operator holds
        ("StringNotLike", True),
        ("StringEqualsIfExists", True),  # ...and IfExists holds when it is absent
        ("ForAllValues:StringLike", True),  # "also returns true if there are no context keys"
        ("ForAnyValue:StringLike", False),
    ],
)
def test_operators_on_an_absent_key(operator: str, expected: bool) -> None:
    assert holds(operator, ["x"], None) is expected


@pytest.mark.parametrize(
    ("operator", "request_values", "expected"),
    [
        ("ForAllValues:StringLike", ["ITEMS#a", "ITEMS#b"], True),
        ("ForAllValues:StringLike", ["ITEMS#a", "AUTH#b"], False),
        ("ForAllValues:StringLike", [], True),
        ("ForAnyValue:StringLike", ["AUTH#b", "ITEMS#a"], True),
        ("ForAnyValue:StringLike", ["AUTH#b"], False),
        ("ForAllValues:StringNotLike", ["AUTH#a", "USER#b"], True),
        ("ForAllValues:StringNotLike", ["AUTH#a", "ITEMS#b"], False),
    ],
)
def test_set_operators_on_a_multivalued_key(
    operator: str, request_values: list[str], expected: bool
) -> None:
    assert holds(operator, ["ITEMS#*"], request_values) is expected


def test_null_checks_whether_the_key_is_there() -> None:
    assert holds("Null", ["true"], None) is True
    assert holds("Null", ["true"], ["x"]) is False
    assert holds("Null", ["false"], ["x"]) is True


def test_keys_are_case_insensitive_and_every_key_of_an_operator_must_hold() -> None:
    conditions = parse_conditions(
        {"StringEquals": {"DynamoDB:Select": "SPECIFIC_ATTRIBUTES", "aws:SourceVpc": "vpc-1"}}
    )
    assert all(isinstance(c, Condition) for c in conditions)
    context = {"dynamodb:select": ("SPECIFIC_ATTRIBUTES",), "aws:sourcevpc": ("vpc-2",)}
    assert [c.holds(context) for c in conditions] == [True, False]
