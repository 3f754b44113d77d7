from __future__ import annotations

import importlib
import json
import os
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any

import pytest

from tests.stack import (
    CLIENT_SECRET_PARAMETER,
    ENVIRONMENT,
    MANIFEST,
    REGION,
    SECRETS,
    SENDER,
    TABLE,
)

# Settings are read once at import, as on Lambda: set them first.
os.environ.update(ENVIRONMENT)

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
from auth.triggers.config import (
    CreateSettings,
    DefineSettings,
    MessageSettings,
    PreSignUpSettings,
    VerifySettings,
)
from auth.triggers.deps import (
    Clock,
    CreateDeps,
    DefineDeps,
    MessageDeps,
    PreSignUpDeps,
    Trigger,
    VerifyDeps,
)
from cognito_emulator import install_triggers, uninstall_triggers
from cognito_emulator.client_secrets import secret_hash
from cognito_emulator.testing import InProcessInvoker, ManualClock, create_shared_pool
from service_kernel.aws import client as kernel_client
from service_kernel.parameters import forget_secrets
from service_kernel.settings import load_settings
from service_kernel.testing import AsAuthorizedBy, access_claims, create_shared_table
from service_manifest import Function


def function_arn(name: str) -> str:
    return f"arn:aws:lambda:{REGION}:{DEFAULT_ACCOUNT_ID}:function:auth-{name}"


def trigger_deps(trigger: str, clock: Clock) -> Any:
    """What each trigger works with here: its settings from this environment,
    the table in moto, and the test's clock."""
    if trigger == "PreSignUp":
        return PreSignUpDeps(load_settings(PreSignUpSettings))
    if trigger == "DefineAuthChallenge":
        return DefineDeps(load_settings(DefineSettings), clock)
    if trigger == "CreateAuthChallenge":
        return replace(CreateDeps.on_table(load_settings(CreateSettings)), clock=clock)
    if trigger == "VerifyAuthChallengeResponse":
        return replace(VerifyDeps.on_table(load_settings(VerifySettings)), clock=clock)
    if trigger == "CustomMessage":
        return replace(MessageDeps.on_table(load_settings(MessageSettings)), clock=clock)
    raise KeyError(trigger)


def entry_point(function: Function) -> Trigger[Any, Any]:
    module, _, attribute = function.handler.rpartition(".")
    entry: Trigger[Any, Any] = getattr(importlib.import_module(module), attribute)
    return entry


@dataclass
class Aws:
    cognito: Any
    pool_id: str
    client_id: str
    triggers: InProcessInvoker
    clock: ManualClock
    # The app client's secret, which only the API holds (as in SSM).
    client_secret: str
    # Each trigger's deps, as its handler is given them (by trigger name).
    deps: dict[str, Any] = field(default_factory=dict)

    def wire(self, trigger: str, deps: Any) -> None:
        """The pool's `trigger` runs its service.toml handler on `deps`."""
        function = next(f for f in MANIFEST.functions if f.trigger == trigger)
        self.deps[trigger] = deps
        self.triggers.handlers[function_arn(function.name)] = entry_point(function).given(deps)

    def trigger(self, trigger: str) -> Callable[[dict[str, Any], Any], dict[str, Any]]:
        """The handler the pool runs for `trigger`, to call as Cognito would."""
        function = next(f for f in MANIFEST.functions if f.trigger == trigger)
        return lambda event, context: self.triggers.handlers[function_arn(function.name)](
            event, context
        )

    def secret_hash(self, username: str) -> str:
        """SECRET_HASH for a call about `username`: Cognito refuses the client's
        calls without it, and only the API holds the secret to make it."""
        return secret_hash(self.client_secret, username, self.client_id)

    def configure(self, trigger: str, **settings: Any) -> None:
        """`trigger`'s settings changed, as another stack's config would change them."""
        deps = self.deps[trigger]
        self.wire(trigger, replace(deps, settings=deps.settings.model_copy(update=settings)))

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
        provider = CognitoIdentityProvider(
            cognito, self.pool_id, self.client_id, client_secret=lambda: self.client_secret
        )
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
    cognito = boto3.client("cognito-idp", region_name=REGION)
    # The pool's LambdaConfig, from service.toml, as the platform wires it.
    triggers = {f.trigger: function_arn(f.name) for f in MANIFEST.functions if f.trigger}
    # The platform's client has a secret, which only the API holds.
    pool_id, client_id = create_shared_pool(cognito, triggers, GenerateSecret=True)
    secret = cognito.describe_user_pool_client(UserPoolId=pool_id, ClientId=client_id)
    client_secret = str(secret["UserPoolClient"]["ClientSecret"])
    ssm.put_parameter(Name=CLIENT_SECRET_PARAMETER, Value=client_secret, Type="SecureString")
    invoker = InProcessInvoker({})
    install_triggers(invoker, clock=clock)
    aws = Aws(cognito, pool_id, client_id, invoker, clock, client_secret)
    for trigger in triggers:
        aws.wire(trigger, trigger_deps(trigger, clock))
    return aws


@pytest.fixture(autouse=True)
def no_sign_up_floor(monkeypatch: pytest.MonkeyPatch) -> None:
    """Tests do not wait out the equal-time floor (tests/test_timing.py checks it)."""
    monkeypatch.setattr(timing, "SIGN_UP_FLOOR_SECONDS", 0.0)
    monkeypatch.setattr(timing, "START_FLOOR_SECONDS", 0.0)


@pytest.fixture
def clock(monkeypatch: pytest.MonkeyPatch) -> ManualClock:
    """One clock for the API, the triggers (their deps) and Cognito's session expiry."""
    manual = ManualClock()
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
def no_dev_echo(aws: Aws) -> None:
    """A deployed stack: no local runtime echoing every code."""
    aws.configure("CreateAuthChallenge", local_runtime_echo_codes=False)


@pytest.fixture
def auto_confirm(aws: Aws, monkeypatch: pytest.MonkeyPatch) -> None:
    aws.configure("PreSignUp", auto_confirm=True)
    monkeypatch.setattr(settings, "auto_confirm", True)


@pytest.fixture
def client(aws: Aws) -> TestClient:
    """The app as the gateway calls it, on the stack in moto: even a test of a
    malformed body, since a route's dependencies (the stack secrets) are read
    before its body is judged, and no test may reach for AWS itself."""
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
