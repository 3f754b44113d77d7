"""make preflight: each check against a fake account (the emulated accounts are in
libs/local-runtime/tests/test_preflight.py)."""

from __future__ import annotations

import json
from collections.abc import Mapping
from dataclasses import replace
from typing import Any

import pytest

from infra.operations import preflight
from infra.operations.preflight import COGNITO_EMAIL_ROLE, Result, Stack, load_stack, run_checks
from infra.repo import repo_root
from service_manifest import find_manifests


class NotFound(Exception):
    def __init__(self, code: str) -> None:
        super().__init__(code)
        self.response = {"Error": {"Code": code, "Message": "not found"}}


class Denied(Exception):
    def __init__(self) -> None:
        super().__init__("User: x is not authorized to perform: y")
        self.response = {"Error": {"Code": "AccessDenied", "Message": "not authorized"}}


DEPLOY_POLICY = {
    "Statement": [
        {
            "Effect": "Allow",
            "Action": ["iam:CreateServiceLinkedRole"],
            "Resource": ["arn:aws:iam::1:role/aws-service-role/email.cognito-idp.amazonaws.com/x"],
            "Condition": {
                "StringEquals": {"iam:AWSServiceName": "email.cognito-idp.amazonaws.com"}
            },
        }
    ]
}


class FakeAccount:
    """An account whose setup is done, each answer changeable by a test."""

    def __init__(self, **answers: Any) -> None:
        self.answers: dict[str, Any] = {
            "sts.get_caller_identity": {"Account": "111122223333", "Arn": "arn:aws:iam::1:user/me"},
            "ses.get_identity_verification_attributes": lambda Identities: {
                "VerificationAttributes": {i: {"VerificationStatus": "Success"} for i in Identities}
            },
            "sesv2.get_account": {"ProductionAccessEnabled": True},
            "sns.get_sms_sandbox_account_status": {"IsInSandbox": False},
            "sns.get_sms_attributes": {"attributes": {"MonthlySpendLimit": "1000"}},
            "sns.list_origination_numbers": {
                "PhoneNumbers": [
                    {"Iso2CountryCode": c, "NumberCapabilities": ["SMS"], "Status": "ACTIVE"}
                    for c in ("US", "CA")
                ]
            },
            "iam.get_role": {"Role": {"RoleName": COGNITO_EMAIL_ROLE}},
            "iam.get_role_policy": NotFound("NoSuchEntity"),
            "route53.get_hosted_zone": {"HostedZone": {"Name": "example.com."}},
            "lambda.get_account_settings": {"AccountLimit": {"ConcurrentExecutions": 1000}},
            "iam.get_policy": {"Policy": {"PolicyName": "serverless-backend-function-boundary"}},
        }
        self.answers.update({key.replace("__", "."): value for key, value in answers.items()})
        self.calls: list[str] = []

    def __call__(self, service: str) -> Any:
        account = self

        class Client:
            def __getattr__(self, operation: str) -> Any:
                def call(**params: Any) -> Any:
                    key = f"{service}.{operation}"
                    account.calls.append(key)
                    answer = account.answers[key]
                    if isinstance(answer, Exception):
                        raise answer
                    return answer(**params) if callable(answer) else answer

                return call

        return Client()


def _stack(name: str, **raw: Any) -> Stack:
    stack = load_stack(name)
    return replace(stack, raw={**stack.raw, **raw}) if raw else stack


def _results(stack: Stack, account: FakeAccount) -> dict[str, Result]:
    return {result.check: result for result in run_checks(stack, account)}


def _real_values(raw: Mapping[str, Any]) -> dict[str, Any]:
    """prod's file with its example values replaced, as a team would."""
    text = (
        json.dumps(dict(raw))
        .replace("example.com", "acme.io")
        .replace("Z0123456789EXAMPLE0", "Z0ACME")
        .replace(":123456789012:", ":111122223333:")
    )
    loaded: dict[str, Any] = json.loads(text)
    return loaded


def test_an_account_whose_setup_is_done_takes_every_stack() -> None:
    for name in ("dev", "prod"):
        stack = _stack(name)
        stack = replace(stack, raw=_real_values(stack.raw))
        results = _results(stack, FakeAccount())
        assert [r.line() for r in results.values() if not r.ok] == [], name
        assert set(results) == {
            check.__name__.removeprefix("check_").replace("_", "-") for check in preflight.CHECKS
        }


def test_every_line_starts_ok_or_fail_and_a_failure_says_its_fix() -> None:
    results = run_checks(_stack("prod"), FakeAccount(sesv2__get_account={}))
    for result in results:
        line = result.line()
        assert line.startswith("ok   " if result.ok else "FAIL ")
        assert result.ok or ("-- fix: " in line and result.fix)


def test_the_placeholders_of_the_committed_prod_file_are_named() -> None:
    result = _results(_stack("prod"), FakeAccount())["placeholders"]
    assert not result.ok
    for found in ("api.hostedZoneId=Z0123456789EXAMPLE0", "api.domain=api.example.com"):
        assert found in result.detail
    # Test destinations are fictional on purpose; dev may keep example.com.
    assert "testDestinations" not in result.detail
    assert _results(_stack("dev"), FakeAccount())["placeholders"].ok


def test_an_identity_that_is_not_verified_is_named_with_how_to_verify_it() -> None:
    stack = _stack("prod")
    identity = preflight.sending_identity(stack.config)
    pending = FakeAccount(
        ses__get_identity_verification_attributes={
            "VerificationAttributes": {identity: {"VerificationStatus": "Pending"}}
        }
    )
    result = _results(stack, pending)["ses-identity"]
    assert not result.ok
    assert identity in result.detail
    assert "Pending" in result.detail
    missing = FakeAccount(ses__get_identity_verification_attributes={"VerificationAttributes": {}})
    result = _results(stack, missing)["ses-identity"]
    assert not result.ok
    assert "no SES identity" in result.detail
    assert "create" in result.fix


def test_production_must_be_out_of_both_sandboxes_and_dev_need_not() -> None:
    sandboxed = FakeAccount(
        sesv2__get_account={"ProductionAccessEnabled": False},
        sns__get_sms_sandbox_account_status={"IsInSandbox": True},
    )
    prod = _results(_stack("prod"), sandboxed)
    assert not prod["ses-sandbox"].ok
    assert not prod["sms-sandbox"].ok
    dev = _results(_stack("dev"), sandboxed)
    assert dev["ses-sandbox"].ok
    assert dev["sms-sandbox"].ok


def test_the_accounts_sms_spend_limit_must_reach_what_the_stack_expects() -> None:
    stack = _stack("prod")
    expected = stack.config.sms.monthly_spend_limit
    low = FakeAccount(sns__get_sms_attributes={"attributes": {"MonthlySpendLimit": "1"}})
    result = _results(stack, low)["sms-spend-limit"]
    assert not result.ok
    assert f"${expected}" in result.detail
    assert "quota" in result.fix
    unset = FakeAccount(sns__get_sms_attributes={"attributes": {}})
    assert "bootstrap" in _results(stack, unset)["sms-spend-limit"].fix


def test_us_and_canadian_destinations_need_an_origination_number() -> None:
    stack = _stack("dev")
    assert {"US", "CA"} <= set(stack.config.auth.sms_countries)
    only_us = FakeAccount(
        sns__list_origination_numbers={
            "PhoneNumbers": [{"Iso2CountryCode": "US", "NumberCapabilities": ["SMS"]}]
        }
    )
    result = _results(stack, only_us)["sms-origination"]
    assert not result.ok
    assert "CA" in result.detail
    assert "US" not in result.detail
    no_sms = replace(stack, manifests=())
    assert _results(no_sms, only_us)["sms-origination"].ok


def test_cognitos_email_role_exists_or_the_deploy_role_may_create_it() -> None:
    stack = _stack("dev")
    none = FakeAccount(iam__get_role=NotFound("NoSuchEntity"))
    result = _results(stack, none)["cognito-email-role"]
    assert not result.ok
    assert "create-service-linked-role" in result.fix
    may = FakeAccount(
        iam__get_role=NotFound("NoSuchEntity"),
        iam__get_role_policy={"PolicyDocument": json.dumps(DEPLOY_POLICY)},
    )
    assert _results(stack, may)["cognito-email-role"].ok


def test_a_boundary_the_stack_names_must_exist_and_only_dev_may_name_none() -> None:
    gone = FakeAccount(iam__get_policy=NotFound("NoSuchEntity"))
    result = _results(_stack("prod"), gone)["permissions-boundary"]
    assert not result.ok
    assert "bootstrap" in result.fix
    dev = _results(_stack("dev"), gone)["permissions-boundary"]
    assert dev.ok
    assert "any policy" in dev.detail


def test_a_domain_needs_its_zone_and_a_stack_without_one_needs_none() -> None:
    stack = _stack("prod")
    gone = FakeAccount(route53__get_hosted_zone=NotFound("NoSuchHostedZone"))
    result = _results(stack, gone)["hosted-zone"]
    assert not result.ok
    assert str(stack.config.api.hosted_zone_id) in result.detail
    other = FakeAccount(route53__get_hosted_zone={"HostedZone": {"Name": "other.org."}})
    assert not _results(stack, other)["hosted-zone"].ok
    # The zone of api.example.com alone cannot hold example.com's DKIM records.
    narrow = FakeAccount(route53__get_hosted_zone={"HostedZone": {"Name": "api.example.com."}})
    result = _results(stack, narrow)["hosted-zone"]
    assert not result.ok
    assert "example.com is not in" in result.detail
    assert _results(_stack("dev"), gone)["hosted-zone"].ok


def test_a_new_accounts_reduced_concurrency_fails_the_apis_burst() -> None:
    stack = _stack("prod")
    reduced = FakeAccount(
        lambda__get_account_settings={"AccountLimit": {"ConcurrentExecutions": 10}}
    )
    result = _results(stack, reduced)["lambda-concurrency"]
    assert not result.ok
    assert str(stack.config.api.throttling_burst_limit) in result.detail
    assert "L-B99A9384" in result.fix


def test_a_read_the_caller_may_not_make_fails_its_check_and_only_that() -> None:
    results = _results(_stack("dev"), FakeAccount(lambda__get_account_settings=Denied()))
    assert not results["lambda-concurrency"].ok
    assert "could not check" in results["lambda-concurrency"].detail
    assert "AccessDenied" in results["lambda-concurrency"].detail
    assert "lambda:GetAccountSettings" in results["lambda-concurrency"].detail
    assert results["ses-identity"].ok


def test_preflight_only_reads() -> None:
    account = FakeAccount()
    run_checks(_stack("prod"), account)
    verbs = {call.split(".", 1)[1].split("_", 1)[0] for call in account.calls}
    assert verbs <= {"get", "list"}


def test_the_stack_sends_sms_when_a_service_may_publish_sms() -> None:
    manifests = find_manifests(repo_root() / "services")
    assert _stack("dev").manifests == manifests
    assert _stack("dev").sends_sms


@pytest.mark.parametrize("document", [DEPLOY_POLICY, json.dumps(DEPLOY_POLICY)])
def test_a_deploy_policy_is_read_parsed_or_as_iam_returns_it(document: Any) -> None:
    assert preflight.may_create_cognito_email_role(document)
    from urllib.parse import quote

    assert preflight.may_create_cognito_email_role(quote(json.dumps(DEPLOY_POLICY)))
    assert not preflight.may_create_cognito_email_role({"Statement": []})
