"""IAM's evaluation logic, as the IAM User Guide documents it
(reference_policies_evaluation-logic.html and the pages each test names)."""

from __future__ import annotations

from typing import Any

import pytest

from local_runtime.iam.policy import AccessRequest, Decision, PolicyError, evaluate, read_policy

TABLE = "arn:aws:dynamodb:eu-west-1:123456789012:table/app"


def decide(statements: list[dict[str, Any]], request: AccessRequest) -> Decision:
    return evaluate(read_policy({"Version": "2012-10-17", "Statement": statements}), request)


def allow(action: Any, resource: Any, **extra: Any) -> dict[str, Any]:
    return {"Effect": "Allow", "Action": action, "Resource": resource, **extra}


def deny(action: Any, resource: Any, **extra: Any) -> dict[str, Any]:
    return {"Effect": "Deny", "Action": action, "Resource": resource, **extra}


GET = AccessRequest.of("dynamodb:GetItem", TABLE)


# ---- "The difference between explicit and implicit denies" ----


def test_nothing_allows_it_is_an_implicit_deny() -> None:
    assert decide([], GET) is Decision.IMPLICIT_DENY
    assert decide([allow("dynamodb:PutItem", TABLE)], GET) is Decision.IMPLICIT_DENY


def test_a_matching_allow_allows() -> None:
    assert decide([allow("dynamodb:GetItem", TABLE)], GET) is Decision.ALLOWED


@pytest.mark.parametrize("order", ["allow first", "deny first"])
def test_an_explicit_deny_wins_over_any_allow(order: str) -> None:
    statements = [allow("dynamodb:*", "*"), deny("dynamodb:GetItem", TABLE)]
    if order == "deny first":
        statements.reverse()
    assert decide(statements, GET) is Decision.EXPLICIT_DENY


def test_a_deny_that_does_not_match_leaves_the_allow() -> None:
    statements = [allow("dynamodb:*", "*"), deny("dynamodb:DeleteItem", TABLE)]
    assert decide(statements, GET) is Decision.ALLOWED


# ---- Action: case-insensitive, `*` and `?` (reference_policies_elements_action.html) ----


@pytest.mark.parametrize(
    ("pattern", "allowed"),
    [
        ("dynamodb:GetItem", True),
        ("DynamoDB:getitem", True),
        ("dynamodb:Get*", True),
        ("dynamodb:?etItem", True),
        ("dynamodb:*", True),
        ("*", True),
        ("dynamodb:GetItems", False),
        ("dynamodb:Get", False),
        ("sns:GetItem", False),
    ],
)
def test_actions_match_without_case_and_with_wildcards(pattern: str, allowed: bool) -> None:
    expected = Decision.ALLOWED if allowed else Decision.IMPLICIT_DENY
    assert decide([allow(pattern, TABLE)], GET) is expected


def test_not_action_allows_every_other_action() -> None:
    statement = {"Effect": "Allow", "NotAction": "dynamodb:DeleteItem", "Resource": "*"}
    assert decide([statement], GET) is Decision.ALLOWED
    delete = AccessRequest.of("dynamodb:DeleteItem", TABLE)
    assert decide([statement], delete) is Decision.IMPLICIT_DENY


# ---- Resource: case-sensitive, wildcards within a segment
# (reference_policies_elements_resource.html) ----


@pytest.mark.parametrize(
    ("pattern", "resource", "matches"),
    [
        (TABLE, TABLE, True),
        ("arn:aws:dynamodb:*:*:table/app", TABLE, True),
        ("arn:aws:dynamodb:eu-west-1:123456789012:table/*", TABLE, True),
        ("arn:aws:dynamodb:eu-west-1:123456789012:table/ap?", TABLE, True),
        ("arn:aws:dynamodb:eu-west-1:123456789012:table/APP", TABLE, False),
        ("arn:aws:dynamodb:eu-west-1:123456789012:table/app", TABLE + "/index/byName", False),
        ("*", "+15555550100", True),
        # A wildcard inside a segment stays within it...
        (
            "arn:aws:logs:*:*:log-group:/aws/lambda/*-x",
            "arn:aws:logs:r:1:log-group:/aws/lambda/a:b-x",
            False,
        ),
        # ...but one that ends a segment runs past its colons.
        (
            "arn:aws:logs:eu-west-1:1:log-group:/aws/lambda/f:*",
            "arn:aws:logs:eu-west-1:1:log-group:/aws/lambda/f:log-stream:2024/01/01",
            True,
        ),
        ("arn:aws:sns:*:*:*", "arn:aws:sns:eu-west-1:123456789012:alerts", True),
        ("arn:aws:sns:*:*:*", "+15555550100", False),
    ],
)
def test_resources_match_segment_by_segment(pattern: str, resource: str, matches: bool) -> None:
    request = AccessRequest.of("sns:Publish", resource)
    expected = Decision.ALLOWED if matches else Decision.IMPLICIT_DENY
    assert decide([allow("sns:Publish", pattern)], request) is expected


def test_not_resource_allows_every_other_resource() -> None:
    statement = {"Effect": "Allow", "Action": "dynamodb:GetItem", "NotResource": TABLE}
    assert decide([statement], GET) is Decision.IMPLICIT_DENY
    other = AccessRequest.of("dynamodb:GetItem", TABLE + "-other")
    assert decide([statement], other) is Decision.ALLOWED


# ---- this project's patterns (platform/infra/program/iam.py) ----

SMS = [allow(["sns:Publish"], ["*"]), deny(["sns:Publish"], ["arn:aws:sns:*:*:*"])]


def test_the_sms_grant_sends_to_phone_numbers_and_explicitly_denies_every_topic() -> None:
    """SNS names the phone number as the resource of an SMS publish
    (Miserlou/Zappa#1941), which `arn:aws:sns:*:*:*` never matches."""
    sms = AccessRequest.of("sns:Publish", "+15555550100")
    topic = AccessRequest.of("sns:Publish", "arn:aws:sns:eu-west-1:123456789012:alerts")
    assert decide(SMS, sms) is Decision.ALLOWED
    assert decide(SMS, topic) is Decision.EXPLICIT_DENY


OWN_KEYS = allow(
    ["dynamodb:GetItem", "dynamodb:Query", "dynamodb:DescribeTable"],
    [TABLE],
    Condition={"ForAllValues:StringLike": {"dynamodb:LeadingKeys": ["ITEMS#*"]}},
)


@pytest.mark.parametrize(
    ("keys", "decision"),
    [
        (["ITEMS#alice"], Decision.ALLOWED),
        (["ITEMS#alice", "ITEMS#bob"], Decision.ALLOWED),
        (["AUTH#SEND#abc"], Decision.IMPLICIT_DENY),
        (["ITEMS#alice", "AUTH#SEND#abc"], Decision.IMPLICIT_DENY),
        (["items#alice"], Decision.IMPLICIT_DENY),  # StringLike is case-sensitive
    ],
)
def test_leading_keys_confine_item_access_to_the_prefixes(
    keys: list[str], decision: Decision
) -> None:
    """DynamoDB guide, "Using IAM policy conditions for fine-grained access
    control": every partition key the request touches must match."""
    request = AccessRequest.of("dynamodb:GetItem", TABLE, **{"dynamodb:LeadingKeys": keys})
    assert decide([OWN_KEYS], request) is decision


def test_for_all_values_holds_when_the_request_names_no_key() -> None:
    """ "The ForAllValues set operator also returns true if there are no
    context keys in the request" (multi-valued context key examples): a
    statement limited to LeadingKeys still allows an action that touches no
    item by key, as it does on AWS."""
    describe = AccessRequest.of("dynamodb:DescribeTable", TABLE)
    assert decide([OWN_KEYS], describe) is Decision.ALLOWED


# ---- what IAM refuses, or this evaluator does not implement ----


@pytest.mark.parametrize(
    "statement",
    [
        {"Effect": "Allow", "Action": "*", "Resource": "*", "Principal": "*"},
        {"Effect": "Allow", "Action": "*", "NotAction": "s3:*", "Resource": "*"},
        {"Effect": "Allow", "Action": "*"},
        {"Effect": "Maybe", "Action": "*", "Resource": "*"},
        allow("*", "*", Condition={"NumericLessThan": {"aws:MultiFactorAuthAge": "3600"}}),
        allow("*", "*", Condition={"ForSomeValues:StringLike": {"k": "v"}}),
    ],
)
def test_a_policy_it_cannot_evaluate_exactly_is_an_error(statement: dict[str, Any]) -> None:
    with pytest.raises(PolicyError):
        read_policy({"Statement": [statement]})
