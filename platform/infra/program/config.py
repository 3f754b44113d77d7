"""The typed, validated stack config: read once, from `Pulumi.<stack>.yaml`.

Every setting that differs between stacks lives here and in docs/config.md.
Keys are the camelCase names of the stack file (`serverless-backend:<key>`);
nested objects are pydantic models of their own. A wrong value fails with an
error naming the dotted key, e.g. `auth.otpTtlSeconds`.
"""

from __future__ import annotations

import json
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

from infra.stack_file_errors import bad_config
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


class FunctionDefaults(_Model):
    architecture: Literal["arm64", "x86_64"] = "arm64"
    memory: int = Field(default=512, ge=128, le=10240)
    timeout: int = Field(default=10, ge=1, le=900)
    log_level: Literal["DEBUG", "INFO", "WARNING", "ERROR"] = "INFO"
    tracing: Literal["Active", "PassThrough"] = "PassThrough"
    # SnapStart on published versions; the API then invokes the `live` alias.
    snap_start: bool = False


class ApiConfig(_Model):
    throttling_rate_limit: float = Field(default=50, gt=0)
    throttling_burst_limit: int = Field(default=100, gt=0)
    cors_allow_origins: tuple[str, ...] = ()
    cors_max_age_seconds: int = Field(default=600, ge=0, le=86400)
    # A custom domain for the API (a regional API Gateway domain name, its ACM
    # certificate and a Route 53 alias in `hostedZoneId`); unset: the execute-api URL.
    domain: str | None = Field(default=None, pattern=_HOST, max_length=253)
    # The public Route 53 hosted zone `domain` is in, by id: the program looks
    # nothing up, and the CI roles may change records of this zone only.
    hosted_zone_id: str | None = Field(default=None, pattern=_HOSTED_ZONE_ID)
    # With a domain: only the domain answers (the execute-api URL returns 403).
    disable_execute_api_endpoint: bool = False

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
    password_minimum_length: int = Field(default=12, ge=8, le=99)
    password_require_lowercase: bool = True
    password_require_uppercase: bool = True
    password_require_numbers: bool = True
    password_require_symbols: bool = False
    # Logout cannot reach an access token at the gateway (the JWT authorizer
    # never sees GlobalSignOut): a short life bounds what a stolen one is worth.
    access_token_validity_minutes: int = Field(default=15, ge=5, le=15)
    id_token_validity_minutes: int = Field(default=60, ge=5, le=1440)
    refresh_token_validity_days: int = Field(default=30, ge=1, le=3650)


class TableConfig(_Model):
    point_in_time_recovery: bool = True
    deletion_protection: bool = True


class ItemsConfig(_Model):
    cursor_ttl_seconds: int = Field(default=3600, ge=60, le=604800)


class AuthConfig(_Model):
    product_name: str = Field(default="Serverless Backend", min_length=1, max_length=60)
    # The app client's auth session validity follows it (3 to 15 minutes).
    otp_ttl_seconds: int = Field(default=300, ge=60, le=900)
    otp_max_attempts: int = Field(default=3, ge=1, le=10)
    auto_confirm: bool = False
    # Send budgets, checked before anything is created or sent.
    send_rate_limit: int = Field(default=5, ge=1, le=100)
    send_rate_window_seconds: int = Field(default=900, ge=60, le=86400)
    source_send_limit: int = Field(default=10, ge=1, le=1000)
    source_send_window_seconds: int = Field(default=3600, ge=60, le=86400)
    stack_sends_per_hour: int = Field(default=200, ge=1, le=100000)
    # Wrong codes per destination in 24 hours before it is locked.
    max_failed_codes: int = Field(default=10, ge=3, le=100)
    # Alarm when more wrong codes than this are entered in an hour, stack-wide:
    # someone guessing codes shows here before any lockout does.
    alarm_failed_codes_per_hour: int = Field(default=50, ge=1)
    # Regions SMS may go to (ISO 3166-1 alpha-2); every other is refused.
    sms_countries: tuple[Annotated[str, StringConstraints(pattern=_REGION)], ...] = Field(
        default=("GB", "IE", "FR", "DE", "NL", "US", "CA"), min_length=1
    )
    # Fictional phone numbers and addresses (or `@domain`s) the auth service never
    # sends a message: their code is echoed off production, a fixed code on it. The
    # smoke test signs in with them, reading them only through infra.operations.smoke_sign_in.
    test_destinations: tuple[
        Annotated[str, StringConstraints(pattern=f"{_TEST_PHONE}|{_TEST_EMAIL}")], ...
    ] = ()
    email_sender: str = Field(pattern=_EMAIL)

    @model_validator(mode="after")
    def _one_budget_is_not_wider_than_the_whole(self) -> AuthConfig:
        if self.source_send_limit > self.stack_sends_per_hour:
            raise ValueError("auth.sourceSendLimit cannot exceed auth.stackSendsPerHour")
        return self


class SmsConfig(_Model):
    """The account's SMS settings (SNS), which the program declares."""

    # USD per month; SNS stops sending SMS when the month's spend reaches it.
    monthly_spend_limit: int = Field(default=10, ge=1, le=100000)
    # Alarm when more SMS than this go out in one hour.
    alarm_sends_per_hour: int = Field(default=100, ge=1)
    # Alarm when the month's SMS spend so far (USD) exceeds this, before SNS stops
    # sending at `monthlySpendLimit`.
    alarm_month_to_date_spend: float = Field(default=8, gt=0)

    @model_validator(mode="after")
    def _the_spend_alarm_fires_before_the_limit(self) -> SmsConfig:
        if self.alarm_month_to_date_spend >= self.monthly_spend_limit:
            raise ValueError(
                "sms.alarmMonthToDateSpend must be below sms.monthlySpendLimit: at the "
                "limit SNS has already stopped sending"
            )
        return self


class AlarmsConfig(_Model):
    enabled: bool = True
    # Optional e-mail subscribed to the alarm topic (confirmed by its owner).
    email: str | None = Field(default=None, pattern=_EMAIL)
    api_5xx_rate_percent: float = Field(default=5, gt=0, le=100, alias="api5xxRatePercent")
    function_errors: int = Field(default=1, ge=1)
    function_throttles: int = Field(default=1, ge=1)
    table_throttled_requests: int = Field(default=1, ge=1)
    period_seconds: int = Field(default=300, ge=60)
    evaluation_periods: int = Field(default=1, ge=1, le=24)


class StackConfig(_Model):
    """Everything a stack decides. Defaults are the safe (production) choice."""

    region: str = Field(min_length=1)
    production: bool = False
    enable_docs: bool = False
    log_retention_days: Literal[
        1, 3, 5, 7, 14, 30, 60, 90, 120, 150, 180, 365, 400, 545, 731, 1827, 3653
    ] = 30
    # A permissions boundary set on every role the program creates. Where the CI
    # bootstrap's deploy role may only create roles carrying a boundary, set the same one.
    permissions_boundary_arn: str | None = Field(default=None, pattern=_POLICY_ARN)
    functions: FunctionDefaults = FunctionDefaults()
    api: ApiConfig = ApiConfig()
    user_pool: UserPoolConfig = UserPoolConfig()
    table: TableConfig = TableConfig()
    items: ItemsConfig = ItemsConfig()
    auth: AuthConfig
    sms: SmsConfig = SmsConfig()
    alarms: AlarmsConfig = AlarmsConfig()

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
