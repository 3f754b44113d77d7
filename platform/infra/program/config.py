"""The typed, validated stack config: read once, from `Pulumi.<stack>.yaml`.

Every setting that differs between stacks lives here, with what it means
(`Field(description=…)`); `make docs` writes docs/config.md from it.
Keys are the camelCase names of the stack file (`serverless-backend:<key>`);
nested objects are pydantic models of their own. A wrong value fails with an
error naming the dotted key, e.g. `auth.otpTtlSeconds`.
"""

from __future__ import annotations

import json
import math
import re
from collections.abc import Mapping
from typing import Annotated, Any, Literal

from pydantic import (
    BaseModel,
    ConfigDict,
    Field,
    StringConstraints,
    ValidationError,
    model_validator,
)
from pydantic.alias_generators import to_camel

from infra.program.stack_file_errors import bad_config
from service_manifest.user_errors import UserError

PROJECT = "serverless-backend"

# Plain enough for SES and SNS, strict enough to catch a typo.
_EMAIL = r"^[^@\s]+@[^@\s]+\.[A-Za-z]{2,}$"
# An IAM managed policy's ARN, in any partition.
_POLICY_ARN = r"^arn:aws[a-z-]*:iam::\d{12}:policy/.+$"
# Fictional destinations only, so a test destination can never be someone's:
# NANP's 555-0100 to 555-0199 (any area code) and the reserved domains of
# RFC 2606 / RFC 6761.
_TEST_PHONE = r"^\+1\d{3}55501\d{2}$"
_TEST_EMAIL = (
    r"^([^@\s]+)?@([a-z0-9-]+\.)*(example\.(com|net|org)|[a-z0-9-]+\.(test|example|invalid))$"
)
# ISO 3166-1 alpha-2.
_REGION = r"^[A-Z]{2}$"
# A lower-case DNS host name of two labels or more (RFC 1123), e.g. api.example.com.
_HOST = r"^([a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?\.)+[a-z]{2,63}$"
# A Route 53 hosted zone id, as the console and `aws route53 list-hosted-zones` show it.
_HOSTED_ZONE_ID = r"^Z[A-Z0-9]{1,31}$"
DAY = 24 * 3600
# How many one-time codes there are: auth's are 6 digits, uniform (auth.triggers.otp).
CODES = 1_000_000
# Issue 18: guessing codes succeeds against one destination at most this often a day.
MAX_GUESSING_ODDS_PER_DAY = 1e-4


class ConfigError(UserError, ValueError):
    """A stack config value is missing or wrong; the message names the key."""


class _Model(BaseModel):
    model_config = ConfigDict(
        alias_generator=to_camel,
        populate_by_name=True,
        extra="forbid",
        frozen=True,
        strict=False,
    )


# What docs/config.md calls a value each pattern admits.
PATTERN_NAMES = {
    _EMAIL: "e-mail address",
    _POLICY_ARN: "IAM policy ARN",
    _REGION: "ISO 3166-1 alpha-2 region",
    _HOST: "lower-case host name",
    _HOSTED_ZONE_ID: "Route 53 hosted zone id (`Z…`)",
    f"{_TEST_PHONE}|{_TEST_EMAIL}": (
        "fictional phone number (`+1NXX55501XX`), or e-mail address or `@domain` at a "
        "reserved domain (`example.com/.net/.org`, `*.test`, `*.example`, `*.invalid`)"
    ),
}


class FunctionDefaults(_Model):
    """defaults of every Lambda function

    A service's `service.toml` may override `timeout` and `memory` per function.
    """

    architecture: Literal["arm64", "x86_64"] = Field(
        default="arm64", description="CPU architecture; also the target of the bundle's wheels"
    )
    memory: int = Field(default=512, ge=128, le=10240, description="memory size, in MB")
    timeout: int = Field(
        default=10,
        ge=1,
        le=900,
        description="timeout, in seconds (the API integration waits at most 30 s)",
    )
    log_level: Literal["DEBUG", "INFO", "WARNING", "ERROR"] = Field(
        default="INFO", description="`POWERTOOLS_LOG_LEVEL` of every function"
    )
    tracing: Literal["Active", "PassThrough"] = Field(
        default="PassThrough",
        description=(
            "X-Ray tracing mode. Active adds the X-Ray upload permission and turns the "
            "functions' Powertools Tracer on (`POWERTOOLS_TRACE_DISABLED=false`); PassThrough "
            "leaves it off (nothing upstream samples: HTTP APIs do not trace)"
        ),
    )
    snap_start: bool = Field(
        default=False,
        description="SnapStart on published versions, invoked through the `live` alias",
    )
    deployment: Literal["allAtOnce", "canary10Percent5Minutes", "linear10PercentEvery1Minute"] = (
        Field(
            default="canary10Percent5Minutes",
            description=(
                "how a new version takes the `live` alias's traffic in the deploy's release "
                "step, once it is Active: at once, 10% for five minutes then the rest, or 10% "
                "more every minute, watched by each function's error and latency alarms and "
                "rolled back when one fires (deploy.md, Releases and rollback); anything but "
                "allAtOnce publishes versions behind `live` and needs `alarms.enabled`"
            ),
        )
    )

    @property
    def publishes_versions(self) -> bool:
        """Each change is a new published version, invoked through the `live` alias."""
        return self.snap_start or self.deployment != "allAtOnce"


class ApiConfig(_Model):
    """the HTTP API"""

    throttling_rate_limit: float = Field(
        default=50,
        gt=0,
        description=(
            "steady-state rate (requests per second) of the `$default` stage's default "
            "route settings"
        ),
    )
    throttling_burst_limit: int = Field(default=100, gt=0, description="burst of the same")
    cors_allow_origins: tuple[str, ...] = Field(
        default=(),
        description=(
            "CORS allowed origins. The allowed and exposed headers are no config: the "
            "platform's own (`CORS_ALLOW_HEADERS`, `CORS_EXPOSE_HEADERS` in "
            "platform/infra/program/components/api.py) plus those each service adds in its "
            "`service.toml`'s `[cors]` (items: `if-match`; `etag`, `location`)"
        ),
    )
    cors_max_age_seconds: int = Field(
        default=600, ge=0, le=86400, description="how long browsers cache a preflight, in seconds"
    )
    domain: str | None = Field(
        default=None,
        pattern=_HOST,
        max_length=253,
        description=(
            "the API's custom domain: the program declares its ACM certificate (validated by "
            "DNS in `api.hostedZoneId`), a regional API Gateway domain name (TLS 1.2 minimum) "
            "mapped to the `$default` stage, and a Route 53 alias record; `api_url` and its "
            "SSM parameter become `https://<domain>/`. Unset: the execute-api URL "
            "([deploy.md, Custom domain](deploy.md#custom-domain))"
        ),
    )
    hosted_zone_id: str | None = Field(
        default=None,
        pattern=_HOSTED_ZONE_ID,
        description=(
            "the public hosted zone `api.domain` is in; set with `api.domain` or not at all. "
            "By id, so the program looks nothing up and the CI roles may change records of "
            "this zone only"
        ),
    )
    disable_execute_api_endpoint: bool = Field(
        default=False,
        description=(
            "needs `api.domain`: the execute-api URL answers 403, so clients reach the API "
            "through the domain only"
        ),
    )

    @model_validator(mode="after")
    def _a_domain_needs_its_zone(self) -> ApiConfig:
        if (self.domain is None) != (self.hosted_zone_id is None):
            raise ValueError("api.domain and api.hostedZoneId are set together, or neither")
        if self.disable_execute_api_endpoint and self.domain is None:
            raise ValueError(
                "api.disableExecuteApiEndpoint needs api.domain: the API would have no URL"
            )
        return self


class UserPoolConfig(_Model):
    """the Cognito user pool and app client

    Fixed for every stack: sign-in with e-mail or phone number, user-existence
    errors prevented, token revocation on, a confidential client (its secret
    only the auth API holds) allowing `ALLOW_CUSTOM_AUTH`,
    `ALLOW_USER_PASSWORD_AUTH`, `ALLOW_REFRESH_TOKEN_AUTH`;
    the client's auth session validity derived from `auth.otpTtlSeconds` (rounded
    up to minutes, within Cognito's 3 to 15), so a code is never answered
    `session_expired` before it expires; clients may write only `email`
    (`write_attributes`), and a changed e-mail counts only once verified
    (`user_attribute_update_settings`: Cognito keeps the old value until then);
    account recovery `admin_only` (Cognito refuses ForgotPassword: the API never
    offers it, and it would e-mail any account's address outside every budget);
    with `emailSender: ses`, Cognito's own e-mails go through SES
    (`email_sending_account = "DEVELOPER"`) from `auth.emailSender`, with the
    `sourceArn` of the identity the stack declares (`auth.emailIdentity`), taken from
    that resource's output, so the pool is created after it.
    """

    email_sender: Literal["cognito", "ses"] = Field(
        default="cognito",
        description=(
            "how the pool sends its own mail (sign-up confirmations, a changed address's "
            "code): `ses` through the stack's SES identity (`auth.emailIdentity`), from "
            "`auth.emailSender`, which must be verified before the pool is created or "
            "changed (Cognito refuses it otherwise); `cognito` with Cognito's default sender "
            "(`no-reply@verificationemail.com`, 50 mails a day). Keep `cognito` for a first "
            "`pulumi up` in an account where the identity is not verified yet, and switch to "
            "`ses` once `make preflight` says it is (docs/deploy.md, First-deploy checklist). "
            "The auth service's one-time codes go through SES either way"
        ),
    )
    password_minimum_length: int = Field(default=12, ge=8, le=99, description="password policy")
    password_require_lowercase: bool = Field(default=True, description="password policy")
    password_require_uppercase: bool = Field(default=True, description="password policy")
    password_require_numbers: bool = Field(default=True, description="password policy")
    password_require_symbols: bool = Field(default=False, description="password policy")
    access_token_validity_minutes: int = Field(
        default=15,
        ge=5,
        le=15,
        description=(
            "access token lifetime, in minutes: logout (`GlobalSignOut`) cannot reach an "
            "access token at the gateway's JWT authorizer, so it lives 15 minutes at most; "
            "clients refresh for more (`make dev` honours it too)"
        ),
    )
    id_token_validity_minutes: int = Field(
        default=60, ge=5, le=1440, description="ID token lifetime, in minutes"
    )
    refresh_token_validity_days: int = Field(
        default=30, ge=1, le=3650, description="refresh token lifetime, in days"
    )


class TableConfig(_Model):
    """the DynamoDB table

    Fixed: `PK`/`SK` strings, on-demand billing, server-side encryption, TTL on `expires_at`.
    """

    point_in_time_recovery: bool = Field(
        default=True, description="PITR backups (must be true when `production`)"
    )
    deletion_protection: bool = Field(
        default=True,
        description=(
            "DynamoDB deletion protection and Pulumi `protect` (must be true when `production`)"
        ),
    )


class ItemsConfig(_Model):
    """the items service"""

    cursor_ttl_seconds: int = Field(
        default=3600,
        ge=60,
        le=604800,
        description="how long a list cursor stays valid, in seconds",
    )


class AuthConfig(_Model):
    """the auth service: one-time codes, their budgets, their senders"""

    product_name: str = Field(
        default="Serverless Backend",
        min_length=1,
        max_length=60,
        description="name in one-time-code messages",
    )
    otp_ttl_seconds: int = Field(
        default=300,
        ge=60,
        le=900,
        description=(
            "one-time code lifetime, in seconds; the app client's auth session validity "
            "follows it (3 to 15 minutes)"
        ),
    )
    otp_max_attempts: int = Field(
        default=3,
        ge=1,
        le=10,
        description="wrong answers before a code (one sign-in session) is void",
    )
    auto_confirm: bool = Field(
        default=False,
        description="confirm sign-ups without a code (refused when `production`)",
    )
    send_rate_limit: int = Field(
        default=5,
        ge=1,
        le=100,
        description=(
            "codes sent per destination per window, checked before anything is created or "
            "sent (the API's budget; the create trigger keeps its own count too)"
        ),
    )
    send_rate_window_seconds: int = Field(
        default=900, ge=60, le=86400, description="that window, in seconds"
    )
    source_send_limit: int = Field(
        default=10,
        ge=1,
        le=1000,
        description=(
            "codes asked for per source IP (`requestContext.http.sourceIp`) per window, "
            "whatever the destination; at most `auth.stackSmsPerHour` and `auth.stackEmailsPerHour`"
        ),
    )
    source_send_window_seconds: int = Field(
        default=3600, ge=60, le=86400, description="that window, in seconds"
    )
    signup_source_limit: int = Field(
        default=5,
        ge=1,
        le=1000,
        description=(
            "password sign-ups (`/auth/signup`) per source IP per window: each may make "
            "Cognito e-mail a confirmation code"
        ),
    )
    signup_source_window_seconds: int = Field(
        default=3600, ge=60, le=86400, description="that window, in seconds"
    )
    stack_sms_per_hour: int = Field(
        default=100,
        ge=1,
        le=100000,
        description=(
            "codes sent by SMS by the whole stack per hour (the API and the create trigger "
            "each count it); spent, it stops SMS codes only"
        ),
    )
    stack_emails_per_hour: int = Field(
        default=200,
        ge=1,
        le=100000,
        description="the same for codes sent by e-mail; spent, it stops e-mailed codes only",
    )
    trusted_days: int = Field(
        default=30,
        ge=1,
        le=365,
        description=(
            "a destination that signed in by code within this many days still gets its "
            "code when its channel's stack budget is spent (within its own destination "
            "budget)"
        ),
    )
    alarm_stack_budget_spent_per_hour: int = Field(
        default=0,
        ge=0,
        description=(
            "alarm (to the alarm topic) when more code requests than this meet a spent "
            "stack budget in an hour (auth's `StackBudgetSpent` metric); 0: at the first"
        ),
    )
    max_failed_codes: int = Field(
        default=40,
        ge=3,
        le=100,
        description=(
            "wrong codes per destination, across sessions and sources, in a fixed 24-hour "
            "window; then `/auth/start` and `/auth/verify` answer 429 `too_many_attempts` "
            "for it, even with the right code. Each source also backs off on its own wrong "
            "codes for a destination (after 3, waits doubling from a minute), so a "
            "stranger's guesses do not stop its owner. The stack is refused when "
            "`min(2 * maxFailedCodes, otpMaxAttempts * sendRateLimit * "
            "(ceil(86400 / sendRateWindowSeconds) + 1)) / 10**6`, the odds that guessing "
            "succeeds against one destination in a day, is above 1e-4 (auth README, "
            '"Guessing codes: the arithmetic"). Test destinations are never counted off '
            "production"
        ),
    )
    alarm_failed_codes_per_hour: int = Field(
        default=50,
        ge=1,
        description=(
            "alarm (to the alarm topic) when more wrong codes than this are entered in an "
            "hour, stack-wide (auth's `CodesFailed` metric; someone guessing codes shows "
            "here before any lockout)"
        ),
    )
    sms_countries: tuple[Annotated[str, StringConstraints(pattern=_REGION)], ...] = Field(
        default=("GB", "IE", "FR", "DE", "NL", "US", "CA"),
        min_length=1,
        description=(
            "the only regions SMS may go to (a mobile number of one of them); anything else "
            "is 422 `unsupported_destination`"
        ),
    )
    test_destinations: tuple[
        Annotated[str, StringConstraints(pattern=f"{_TEST_PHONE}|{_TEST_EMAIL}")], ...
    ] = Field(
        default=(),
        description=(
            "never sent a message and counted by no send budget (off production no failed "
            "code counts against them either, so nobody can lock the smoke test out); their "
            "code is `dev_otp` where the stack is not production, "
            "and on production a fixed code derived from the `authTestCode` stack secret. "
            "The smoke test signs in with them, and only with them "
            "(`infra.operations.smoke_sign_in`)"
        ),
    )
    email_sender: str = Field(
        pattern=_EMAIL,
        description="SES sender; the auth role may send as this address or its domain",
    )
    email_identity: str | None = Field(
        default=None,
        max_length=253,
        description=(
            "the SES identity the stack declares (`aws:sesv2/emailIdentity`, resource "
            "`email-sender`) and the pool's `sourceArn` names (Cognito checks that exact "
            "identity): `auth.emailSender`, its domain or a parent domain; unset, the "
            "address. An address is verified by the link SES mails to it (that mailbox must "
            "receive mail); a domain by its three DKIM records, which the program publishes "
            "in `api.hostedZoneId` when the stack has one (the zone must be the domain's or "
            "a parent's), else by hand"
        ),
    )

    @property
    def sending_identity(self) -> str:
        """The SES identity the stack declares: `emailIdentity`, else `emailSender`."""
        return self.email_identity or self.email_sender

    @model_validator(mode="after")
    def _the_identity_covers_the_sender(self) -> AuthConfig:
        identity = self.email_identity
        if identity is None or identity == self.email_sender:
            return self
        domain = self.email_sender.rpartition("@")[2].lower()
        if not re.fullmatch(_HOST, identity) or not (
            domain == identity or domain.endswith(f".{identity}")
        ):
            raise ValueError(
                f"auth.emailIdentity {identity!r} must be auth.emailSender, its domain or a "
                "parent domain of it: SES sends only as what the identity covers"
            )
        return self

    @model_validator(mode="after")
    def _one_budget_is_not_wider_than_the_whole(self) -> AuthConfig:
        if self.source_send_limit > min(self.stack_sms_per_hour, self.stack_emails_per_hour):
            raise ValueError(
                "auth.sourceSendLimit cannot exceed auth.stackSmsPerHour or auth.stackEmailsPerHour"
            )
        return self

    @model_validator(mode="after")
    def _guessing_a_code_stays_unlikely(self) -> AuthConfig:
        if self.guessing_odds_per_day > MAX_GUESSING_ODDS_PER_DAY:
            raise ValueError(
                f"auth.maxFailedCodes, auth.otpMaxAttempts, auth.sendRateLimit and "
                f"auth.sendRateWindowSeconds let guessing a code against one destination "
                f"succeed with odds {self.guessing_odds_per_day:.2g} a day, above "
                f"{MAX_GUESSING_ODDS_PER_DAY:g} (services/auth/README.md)"
            )
        return self

    @property
    def guessing_odds_per_day(self) -> float:
        """The chance that guessing codes succeeds against one destination in any
        24 hours, under the worst mix of budgets (services/auth/README.md,
        "Guessing codes: the arithmetic"): each wrong answer is one of the
        10^6 codes ruled out, so the odds are at most the answers tried over 10^6.
        Answers are bounded twice: by the destination's failed-code ceiling (24
        hours touch at most two of its fixed windows), and by the codes its send
        budget lets out in 24 hours (a span touches at most ceil(86400 / W) + 1
        windows) times the answers each code takes."""
        ceiling = 2 * self.max_failed_codes
        codes = self.send_rate_limit * (math.ceil(DAY / self.send_rate_window_seconds) + 1)
        return min(ceiling, codes * self.otp_max_attempts) / CODES


class SmsConfig(_Model):
    """what the stack expects of the account's SMS settings (SNS)

    The account's SMS preferences are one per account and region, so no stack declares
    them: the bootstrap sets them (`smsMonthlySpendLimit`, docs/ci-cd.md), and
    `make preflight` checks the account's limit reaches this stack's.
    """

    monthly_spend_limit: int = Field(
        default=1,
        ge=1,
        le=100000,
        description=(
            "the account's monthly SMS spend limit this stack expects, in USD (the "
            "dashboard draws it; `make preflight` fails while the account's is lower). A new "
            "account's quota is USD 1 and SNS refuses a limit above it: raise the quota with "
            "an AWS support case first, then the bootstrap's `smsMonthlySpendLimit`. SNS "
            "stops sending every SMS of the account in the region once the month's spend "
            "reaches the limit"
        ),
    )
    alarm_sends_per_hour: int = Field(
        default=100,
        ge=1,
        description=(
            "alarm (to the alarm topic) when more SMS than this went to phone numbers in "
            "one hour (`AWS/SNS` `NumberOfNotificationsDelivered` + "
            "`NumberOfNotificationsFailed`, dimension `PhoneNumber=PhoneNumberDirect`)"
        ),
    )
    alarm_month_to_date_spend: float = Field(
        default=0.8,
        gt=0,
        description=(
            "alarm (to the alarm topic) when the month's SMS spend so far, in USD, exceeds "
            "this (`AWS/SNS` `SMSMonthToDateSpentUSD`, Maximum over an hour; account-wide "
            "in the region), before SNS stops sending at the limit; below "
            "`sms.monthlySpendLimit`"
        ),
    )

    @model_validator(mode="after")
    def _the_spend_alarm_fires_before_the_limit(self) -> SmsConfig:
        if self.alarm_month_to_date_spend >= self.monthly_spend_limit:
            raise ValueError(
                "sms.alarmMonthToDateSpend must be below sms.monthlySpendLimit: at the "
                "limit SNS has already stopped sending"
            )
        return self


class AlarmsConfig(_Model):
    """CloudWatch alarms to one SNS topic

    Besides these, the topic gets the abuse alarms configured elsewhere: SMS sends
    per hour (`sms.alarmSendsPerHour`), the month's SMS spend
    (`sms.alarmMonthToDateSpend`), and each business metric a service alarms on in
    its `service.toml` (`alarm_per_hour`, e.g. auth's wrong codes per hour,
    `auth.alarmFailedCodesPerHour`). Every alarm's state is on the stack's
    dashboard ([deploy.md, The dashboard](deploy.md#the-dashboard)).
    """

    enabled: bool = Field(default=True, description="declare the topic and alarms at all")
    email: str | None = Field(
        default=None,
        pattern=_EMAIL,
        description="subscribed to the topic (the owner confirms the subscription)",
    )
    api_5xx_rate_percent: float = Field(
        default=5,
        gt=0,
        le=100,
        alias="api5xxRatePercent",
        description="alarm when 5xx answers exceed this share of API requests, in percent",
    )
    function_errors: int = Field(
        default=1,
        ge=1,
        description=(
            "alarm per function when its `Errors` sum, less its refusals (a trigger "
            "saying no on purpose: the kernel's `Refusals`), reaches this"
        ),
    )
    function_throttles: int = Field(
        default=1, ge=1, description="alarm per function when its `Throttles` sum reaches this"
    )
    table_throttled_requests: int = Field(
        default=1,
        ge=1,
        description="alarm when read + write throttle events on the table reach this",
    )
    period_seconds: int = Field(default=300, ge=60, description="alarm period, in seconds")
    evaluation_periods: int = Field(
        default=1, ge=1, le=24, description="periods over the threshold before the alarm fires"
    )


class StackConfig(_Model):
    """Everything a stack decides. Defaults are the safe (production) choice.

    The stack secrets the services name, all generated by the program:
    `itemsCursorKey` (items: cursor signing), and auth's `authTicketKey` (the API's
    short-lived ticket to the create-auth-challenge trigger, which sends a code
    only with one), `authDestinationKey` (HMAC key of every destination and
    source-IP hash in the table, so stored hashes cannot be reversed by hashing
    candidate numbers) and `authTestCode` (on production stacks each test
    destination's fixed 6-digit code is derived from it; the smoke test reads it
    from its parameter).
    """

    region: str = Field(min_length=1, description="AWS region of every resource")
    production: bool = Field(
        default=False,
        description=(
            "marks a production stack: refuses `enableDocs`, `auth.autoConfirm` = true and "
            "`table.pointInTimeRecovery`, `table.deletionProtection` = false and no "
            "`permissionsBoundaryArn`; turns on the user pool's deletion protection, and "
            "`protect` and `retainOnDelete` on the pool and the table (a change that would "
            "replace or delete them fails, or leaves them in AWS; the policy pack refuses "
            "them unprotected); test destinations get a fixed code (never echoed)"
        ),
    )
    enable_docs: bool = Field(
        default=False,
        description=(
            "each service serves Swagger UI at `/docs/<service>` (its files, from the "
            "function itself, at `/docs/<service>/assets/{asset}`) and its OpenAPI document "
            "at `/docs/<service>/openapi.json` (its OpenAPI function alone gets "
            "`ENABLE_DOCS`), and the program routes those three paths, public, to the "
            "service's API function. Off, neither exists on the stack. `make dev` serves "
            "Swagger UI for every service at `/_local/docs/<service>` whatever this says"
        ),
    )
    log_retention_days: Literal[
        1, 3, 5, 7, 14, 30, 60, 90, 120, 150, 180, 365, 400, 545, 731, 1827, 3653
    ] = Field(
        default=30,
        description="retention of every log group (functions and API access logs), in days",
    )
    permissions_boundary_arn: str | None = Field(
        default=None,
        pattern=_POLICY_ARN,
        description=(
            "set as the permissions boundary of every role the program creates (the "
            "functions' and the schedules' roles): the bootstrap's boundary (its output "
            "`permissions_boundary_arn`, docs/ci-cd.md). Required on a production stack: its "
            "deploy role could otherwise create a role with any policy and hand it to a "
            "function. Off production it may be left out, and `pulumi up` and the bootstrap "
            "warn. With one, the stack's deploy role may create and change only roles "
            "carrying it (the bootstrap refuses a stack whose value differs from the "
            "account's)"
        ),
    )
    functions: FunctionDefaults = FunctionDefaults()
    api: ApiConfig = ApiConfig()
    user_pool: UserPoolConfig = UserPoolConfig()
    table: TableConfig = TableConfig()
    items: ItemsConfig = ItemsConfig()
    auth: AuthConfig
    sms: SmsConfig = SmsConfig()
    alarms: AlarmsConfig = AlarmsConfig()

    @model_validator(mode="after")
    def _a_gradual_deployment_is_watched(self) -> StackConfig:
        if self.functions.deployment != "allAtOnce" and not self.alarms.enabled:
            raise ValueError(
                f"functions.deployment {self.functions.deployment} shifts traffic while the "
                "functions' alarms watch it: alarms.enabled must be true (or deploy allAtOnce)"
            )
        return self

    @model_validator(mode="after")
    def _production_is_locked_down(self) -> StackConfig:
        if not self.production:
            return self
        refused = {
            "auth.autoConfirm": self.auth.auto_confirm,
            "enableDocs": self.enable_docs,
        }
        for key, value in refused.items():
            if value:
                raise ValueError(f"{key} must be false on a production stack")
        if self.permissions_boundary_arn is None:
            # Else the deploy role may create a role with any policy and hand it to a
            # function: a path to the account's administrator.
            raise ValueError(
                "permissionsBoundaryArn must be set on a production stack (the bootstrap's "
                "permissions_boundary_arn output, docs/ci-cd.md)"
            )
        for key, value in {
            "table.pointInTimeRecovery": self.table.point_in_time_recovery,
            "table.deletionProtection": self.table.deletion_protection,
        }.items():
            if not value:
                raise ValueError(f"{key} must be true on a production stack")
        return self

    def value_at(self, dotted: str) -> Any:
        """The typed value at a camelCase dotted path, e.g. `auth.otpTtlSeconds`:
        what `${config.<path>}` names in a service.toml."""
        value: Any = self
        for part in dotted.split("."):
            field = _field_by_key(value, part)
            if field is None:
                raise KeyError(dotted)
            value = getattr(value, field)
        return value


def _field_by_key(model: object, key: str) -> str | None:
    """The attribute a stack file's key names on `model` (None: no such key)."""
    if not isinstance(model, BaseModel):
        return None
    for name, info in type(model).model_fields.items():
        if key == (info.alias or name):
            return name
    return None


def parse_stack_config(raw: Mapping[str, Any], *, region: str | None) -> StackConfig:
    """Validate the project's config values (keys without the project prefix)."""
    data = {key: _decode(value) for key, value in raw.items()}
    if region is not None:
        data["region"] = region
    try:
        return StackConfig.model_validate(data)
    except ValidationError as exc:
        raise ConfigError(bad_config(exc, StackConfig, PROJECT)) from None


def _decode(value: Any) -> Any:
    """Pulumi hands config to the program as strings; objects and numbers as JSON."""
    if not isinstance(value, str):
        return value
    try:
        return json.loads(value)
    except ValueError:
        return value
