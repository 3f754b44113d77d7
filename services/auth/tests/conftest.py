from __future__ import annotations

import importlib
import json
import os
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest

# Settings are read once at import, as on Lambda: set them first.
os.environ.update(
    {
        "AWS_DEFAULT_REGION": "us-east-1",
        "AWS_ACCESS_KEY_ID": "testing",
        "AWS_SECRET_ACCESS_KEY": "testing",
        "POWERTOOLS_SERVICE_NAME": "auth",
        # The stack's CloudWatch namespace, which the business metrics are written in.
        "POWERTOOLS_METRICS_NAMESPACE": "serverless-backend/test",
        "STAGE": "test",
        # Unset counts as production, which refuses the dev echo these tests read.
        "PRODUCTION": "false",
        "TABLE_NAME": "app-table",
        "USER_POOL_ID": "placeholder-pool",
        "USER_POOL_CLIENT_ID": "placeholder-client",
        "PRODUCT_NAME": "Acme",
        "OTP_TTL_SECONDS": "300",
        "OTP_MAX_ATTEMPTS": "3",
        # The local runtime's echo of every code, which these tests read.
        "LOCAL_RUNTIME_ECHO_CODES": "true",
        "AUTO_CONFIRM": "false",
        "SEND_RATE_LIMIT": "5",
        "SEND_RATE_WINDOW_SECONDS": "900",
        "SOURCE_SEND_LIMIT": "20",
        "SOURCE_SEND_WINDOW_SECONDS": "3600",
        "STACK_SENDS_PER_HOUR": "100",
        "MAX_FAILED_CODES": "10",
        "SMS_COUNTRIES": "US,CA,GB",
        "TEST_DESTINATIONS": "+15555550100,@example.test",
        # The stack secrets' SSM parameters (the `aws` fixture puts SECRETS there).
        "TICKET_KEY_PARAMETER": "/test/secrets/authTicketKey:1",
        "DESTINATION_KEY_PARAMETER": "/test/secrets/authDestinationKey:1",
        "TEST_CODE_PARAMETER": "/test/secrets/authTestCode:1",
        "EMAIL_SENDER": "no-reply@example.com",
    }
)

import boto3
from fastapi.testclient import TestClient
from moto import mock_aws
from moto.core.models import DEFAULT_ACCOUNT_ID
from moto.ses.models import ses_backends
from moto.sns.models import sns_backends

from auth import service, timing
from auth.app import app
from auth.cognito_identity_provider import CognitoIdentityProvider
from auth.deps import code_rules, get_code_rules, get_identity_provider
from auth.dynamodb_counters import DynamoDbCounters
from auth.dynamodb_pending_users import DynamoDbPendingUsers
from auth.settings import settings
from auth.triggers import create_auth_challenge, otp, pre_sign_up
from cognito_emulator import install_triggers, uninstall_triggers
from cognito_emulator.testing import InProcessInvoker, ManualClock, create_shared_pool
from service_kernel.aws import client as kernel_client
from service_kernel.parameters import forget_secrets
from service_kernel.testing import AsAuthorizedBy, access_claims, create_shared_table
from service_manifest import load_manifest

MANIFEST = load_manifest(Path(__file__).parents[1] / "service.toml")
# The stack secrets' values, as the platform's SSM parameters hold them.
SECRETS = {
    "/test/secrets/authTicketKey": "test-ticket-key",
    "/test/secrets/authDestinationKey": "test-destination-key",
    "/test/secrets/authTestCode": "test-code-key",
}
REGION = "us-east-1"
TABLE = "app-table"
SENDER = "no-reply@example.com"


def function_arn(name: str) -> str:
    return f"arn:aws:lambda:{REGION}:{DEFAULT_ACCOUNT_ID}:function:auth-{name}"


def trigger_handlers() -> dict[str, tuple[str, Callable[..., dict[str, Any]]]]:
    """trigger name → (function ARN, handler), from service.toml, the way the
    platform wires the pool's LambdaConfig."""
    wired = {}
    for function in MANIFEST.functions:
        if function.trigger:
            module, _, attribute = function.handler.rpartition(".")
            handler = getattr(importlib.import_module(module), attribute)
            wired[function.trigger] = (function_arn(function.name), handler)
    return wired


@dataclass
class Aws:
    cognito: Any
    pool_id: str
    client_id: str
    triggers: InProcessInvoker
    clock: ManualClock

    def sms(self) -> list[tuple[str, str]]:
        """(phone number, text) of every SMS published through SNS."""
        return list(sns_backends[DEFAULT_ACCOUNT_ID][REGION].sms_messages.values())

    def emails(self) -> list[Any]:
        """Every e-mail sent through SES (moto Message: source, destinations, subject, body)."""
        return list(ses_backends[DEFAULT_ACCOUNT_ID][REGION].sent_messages)

    def user(self, username: str) -> dict[str, Any]:
        return self.cognito.admin_get_user(  # type: ignore[no-any-return]
            UserPoolId=self.pool_id, Username=username
        )

    def serve_with(self, cognito: Any) -> None:
        """The app's identity provider: Cognito on this pool, through `cognito`;
        its code rules on the table in moto."""
        provider = CognitoIdentityProvider(cognito, self.pool_id, self.client_id)
        app.dependency_overrides[get_identity_provider] = lambda: provider
        dynamodb = kernel_client("dynamodb")
        rules = code_rules(
            settings,
            DynamoDbCounters(dynamodb, TABLE),
            DynamoDbPendingUsers(dynamodb, TABLE),
            destination_key=SECRETS["/test/secrets/authDestinationKey"],
            ticket_key=SECRETS["/test/secrets/authTicketKey"],
        )
        app.dependency_overrides[get_code_rules] = lambda: rules

    def pending(self) -> DynamoDbPendingUsers:
        return DynamoDbPendingUsers(boto3.client("dynamodb", region_name=REGION), TABLE)

    def table_items(self, prefix: str = "") -> list[dict[str, Any]]:
        items = boto3.client("dynamodb", region_name=REGION).scan(TableName=TABLE)["Items"]
        return [item for item in items if item["PK"]["S"].startswith(prefix)]


def create_resources(clock: ManualClock) -> Aws:
    ssm = boto3.client("ssm", region_name=REGION)
    for name, value in SECRETS.items():
        ssm.put_parameter(Name=name, Value=value, Type="SecureString")
    forget_secrets()
    dynamodb = boto3.client("dynamodb", region_name=REGION)
    create_shared_table(dynamodb, TABLE)
    boto3.client("ses", region_name=REGION).verify_email_identity(EmailAddress=SENDER)
    wired = trigger_handlers()
    cognito = boto3.client("cognito-idp", region_name=REGION)
    lambda_config = {trigger: arn for trigger, (arn, _) in wired.items()}
    pool_id, client_id = create_shared_pool(cognito, lambda_config)
    invoker = InProcessInvoker({arn: handler for arn, handler in wired.values()})
    install_triggers(invoker, clock=clock)
    return Aws(cognito, pool_id, client_id, invoker, clock)


@pytest.fixture(autouse=True)
def no_sign_up_floor(monkeypatch: pytest.MonkeyPatch) -> None:
    """Tests do not wait out the equal-time floor (tests/test_timing.py checks it)."""
    monkeypatch.setattr(timing, "SIGN_UP_FLOOR_SECONDS", 0.0)
    monkeypatch.setattr(timing, "START_FLOOR_SECONDS", 0.0)


@pytest.fixture
def clock(monkeypatch: pytest.MonkeyPatch) -> ManualClock:
    """One clock for the triggers' code expiry and Cognito's session expiry."""
    manual = ManualClock()
    monkeypatch.setattr(otp, "now", manual)
    monkeypatch.setattr(service, "now", manual)
    return manual


@pytest.fixture
def aws(clock: ManualClock) -> Iterator[Aws]:
    """The table, pool, client and sender the platform would create, in moto,
    with this service's triggers wired to the pool."""
    with mock_aws():
        resources = create_resources(clock)
        resources.serve_with(kernel_client("cognito-idp"))
        try:
            yield resources
        finally:
            app.dependency_overrides.clear()
            uninstall_triggers()


@pytest.fixture
def no_dev_echo(monkeypatch: pytest.MonkeyPatch) -> None:
    """A deployed stack: no local runtime echoing every code."""
    monkeypatch.setattr(create_auth_challenge.settings, "local_runtime_echo_codes", False)


@pytest.fixture
def auto_confirm(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(pre_sign_up.settings, "auto_confirm", True)
    monkeypatch.setattr(settings, "auto_confirm", True)


@pytest.fixture
def client() -> TestClient:
    return TestClient(app, raise_server_exceptions=False)


@pytest.fixture
def user_client() -> Callable[..., TestClient]:
    """A client the JWT authorizer let in with these claims."""

    def make(sub: str = "user-7", **claims: str) -> TestClient:
        return TestClient(AsAuthorizedBy(app, access_claims(sub, **claims)))

    return make


EVENTS = Path(__file__).parent / "triggers" / "events"


@pytest.fixture
def trigger_event() -> Callable[[str], dict[str, Any]]:
    """A fresh copy of a recorded Cognito trigger event (triggers/events/<name>.json)."""

    def load(name: str) -> dict[str, Any]:
        event: dict[str, Any] = json.loads((EVENTS / f"{name}.json").read_text())
        return event

    return load
