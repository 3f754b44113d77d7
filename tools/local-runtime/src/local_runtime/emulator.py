"""The embedded AWS emulator: moto in server mode on loopback, in this process,
behind the IAM gate (`iam.gate`) that authorises each function's calls and the
account layer (`account`) that refuses what a fresh AWS account refuses.

In this process so the cognito-emulator's patch of moto's cognito-idp backend
(which runs the pool's Lambda triggers) applies, and so the console can read
the SMS and e-mail moto's SNS/SES backends kept. `create` builds the
declared tables, pools, clients, groups, parameters and e-mail identities
from their pulumi-aws inputs, in the order the program's dependencies give
(as the engine would create them), and returns the mock-to-emulator id mapping.

moto keeps its state per process, so one process runs one emulator at a time
(`start` resets it).
"""

from __future__ import annotations

import logging
import re
import threading
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

import boto3
from botocore.exceptions import BotoCoreError, ClientError
from moto.moto_api._internal.models import moto_api_backend
from moto.moto_server.werkzeug_app import (
    DomainDispatcherApplication,
    MotoRequestHandler,
    create_backend_app,
)
from werkzeug.serving import BaseWSGIServer, make_server

from local_runtime import model
from local_runtime.account import FRESH, SET_UP_SMS_ATTRIBUTES, Account, Settings
from local_runtime.iam.gate import IamGate
from local_runtime.model import Declared, Resource

ACCOUNT_ID = "123456789012"  # moto's default account


@dataclass
class Substitutions:
    """The mock's physical ids and ARNs mapped to the emulator's.

    The program resolved every reference (environment values, the
    authorizer's issuer and audience) to the mock's ids; these replace them.
    Short values are only replaced whole, so a one-letter id cannot mangle text.
    """

    mapping: dict[str, str] = field(default_factory=dict)

    def add(self, mock: Any, real: str) -> None:
        if isinstance(mock, str) and mock and mock != real:
            self.mapping[mock] = real

    def apply(self, value: Any) -> Any:
        if isinstance(value, str):
            return self._string(value)
        if isinstance(value, Mapping):
            return {key: self.apply(item) for key, item in value.items()}
        if isinstance(value, list | tuple):
            return [self.apply(item) for item in value]
        return value

    def _string(self, value: str) -> str:
        if value in self.mapping:
            return self.mapping[value]
        long_keys = sorted((k for k in self.mapping if len(k) >= 8), key=len, reverse=True)
        if not long_keys:
            return value
        pattern = re.compile("|".join(re.escape(key) for key in long_keys))
        return pattern.sub(lambda found: self.mapping[found.group(0)], value)

    def resource(self, resource: Declared) -> Resource:
        """The resource with the emulator's ids, and whole numbers as ints (the
        engine hands every number over as a float; boto3 wants ints)."""
        return Resource(
            type=resource.type,
            name=resource.name,
            id=self.apply(resource.id),
            inputs=_whole_numbers(self.apply(resource.inputs)),
            outputs=_whole_numbers(self.apply(resource.outputs)),
        )


def _whole_numbers(value: Any) -> Any:
    if isinstance(value, float) and value.is_integer():
        return int(value)
    if isinstance(value, Mapping):
        return {key: _whole_numbers(item) for key, item in value.items()}
    if isinstance(value, list):
        return [_whole_numbers(item) for item in value]
    return value


@dataclass(frozen=True)
class Created:
    substitutions: Substitutions
    # "<type> <name>: <input keys>" the emulator was not told about.
    settings_not_applied: list[str]


def region_of(resources: Sequence[Declared], default: str = "us-east-1") -> str:
    for resource in resources:
        arn = resource.outputs.get("arn")
        if isinstance(arn, str) and arn.startswith("arn:aws:"):
            region = arn.split(":")[3]
            if region:
                return region
    return default


def account_of(resources: Sequence[Declared]) -> str | None:
    """The account the program's ARNs name (the emulator's is ACCOUNT_ID)."""
    for resource in resources:
        arn = resource.outputs.get("arn")
        if isinstance(arn, str) and arn.startswith("arn:aws:"):
            account = arn.split(":")[4]
            if account:
                return account
    return None


class AtomicDynamoDb:
    """DynamoDB checks a write's condition and applies the write as one atomic
    step (Developer Guide, "Condition expressions"; "Conditional writes"), so of
    two concurrent writes conditioned on one version exactly one wins. moto's
    backend takes no lock: under a threaded server both could. DynamoDB calls
    are served one at a time; other services' calls (a Cognito trigger's own
    DynamoDB call among them) are not held up."""

    def __init__(self, app: Any) -> None:
        self.app = app
        self._lock = threading.Lock()

    def __call__(self, environ: dict[str, Any], start_response: Any) -> Any:
        if not str(environ.get("HTTP_X_AMZ_TARGET", "")).startswith("DynamoDB_"):
            return self.app(environ, start_response)
        with self._lock:
            return list(self.app(environ, start_response))


class AfterEachCall:
    """Runs the listeners once a call is answered and before its answer leaves,
    so what a call did (a message sent) is seen by the time its caller has the
    answer: the console prints a code before the request that sent it returns."""

    def __init__(self, app: Any) -> None:
        self.app = app
        self.listeners: list[Callable[[], None]] = []

    def __call__(self, environ: dict[str, Any], start_response: Any) -> Any:
        answer = list(self.app(environ, start_response))
        for listener in self.listeners:
            listener()
        return answer


class Emulator:
    def __init__(self, region: str, account: Settings = FRESH) -> None:
        self.region = region
        # What moto's ThreadedMotoServer serves, behind the account layer and the IAM gate.
        self.account = Account(
            AtomicDynamoDb(DomainDispatcherApplication(create_backend_app)),
            region=region,
            account_id=ACCOUNT_ID,
            settings=account,
        )
        self.gate = IamGate(self.account, region=region, account=ACCOUNT_ID)
        self._served = AfterEachCall(self.gate)
        self._server: BaseWSGIServer | None = None
        self._thread: threading.Thread | None = None
        self.url = ""
        self._session = boto3.session.Session()
        self._clients: dict[str, Any] = {}
        self._lock = threading.Lock()

    def start(self) -> None:
        self._serve(port=0)
        # moto keeps its state per process: start every run from nothing.
        moto_api_backend.reset()

    def set_up_account(self) -> None:
        """What the one-time account setup (platform/bootstrap) sets: the SMS preferences."""
        self.client("sns").set_sms_attributes(attributes=SET_UP_SMS_ATTRIBUTES)

    def stop(self) -> None:
        if self._server is not None:
            self._server.shutdown()
            self._server.server_close()
            self._server = None
        if self._thread is not None:
            self._thread.join()
            self._thread = None

    def resume(self) -> None:
        """Serve again on the same port after `stop`, with the state moto kept:
        AWS coming back under a running system (the fault tests)."""
        self._serve(port=int(self.url.rsplit(":", 1)[1]))

    def _serve(self, port: int) -> None:
        # moto's server logs every API call through werkzeug; the console has its own lines.
        logging.getLogger("werkzeug").setLevel(logging.ERROR)
        self._server = make_server(
            "127.0.0.1", port, self._served, threaded=True, request_handler=MotoRequestHandler
        )
        self._thread = threading.Thread(
            target=self._server.serve_forever, name="emulator", daemon=True
        )
        self._thread.start()
        self.url = f"http://127.0.0.1:{self._server.server_address[1]}"

    def after_each_call(self, listener: Callable[[], None]) -> Callable[[], None]:
        """Calls `listener` after every call is answered; what it returns stops that."""
        self._served.listeners.append(listener)
        return lambda: self._served.listeners.remove(listener)

    def client(self, service: str) -> Any:
        """One client per service (building one loads the service's model)."""
        with self._lock:
            if service not in self._clients:
                self._clients[service] = self._session.client(
                    service, region_name=self.region, endpoint_url=self.url, **_CREDENTIALS
                )
            return self._clients[service]

    def create(
        self,
        resources: Sequence[Declared],
        kinds: Sequence[str] = model.EMULATED_TYPES,
        substitutions: Substitutions | None = None,
    ) -> Created:
        """Create the resources of these kinds, in this order; ids the mock gave
        them are added to `substitutions` (references to earlier ones resolved)."""
        if substitutions is None:
            substitutions = Substitutions()
            # Policies and ARNs name the program's account; the emulator has its own.
            substitutions.add(account_of(resources), ACCOUNT_ID)
        not_applied: list[str] = []
        for resource in creation_order(resources, kinds):
            kind = model.emulated_kind(resource)
            resolved = substitutions.resource(resource)
            try:
                leftover = _CREATORS[kind](self, resource, resolved, substitutions)
            except (BotoCoreError, ClientError, KeyError) as exc:
                # Said at start, next to what is not modeled; the rest still runs.
                not_applied.append(f"{resource.name}: NOT CREATED: {type(exc).__name__}: {exc}")
                continue
            if leftover:
                not_applied.append(f"{resource.name}: {', '.join(sorted(leftover))}")
        return Created(substitutions, not_applied)


def creation_order(resources: Sequence[Declared], kinds: Sequence[str]) -> list[Declared]:
    """The resources of these kinds, each after every one it depends on (directly or
    through other resources), as the engine orders them; else in the order of `kinds`.
    A resource created too early is refused as AWS would refuse it (`account`)."""
    by_urn = {str(getattr(r, "urn", "")): r for r in resources if getattr(r, "urn", "")}

    def needs(resource: Declared) -> set[str]:
        found: set[str] = set()
        pending = list(getattr(resource, "dependencies", ()))
        while pending:
            urn = pending.pop()
            if urn in found or urn not in by_urn:
                continue
            found.add(urn)
            pending.extend(getattr(by_urn[urn], "dependencies", ()))
        return found

    waiting = sorted(
        (r for r in resources if model.emulated_kind(r) in kinds),
        key=lambda r: kinds.index(model.emulated_kind(r)),
    )
    wanted = {str(getattr(r, "urn", "")) for r in waiting}
    ordered: list[Declared] = []
    done: set[str] = set()
    while waiting:
        ready = next(
            (r for r in waiting if (needs(r) & wanted) <= done), waiting[0]
        )  # a cycle (none in a valid program) falls back to the kinds' order
        waiting.remove(ready)
        ordered.append(ready)
        done.add(str(getattr(ready, "urn", "")))
    return ordered


# The runtime's own key: not a function's, so the gate lets it act as the
# account's administrator (it creates the declared resources).
_CREDENTIALS = {
    "aws_access_key_id": "testing",
    "aws_secret_access_key": "testing",
    "aws_session_token": "testing",
}


# ---- conversions from pulumi-aws inputs to the AWS API ----


def pascal(value: Any) -> Any:
    """camelCase keys to PascalCase, recursively: `allowedOauthFlows` → `AllowedOAuthFlows`."""
    if isinstance(value, Mapping):
        return {_pascal_key(str(key)): pascal(item) for key, item in value.items()}
    if isinstance(value, list | tuple):
        return [pascal(item) for item in value]
    return value


def _pascal_key(key: str) -> str:
    key = key[:1].upper() + key[1:]
    return key.replace("Oauth", "OAuth").replace("Urls", "URLs")


def _take(inputs: Mapping[str, Any], names: Mapping[str, str]) -> dict[str, Any]:
    return {
        api: pascal(inputs[name]) for name, api in names.items() if inputs.get(name) is not None
    }


def _leftover(inputs: Mapping[str, Any], used: set[str]) -> set[str]:
    ignored = {"name", "namePrefix", "tags", "tagsAll", "region", "__defaults"}
    return {k for k, v in inputs.items() if k not in used | ignored and v not in (None, [], {})}


Creator = Callable[["Emulator", Declared, Resource, Substitutions], set[str]]

_TABLE_SETTINGS = {
    "billingMode": "BillingMode",
    "deletionProtectionEnabled": "DeletionProtectionEnabled",
}


def _create_table(
    emulator: Emulator, mock: Declared, resource: Resource, subs: Substitutions
) -> set[str]:
    inputs = resource.inputs
    name = str(resource.outputs.get("name") or inputs.get("name") or resource.id)
    key_schema = [{"AttributeName": inputs["hashKey"], "KeyType": "HASH"}]
    if inputs.get("rangeKey"):
        key_schema.append({"AttributeName": inputs["rangeKey"], "KeyType": "RANGE"})
    dynamodb = emulator.client("dynamodb")
    description = dynamodb.create_table(
        TableName=name,
        AttributeDefinitions=[
            {"AttributeName": a["name"], "AttributeType": a["type"]} for a in inputs["attributes"]
        ],
        KeySchema=key_schema,
        **_take(inputs, _TABLE_SETTINGS),
    )["TableDescription"]
    ttl = inputs.get("ttl") or {}
    if ttl.get("enabled") and ttl.get("attributeName"):
        dynamodb.update_time_to_live(
            TableName=name,
            TimeToLiveSpecification={"Enabled": True, "AttributeName": ttl["attributeName"]},
        )
    recovery = inputs.get("pointInTimeRecovery") or {}
    if recovery.get("enabled"):
        dynamodb.update_continuous_backups(
            TableName=name,
            PointInTimeRecoverySpecification={"PointInTimeRecoveryEnabled": True},
        )
    subs.add(mock.outputs.get("arn"), description["TableArn"])
    subs.add(mock.outputs.get("name") or mock.id, name)
    used = {"attributes", "hashKey", "rangeKey", "ttl", "pointInTimeRecovery", *_TABLE_SETTINGS}
    return _leftover(inputs, used)


_POOL_SETTINGS = {
    "lambdaConfig": "LambdaConfig",
    "usernameAttributes": "UsernameAttributes",
    "aliasAttributes": "AliasAttributes",
    "autoVerifiedAttributes": "AutoVerifiedAttributes",
    "mfaConfiguration": "MfaConfiguration",
    "usernameConfiguration": "UsernameConfiguration",
    "accountRecoverySetting": "AccountRecoverySetting",
    "adminCreateUserConfig": "AdminCreateUserConfig",
    "deletionProtection": "DeletionProtection",
    "smsConfiguration": "SmsConfiguration",
    "userPoolAddOns": "UserPoolAddOns",
    "verificationMessageTemplate": "VerificationMessageTemplate",
    "emailVerificationMessage": "EmailVerificationMessage",
    "emailVerificationSubject": "EmailVerificationSubject",
    "smsAuthenticationMessage": "SmsAuthenticationMessage",
    "smsVerificationMessage": "SmsVerificationMessage",
    "userPoolTier": "UserPoolTier",
}


def _create_user_pool(
    emulator: Emulator, mock: Declared, resource: Resource, subs: Substitutions
) -> set[str]:
    inputs = resource.inputs
    params: dict[str, Any] = {"PoolName": str(inputs.get("name") or resource.name)}
    params.update(_take(inputs, _POOL_SETTINGS))
    policies: dict[str, Any] = {}
    if inputs.get("passwordPolicy"):
        policies["PasswordPolicy"] = pascal(inputs["passwordPolicy"])
    if inputs.get("signInPolicy"):
        policies["SignInPolicy"] = pascal(inputs["signInPolicy"])
    if policies:
        params["Policies"] = policies
    if inputs.get("schemas"):
        params["Schema"] = pascal(inputs["schemas"])
    email = inputs.get("emailConfiguration")
    if email:
        converted = pascal(email)
        if "FromEmailAddress" in converted:
            converted["From"] = converted.pop("FromEmailAddress")
        params["EmailConfiguration"] = converted
    if inputs.get("tags"):
        params["UserPoolTags"] = dict(inputs["tags"])
    updates = inputs.get("userAttributeUpdateSettings")
    if updates:
        # pulumi-aws's list ends in "...Updates"; Cognito's API key does not.
        required = updates.get("attributesRequireVerificationBeforeUpdates") or []
        params["UserAttributeUpdateSettings"] = {
            "AttributesRequireVerificationBeforeUpdate": list(required)
        }
    pool = emulator.client("cognito-idp").create_user_pool(**params)["UserPool"]
    subs.add(mock.outputs.get("arn"), pool["Arn"])
    subs.add(mock.id, pool["Id"])
    used = {
        *_POOL_SETTINGS,
        "passwordPolicy",
        "signInPolicy",
        "schemas",
        "emailConfiguration",
        "userAttributeUpdateSettings",
    }
    return _leftover(inputs, used)


_CLIENT_SETTINGS = {
    "generateSecret": "GenerateSecret",
    "explicitAuthFlows": "ExplicitAuthFlows",
    "accessTokenValidity": "AccessTokenValidity",
    "idTokenValidity": "IdTokenValidity",
    "refreshTokenValidity": "RefreshTokenValidity",
    "tokenValidityUnits": "TokenValidityUnits",
    "preventUserExistenceErrors": "PreventUserExistenceErrors",
    "enableTokenRevocation": "EnableTokenRevocation",
    "authSessionValidity": "AuthSessionValidity",
    "allowedOauthFlows": "AllowedOAuthFlows",
    "allowedOauthScopes": "AllowedOAuthScopes",
    "allowedOauthFlowsUserPoolClient": "AllowedOAuthFlowsUserPoolClient",
    "callbackUrls": "CallbackURLs",
    "logoutUrls": "LogoutURLs",
    "defaultRedirectUri": "DefaultRedirectURI",
    "supportedIdentityProviders": "SupportedIdentityProviders",
    "readAttributes": "ReadAttributes",
    "writeAttributes": "WriteAttributes",
    "enablePropagateAdditionalUserContextData": "EnablePropagateAdditionalUserContextData",
}


# Client settings moto stores but does not enforce: GetUser may read any
# attribute locally (writeAttributes is enforced by the cognito emulator).
_CLIENT_NOT_ENFORCED = ("readAttributes",)


def _create_client(
    emulator: Emulator, mock: Declared, resource: Resource, subs: Substitutions
) -> set[str]:
    inputs = resource.inputs
    params = {
        "UserPoolId": inputs["userPoolId"],
        "ClientName": str(inputs.get("name") or resource.name),
        **_take(inputs, _CLIENT_SETTINGS),
    }
    client = emulator.client("cognito-idp").create_user_pool_client(**params)["UserPoolClient"]
    subs.add(mock.id, client["ClientId"])
    if client.get("ClientSecret"):
        subs.add(mock.outputs.get("clientSecret"), client["ClientSecret"])
    # moto keeps these on the client but never checks them on a call.
    stored_only = {
        f"{key} (stored, not enforced)" for key in _CLIENT_NOT_ENFORCED if inputs.get(key)
    }
    return _leftover(inputs, {"userPoolId", *_CLIENT_SETTINGS}) | stored_only


def _put_parameter(
    emulator: Emulator, mock: Declared, resource: Resource, subs: Substitutions
) -> set[str]:
    inputs = resource.inputs
    value = inputs.get("value", inputs.get("insecureValue", ""))
    params = {
        "Name": str(inputs.get("name") or resource.id),
        "Value": str(value),
        "Type": str(inputs.get("type", "String")),
        "Overwrite": True,
    }
    params.update(_take(inputs, {"description": "Description", "tier": "Tier"}))
    emulator.client("ssm").put_parameter(**params)
    return _leftover(inputs, {"value", "insecureValue", "type", "description", "tier"})


def _verify_identity(
    emulator: Emulator, mock: Declared, resource: Resource, subs: Substitutions
) -> set[str]:
    inputs = resource.inputs
    identity = str(inputs.get("email") or inputs.get("emailIdentity") or "")
    ses = emulator.client("ses")
    if "@" in identity:
        ses.verify_email_identity(EmailAddress=identity)
    else:
        ses.verify_domain_identity(Domain=identity)
    return _leftover(inputs, {"email", "emailIdentity", "configurationSetName"})


_SMS_PREFERENCES = {
    "monthlySpendLimit": "MonthlySpendLimit",
    "defaultSmsType": "DefaultSMSType",
    "defaultSenderId": "DefaultSenderID",
}


def _set_sms_preferences(
    emulator: Emulator, mock: Declared, resource: Resource, subs: Substitutions
) -> set[str]:
    inputs = resource.inputs
    attributes = {
        api: str(inputs[name]) for name, api in _SMS_PREFERENCES.items() if name in inputs
    }
    emulator.client("sns").set_sms_attributes(attributes=attributes)
    return _leftover(inputs, set(_SMS_PREFERENCES))


_CREATORS: dict[str, Creator] = {
    model.TABLE: _create_table,
    model.USER_POOL: _create_user_pool,
    model.USER_POOL_CLIENT: _create_client,
    model.SSM_PARAMETER: _put_parameter,
    model.SECRET_PARAMETER: _put_parameter,
    **dict.fromkeys(model.SES_IDENTITIES, _verify_identity),
    model.SMS_PREFERENCES: _set_sms_preferences,
}
