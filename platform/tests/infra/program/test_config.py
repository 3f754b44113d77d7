"""The typed stack config: every stack file parses; a wrong value names its key."""

from __future__ import annotations

import json
import math
import re
from pathlib import Path
from typing import Any

import pytest
import yaml
from pydantic import BaseModel

from infra.program.config import ConfigError, StackConfig, parse_stack_config
from infra.program.stack_files import stack_config, stack_file, stacks
from infra.repo import repo_root

STACKS = stacks()


def _raw(stack: str) -> dict[str, Any]:
    data = yaml.safe_load(stack_file(stack).read_text())["config"]
    return {
        key.partition(":")[2]: value
        for key, value in data.items()
        if key.startswith("serverless-backend:")
    }


def _with(stack: str, dotted: str, value: Any) -> dict[str, Any]:
    raw = _raw(stack)
    *parents, last = dotted.split(".")
    node = raw
    for part in parents:
        node = node.setdefault(part, {})
    node[last] = value
    return raw


def test_there_are_dev_and_prod_stacks() -> None:
    assert {"dev", "prod"} <= set(stacks())


@pytest.mark.parametrize("stack", STACKS)
def test_every_stack_file_is_valid(stack: str) -> None:
    config = stack_config(stack)

    assert isinstance(config, StackConfig)
    assert config.region


def test_prod_is_production_and_locked_down() -> None:
    config = stack_config("prod")

    assert config.production
    assert not config.enable_docs
    assert not config.auth.auto_confirm
    assert config.table.point_in_time_recovery
    assert config.table.deletion_protection


def test_dev_is_developer_friendly() -> None:
    config = stack_config("dev")

    assert not config.production
    assert config.auth.auto_confirm
    assert "http://localhost:3000" in config.api.cors_allow_origins


@pytest.mark.parametrize(
    ("dotted", "value"),
    [
        ("auth.otpTtlSeconds", "soon"),
        ("auth.emailSender", "not-an-address"),
        ("functions.architecture", "sparc"),
        ("logRetentionDays", 17),
        ("api.throttlingBurstLimit", -1),
        ("table.pointInTimeRecovery", "maybe"),
        ("permissionsBoundaryArn", "function-boundary"),
        ("auth.testDestinations", ["555-0100"]),
        ("permissionsBoundaryArn", "arn:aws:iam::123456789012:role/not-a-policy"),
        ("userPool.accessTokenValidityMinutes", 60),  # logout cannot reach them: 15 at most
        ("auth.smsCountries", ["GB", "uk"]),
        ("auth.smsCountries", []),
        ("auth.testDestinations", ["+447911123456"]),  # a real number, not a fictional one
        ("auth.testDestinations", ["someone@gmail.com"]),
        ("auth.maxFailedCodes", 0),
        ("sms.monthlySpendLimit", 0),
        ("sms.alarmMonthToDateSpend", 0),
        ("auth.alarmFailedCodesPerHour", 0),
        ("auth.alarmStackBudgetSpentPerHour", -1),
        ("auth.trustedDays", 0),
        ("auth.stackSmsPerHour", 0),
        ("auth.stackEmailsPerHour", 0),
        ("api.domain", "https://api.example.com"),
        ("api.domain", "API.example.com"),
        ("api.domain", "localhost"),
        ("api.hostedZoneId", "example.com"),
    ],
)
def test_a_wrong_value_fails_naming_its_key(dotted: str, value: Any) -> None:
    with pytest.raises(ConfigError, match=rf"serverless-backend:{dotted.replace('.', '[.]')}"):
        parse_stack_config(_with("dev", dotted, value), region="eu-west-1")


def test_an_unknown_key_fails_naming_it() -> None:
    with pytest.raises(ConfigError, match=r"auth\.otpTTL"):
        parse_stack_config(_with("dev", "auth.otpTTL", 30), region="eu-west-1")


def test_a_missing_required_key_fails_naming_it() -> None:
    raw = _raw("dev")
    del raw["auth"]["emailSender"]

    with pytest.raises(ConfigError, match=r"auth\.emailSender"):
        parse_stack_config(raw, region="eu-west-1")


@pytest.mark.parametrize(
    ("dotted", "value"),
    [
        ("auth.autoConfirm", True),
        ("enableDocs", True),
        ("table.pointInTimeRecovery", False),
        ("table.deletionProtection", False),
    ],
)
def test_a_production_stack_refuses_unsafe_settings(dotted: str, value: Any) -> None:
    with pytest.raises(ConfigError, match=dotted.replace(".", "[.]")):
        parse_stack_config(_with("prod", dotted, value), region="eu-west-1")


def test_a_production_stack_without_a_permissions_boundary_is_refused() -> None:
    """Its deploy role could otherwise create a role with any policy for a function."""
    raw = _raw("prod")
    del raw["permissionsBoundaryArn"]

    with pytest.raises(ConfigError, match="permissionsBoundaryArn must be set"):
        parse_stack_config(raw, region="eu-west-1")
    assert stack_config("dev").permissions_boundary_arn is None  # dev may omit it


def test_values_arrive_as_pulumi_hands_them_over_as_strings() -> None:
    as_json = {key: json.dumps(value) for key, value in _raw("dev").items()}

    assert parse_stack_config(as_json, region="eu-west-1") == stack_config("dev")


def test_defaults_are_the_documented_ones() -> None:
    raw = _raw("dev")
    del raw["auth"]["otpTtlSeconds"], raw["auth"]["otpMaxAttempts"]

    config = parse_stack_config(raw, region="eu-west-1")

    assert config.auth.otp_ttl_seconds == 300
    assert config.auth.otp_max_attempts == 3


def test_value_at_reads_a_camel_case_path() -> None:
    config = stack_config("dev")

    assert config.value_at("auth.otpTtlSeconds") == config.auth.otp_ttl_seconds
    assert config.value_at("enableDocs") is True
    with pytest.raises(KeyError):
        config.value_at("auth.nope")


def test_a_stack_file_that_is_missing_fails_naming_it(tmp_path: Path) -> None:
    with pytest.raises(ConfigError, match=r"Pulumi\.nope\.yaml"):
        stack_config("nope", config_file=tmp_path / "Pulumi.nope.yaml")


def _paths(model: type[BaseModel], prefix: str = "") -> list[str]:
    paths = []
    for name, field in model.model_fields.items():
        key = prefix + (field.alias or name)
        annotation = field.annotation
        if isinstance(annotation, type) and issubclass(annotation, BaseModel):
            paths.extend(_paths(annotation, f"{key}."))
        else:
            paths.append(key)
    return paths


def test_docs_config_md_lists_every_key() -> None:
    documented = (repo_root() / "docs" / "config.md").read_text()
    keys = [key for key in _paths(StackConfig) if key != "region"]

    assert keys
    missing = [key for key in keys if f"`{key}`" not in documented]
    assert missing == []


@pytest.mark.parametrize("stack", STACKS)
def test_access_tokens_live_fifteen_minutes_at_most_on_every_stack(stack: str) -> None:
    assert stack_config(stack).user_pool.access_token_validity_minutes <= 15


@pytest.mark.parametrize("stack", STACKS)
def test_one_source_cannot_reach_forty_sends_in_a_window(stack: str) -> None:
    assert stack_config(stack).auth.source_send_limit < 40


@pytest.mark.parametrize(
    "entry", ["+15555550100", "+12125550199", "@example.com", "qa@example.org", "a@b.example.test"]
)
def test_test_destinations_are_fictional_numbers_and_reserved_domains(entry: str) -> None:
    parse_stack_config(_with("dev", "auth.testDestinations", [entry]), region="eu-west-1")


def test_the_quick_starts_number_is_a_test_destination_of_dev() -> None:
    assert "+15555550100" in stack_config("dev").auth.test_destinations


@pytest.mark.parametrize("stack", STACKS)
def test_guessing_a_code_succeeds_at_most_once_in_ten_thousand_days(stack: str) -> None:
    """Issue 18: the chance that guessing succeeds against one destination in a
    day, under the worst mix of the stack's budgets (services/auth/README.md,
    "Guessing codes: the arithmetic")."""
    auth = stack_config(stack).auth
    answers = min(
        2 * auth.max_failed_codes,
        auth.otp_max_attempts
        * auth.send_rate_limit
        * (math.ceil(86400 / auth.send_rate_window_seconds) + 1),
    )
    assert auth.guessing_odds_per_day == answers / 10**6
    assert auth.guessing_odds_per_day <= 1e-4


def test_a_failed_code_ceiling_that_lets_guessing_succeed_too_often_is_refused() -> None:
    with pytest.raises(ConfigError, match=r"maxFailedCodes.*odds 0\.0001[0-9]* a day"):
        parse_stack_config(_with("dev", "auth.maxFailedCodes", 51), region="eu-west-1")
    parse_stack_config(_with("dev", "auth.maxFailedCodes", 50), region="eu-west-1")


def test_a_source_budget_wider_than_the_stacks_is_refused() -> None:
    raw = _with("dev", "auth.sourceSendLimit", 500)
    with pytest.raises(ConfigError, match="sourceSendLimit"):
        parse_stack_config(raw, region="eu-west-1")
    # Each channel's stack budget bounds it: e-mail's wider budget does not widen it.
    raw = _with("dev", "auth.sourceSendLimit", 150)
    with pytest.raises(ConfigError, match="stackSmsPerHour"):
        parse_stack_config(raw, region="eu-west-1")


@pytest.mark.parametrize(
    ("values", "message"),
    [
        ({"domain": "api.example.com"}, "api.domain and api.hostedZoneId are set together"),
        ({"hostedZoneId": "Z0123456789ABC"}, "api.domain and api.hostedZoneId are set together"),
        ({"disableExecuteApiEndpoint": True}, "api.disableExecuteApiEndpoint needs api.domain"),
    ],
)
def test_a_custom_domain_comes_with_its_zone(values: dict[str, Any], message: str) -> None:
    raw = _raw("dev")
    raw["api"] = {**raw["api"], **values}

    with pytest.raises(ConfigError, match=re.escape(message)):
        parse_stack_config(raw, region="eu-west-1")


def test_prod_has_a_custom_domain_and_dev_the_execute_api_url() -> None:
    prod, dev = stack_config("prod").api, stack_config("dev").api

    assert (prod.domain, prod.disable_execute_api_endpoint) == ("api.example.com", True)
    assert prod.hosted_zone_id
    assert (dev.domain, dev.hosted_zone_id, dev.disable_execute_api_endpoint) == (
        None,
        None,
        False,
    )


def test_the_sms_spend_alarm_fires_before_sns_stops_sending() -> None:
    raw = _raw("dev")
    raw["sms"] = {**raw["sms"], "alarmMonthToDateSpend": raw["sms"]["monthlySpendLimit"]}

    with pytest.raises(ConfigError, match="alarmMonthToDateSpend must be below"):
        parse_stack_config(raw, region="eu-west-1")


def test_a_gradual_deployment_needs_the_alarms_that_watch_it() -> None:
    raw = {
        "auth": {"emailSender": "a@example.com"},
        "functions": {"deployment": "canary10Percent5Minutes"},
        "alarms": {"enabled": False},
    }
    with pytest.raises(ConfigError, match=r"alarms\.enabled must be true"):
        parse_stack_config(raw, region="eu-west-1")
    raw["functions"] = {"deployment": "allAtOnce"}
    assert parse_stack_config(raw, region="eu-west-1").functions.publishes_versions is False
