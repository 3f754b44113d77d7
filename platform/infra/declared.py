"""Run the real program for a stack under Pulumi's mocks: no CLI, no AWS.

The tests, the snapshot (`python -m infra.snapshot`) and the local runtime
(`make dev`) all read a stack through `declare()`.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pulumi
import yaml
from pulumi.runtime import config as runtime_config
from pulumi.runtime import settings as runtime_settings
from pulumi.runtime.mocks import MockCallArgs, MockResourceArgs, Mocks, set_mocks
from pulumi.runtime.stack import run_pulumi_func
from pulumi.runtime.sync_await import _sync_await

from infra import program
from infra.bundle import repo_root
from infra.config import PROJECT, SECRET_KEYS, ConfigError, StackConfig, parse_stack_config

MOCK_ACCOUNT = "123456789012"
_CALLER_IDENTITY = "aws:index/getCallerIdentity:getCallerIdentity"
_GET_REGION = "aws:index/getRegion:getRegion"
# How the engine wraps a secret value (pulumi.runtime.rpc).
_SIG_KEY = "4dabf18193072939515e22adb298388d"
_SECRET_SIG = "1b47061264138c4ac30d75fd1eb44270"  # noqa: S105 - a type marker


@dataclass(frozen=True)
class DeclaredResource:
    type: str  # Pulumi type token, e.g. "aws:lambda/function:Function"
    name: str  # Pulumi logical name
    id: str  # the mock's physical id
    inputs: dict[str, Any]  # resolved inputs as the engine receives them, secrets unwrapped
    outputs: dict[str, Any]  # the mock's state (inputs plus id/arn/etc.)
    # Dotted paths of the inputs that were Pulumi secrets (e.g. "environment.variables").
    secret_inputs: frozenset[str] = frozenset()


@dataclass(frozen=True)
class DeclaredStack:
    """One stack as the program declares it, with lookups for tests and tools."""

    stack: str
    config: StackConfig
    resources: list[DeclaredResource]
    outputs: dict[str, Any]

    def of_type(self, token: str) -> list[DeclaredResource]:
        return [resource for resource in self.resources if resource.type == token]

    def one(self, token: str) -> DeclaredResource:
        found = self.of_type(token)
        if len(found) != 1:
            raise LookupError(f"{len(found)} resources of type {token}")
        return found[0]

    def named(self, name: str) -> DeclaredResource:
        for resource in self.resources:
            if resource.name == name:
                return resource
        raise LookupError(name)

    def function(self, service: str, function: str) -> DeclaredResource:
        """A Lambda function by its manifest service and function names (its tags)."""
        for resource in self.of_type("aws:lambda/function:Function"):
            if resource.inputs.get("tags") == {"service": service, "function": function}:
                return resource
        raise LookupError(f"{service}/{function}")

    def policy_documents(self) -> dict[str, dict[str, Any]]:
        """Each role policy's document by its role's name (= the function's name)."""
        return {
            str(resource.inputs["role"]): json.loads(resource.inputs["policy"])
            for resource in self.of_type("aws:iam/rolePolicy:RolePolicy")
        }


def declare_stack(stack: str, **options: Any) -> DeclaredStack:
    """`declare()` with the stack's typed config alongside; same keyword options."""
    resources, outputs = declare(stack, **options)
    config = stack_config(stack, config_file=options.get("config_file"))
    return DeclaredStack(stack=stack, config=config, resources=resources, outputs=outputs)


def stack_file(stack: str, repo: Path | None = None) -> Path:
    return (repo or repo_root()) / f"Pulumi.{stack}.yaml"


def stacks(repo: Path | None = None) -> list[str]:
    """Every stack with a Pulumi.<stack>.yaml, sorted."""
    root = repo or repo_root()
    return sorted(path.name[len("Pulumi.") : -len(".yaml")] for path in root.glob("Pulumi.*.yaml"))


def declare(
    stack: str,
    *,
    config_file: Path | None = None,
    build_bundles: bool = False,
    allow_missing_secrets: bool = False,
    version: str | None = None,
    services_dir: Path | None = None,
) -> tuple[list[DeclaredResource], dict[str, Any]]:
    """Run the real program for `stack` under Pulumi mocks with Pulumi.<stack>.yaml (or
    config_file); return every resource and the stack outputs. With build_bundles=False the
    Lambda code is a placeholder archive so this takes about a second.

    A secret the stack file does not hold in plain text (a fresh clone has none; an
    encrypted `secure:` value needs the CLI) fails naming its key, unless
    `allow_missing_secrets` stands in a clearly-named local-only value. `version`, when
    given, is every service's `${service.version}` instead of its own content version
    (infra.bundle.service_version); `services_dir` replaces `<repo>/services`.
    """
    path = config_file or stack_file(stack)
    config, secret_keys = _read_stack_file(path)
    if not allow_missing_secrets:
        for key in sorted(SECRET_KEYS):
            value = _raw_stack_value(path, f"{PROJECT}:{key}")
            if isinstance(value, dict):
                raise ConfigError(
                    f"{PROJECT}:{key} is encrypted in {path.name}; only the Pulumi CLI can read "
                    "it (allow_missing_secrets=True stands in a local-only value)"
                )
    mocks = _RecordingMocks(region=str(config.get("aws:region", "us-east-1")))

    runtime_settings.ROOT.set(None)
    set_mocks(mocks, project=PROJECT, stack=stack, preview=False)
    runtime_config.set_all_config(config, secret_keys)
    exported: list[dict[str, pulumi.Output[Any]]] = []
    try:
        _sync_await(
            run_pulumi_func(
                lambda: exported.append(
                    program.run(
                        build_bundles=build_bundles,
                        allow_missing_secrets=allow_missing_secrets,
                        version=version,
                        services_dir=services_dir,
                    )
                )
            )
        )
        outputs = {key: _sync_await(value.future()) for key, value in exported[0].items()}
    finally:
        runtime_config.set_all_config({}, [])
        runtime_settings.ROOT.set(None)
    return list(mocks.resources), outputs


def stack_config(stack: str, *, config_file: Path | None = None) -> StackConfig:
    """The typed config of a stack, read from its file the way the program reads it."""
    config, _ = _read_stack_file(config_file or stack_file(stack))
    values = {
        key.partition(":")[2]: value
        for key, value in config.items()
        if key.startswith(f"{PROJECT}:") and key.partition(":")[2] not in SECRET_KEYS
    }
    return parse_stack_config(values, region=config.get("aws:region"))


def _read_stack_file(path: Path) -> tuple[dict[str, str], list[str]]:
    """The stack file's config as the engine passes it: strings, objects as JSON."""
    if not path.is_file():
        raise ConfigError(f"no stack config file {path}")
    data = yaml.safe_load(path.read_text()) or {}
    config: dict[str, str] = {}
    secret_keys: list[str] = []
    for key, value in (data.get("config") or {}).items():
        if isinstance(value, dict) and set(value) == {"secure"}:
            continue  # encrypted: only the Pulumi CLI can read it
        config[key] = value if isinstance(value, str) else json.dumps(value)
        if key.split(":", 1)[-1] in SECRET_KEYS:
            secret_keys.append(key)
    return config, secret_keys


def _raw_stack_value(path: Path, key: str) -> Any:
    data = yaml.safe_load(path.read_text()) or {}
    return (data.get("config") or {}).get(key)


def _unwrap(value: Any, path: str, secrets: set[str]) -> Any:
    """Drop the engine's secret wrappers, keep the values, note where secrets were."""
    if isinstance(value, dict):
        if value.get(_SIG_KEY) == _SECRET_SIG:
            secrets.add(path)
            return _unwrap(value.get("value"), path, secrets)
        return {
            key: _unwrap(item, f"{path}.{key}" if path else str(key), secrets)
            for key, item in value.items()
        }
    if isinstance(value, list):
        return [_unwrap(item, f"{path}[{index}]", secrets) for index, item in enumerate(value)]
    return value


def _slug(text: str) -> str:
    return re.sub(r"[^A-Za-z0-9]+", "-", text).strip("-").lower() or "resource"


class _RecordingMocks(Mocks):
    """Predictable physical ids and ARNs (account 123456789012); records every resource."""

    def __init__(self, region: str) -> None:
        self.region = region
        self.resources: list[DeclaredResource] = []

    def call(self, args: MockCallArgs) -> tuple[dict[str, Any], list[tuple[str, str]]]:
        if args.token == _CALLER_IDENTITY:
            return (
                {
                    "accountId": MOCK_ACCOUNT,
                    "arn": f"arn:aws:iam::{MOCK_ACCOUNT}:user/mock",
                    "userId": "MOCKUSER",
                    "id": MOCK_ACCOUNT,
                },
                [],
            )
        if args.token == _GET_REGION:
            return {"name": self.region, "region": self.region, "id": self.region}, []
        return {}, []

    def new_resource(self, args: MockResourceArgs) -> tuple[str | None, dict[str, Any]]:
        secrets: set[str] = set()
        inputs = _unwrap(dict(args.inputs), "", secrets)
        physical, extra = self._state(args.typ, args.name, inputs)
        outputs = {**inputs, **extra}
        self.resources.append(
            DeclaredResource(
                type=args.typ,
                name=args.name,
                id=physical,
                inputs=inputs,
                outputs=outputs,
                secret_inputs=frozenset(secrets),
            )
        )
        return physical, outputs

    def _state(self, typ: str, name: str, inputs: dict[str, Any]) -> tuple[str, dict[str, Any]]:
        region, account = self.region, MOCK_ACCOUNT
        given = str(inputs.get("name") or name)
        arn = f"arn:aws:mock:{region}:{account}:{_slug(typ)}/{given}"
        extra: dict[str, Any] = {}
        physical = given
        if typ == "aws:dynamodb/table:Table":
            arn = f"arn:aws:dynamodb:{region}:{account}:table/{given}"
        elif typ == "aws:cognito/userPool:UserPool":
            physical = f"{region}_{re.sub(r'[^A-Za-z0-9]', '', given) or 'pool'}"
            arn = f"arn:aws:cognito-idp:{region}:{account}:userpool/{physical}"
            extra["endpoint"] = f"cognito-idp.{region}.amazonaws.com/{physical}"
        elif typ == "aws:cognito/userPoolClient:UserPoolClient":
            physical = f"client-{_slug(given)}"
        elif typ == "aws:apigatewayv2/api:Api":
            physical = f"api-{_slug(given).rsplit('-', 1)[-1]}"
            extra["apiEndpoint"] = f"https://{physical}.execute-api.{region}.amazonaws.com"
            extra["executionArn"] = f"arn:aws:execute-api:{region}:{account}:{physical}"
            arn = f"arn:aws:apigateway:{region}::/apis/{physical}"
        elif typ == "aws:apigatewayv2/stage:Stage":
            api = str(inputs.get("apiId", "api"))
            physical = f"{api}-{given}"
            extra["invokeUrl"] = f"https://{api}.execute-api.{region}.amazonaws.com/"
        elif typ in (
            "aws:apigatewayv2/authorizer:Authorizer",
            "aws:apigatewayv2/integration:Integration",
            "aws:apigatewayv2/route:Route",
        ):
            physical = f"{_slug(name)}-id"
        elif typ == "aws:lambda/function:Function":
            arn = f"arn:aws:lambda:{region}:{account}:function:{given}"
            extra["invokeArn"] = _invoke_arn(region, arn)
            extra["version"] = "1" if inputs.get("publish") else "$LATEST"
            extra["qualifiedArn"] = f"{arn}:{extra['version']}"
        elif typ == "aws:lambda/alias:Alias":
            function = str(inputs.get("functionName", "function"))
            arn = f"arn:aws:lambda:{region}:{account}:function:{function}:{given}"
            physical = arn
            extra["invokeArn"] = _invoke_arn(region, arn)
        elif typ == "aws:cloudwatch/logGroup:LogGroup":
            arn = f"arn:aws:logs:{region}:{account}:log-group:{given}"
        elif typ == "aws:iam/role:Role":
            arn = f"arn:aws:iam::{account}:role/{given}"
        elif typ == "aws:sns/topic:Topic":
            arn = f"arn:aws:sns:{region}:{account}:{given}"
            physical = arn
        elif typ == "aws:ssm/parameter:Parameter":
            arn = f"arn:aws:ssm:{region}:{account}:parameter{given}"
        elif typ == "aws:cloudwatch/metricAlarm:MetricAlarm":
            arn = f"arn:aws:cloudwatch:{region}:{account}:alarm:{given}"
        else:
            physical = f"{_slug(name)}-id"
        extra.setdefault("arn", arn)
        return physical, extra


def _invoke_arn(region: str, function_arn: str) -> str:
    return (
        f"arn:aws:apigateway:{region}:lambda:path/2015-03-31/functions/{function_arn}/invocations"
    )
