"""Run the real program for a stack under Pulumi's mocks: no CLI, no AWS.

The tests, the snapshot (`python -m infra.offline.snapshot`) and the local runtime
(`make dev`) all read a stack through `declare()`.
"""

from __future__ import annotations

import hashlib
import json
import re
from collections.abc import Callable
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any

from pulumi.runtime.mocks import MockCallArgs, MockResourceArgs, Mocks

from infra.offline import engine
from infra.program.config import PROJECT, StackConfig
from infra.program.main import run
from infra.program.stack_files import StackFile, read_stack_file, stack_file

MOCK_ACCOUNT = "123456789012"
# A generated secret's value under the mocks (and so in `make dev`): plainly not a real one.
# Word characters only: Cognito takes it as an app client secret (`[\w+]+`).
MOCK_SECRET = "local_only_{digest}"  # noqa: S105 - a format, not a secret
_CALLER_IDENTITY = "aws:index/getCallerIdentity:getCallerIdentity"
_GET_REGION = "aws:index/getRegion:getRegion"


@dataclass(frozen=True)
class DeclaredResource:
    type: str  # Pulumi type token, e.g. "aws:lambda/function:Function"
    name: str  # Pulumi logical name
    id: str  # the mock's physical id
    inputs: dict[str, Any]  # resolved inputs as the engine receives them, secrets unwrapped
    outputs: dict[str, Any]  # the mock's state (inputs plus id/arn/etc.)
    # Dotted paths of the inputs that were Pulumi secrets (e.g. "value").
    secret_inputs: frozenset[str] = frozenset()
    # As the engine names it, e.g. "urn:pulumi:dev::serverless-backend::aws:...::name".
    urn: str = ""
    # The URNs of the resources it waits for (its inputs' and its depends_on).
    dependencies: frozenset[str] = frozenset()


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
        """Each function role's policy document by its role's name (= the function's name)."""
        return {
            role: document
            for role, document in self.all_policy_documents().items()
            if not role.endswith(SCHEDULE_ROLE_SUFFIX)
        }

    def schedule_policy_documents(self) -> dict[str, dict[str, Any]]:
        """Each schedule role's policy document by its role's name (`<function>-schedule`)."""
        return {
            role: document
            for role, document in self.all_policy_documents().items()
            if role.endswith(SCHEDULE_ROLE_SUFFIX)
        }

    def all_policy_documents(self) -> dict[str, dict[str, Any]]:
        return {
            str(resource.inputs["role"]): json.loads(resource.inputs["policy"])
            for resource in self.of_type("aws:iam/rolePolicy:RolePolicy")
        }


SCHEDULE_ROLE_SUFFIX = "-schedule"


def declare_stack(stack: str, **options: Any) -> DeclaredStack:
    """`declare()` with the stack's typed config alongside; same keyword options."""
    stack_file_ = read_stack_file(options.get("config_file") or stack_file(stack))
    resources, outputs = declare(stack, **options, _stack_file=stack_file_)
    return DeclaredStack(
        stack=stack, config=stack_file_.config(), resources=resources, outputs=outputs
    )


def declare(
    stack: str,
    *,
    config_file: Path | None = None,
    build_bundles: bool = False,
    version: str | None = None,
    services_dir: Path | None = None,
    _stack_file: StackFile | None = None,
) -> tuple[list[DeclaredResource], dict[str, Any]]:
    """Run the real program for `stack` under Pulumi mocks with Pulumi.<stack>.yaml (or
    config_file); return every resource and the stack outputs. With build_bundles=False the
    Lambda code is a placeholder archive so this takes about a second.

    The stack's generated secrets get the mock's local-only values (`MOCK_SECRET`).
    `version`, when given, is every service's `${service.version}` instead of its own
    content version (infra.bundles.bundle.service_version); `services_dir` replaces
    `<repo>/services`.
    """
    file = _stack_file or read_stack_file(config_file or stack_file(stack))
    file.config()  # a bad file fails here, naming its key, before the program runs
    mocks = _RecordingMocks(region=str(file.values.get("aws:region", "us-east-1")))
    registrations: dict[tuple[str, str], engine.Registration] = {}
    exported = engine.run_with_mocks(
        lambda: run(build_bundles=build_bundles, version=version, services_dir=services_dir),
        mocks,
        project=PROJECT,
        stack=stack,
        config=file.values,
        secret_keys=(),
        registrations=registrations,
    )
    outputs = {key: engine.resolve(value) for key, value in exported.items()}
    resources = [
        replace(
            resource,
            urn=registrations[(resource.type, resource.name)].urn,
            dependencies=registrations[(resource.type, resource.name)].dependencies,
        )
        for resource in mocks.resources
    ]
    return resources, outputs


def _unwrap(value: Any, path: str, secrets: set[str]) -> Any:
    """Drop the engine's secret wrappers, keep the values, note where secrets were."""
    if isinstance(value, dict):
        if engine.is_secret_wrapper(value):
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
        mocked = _Mocked(typ, name, inputs, self.region)
        state = _STATE.get(typ)
        if state is None:
            return f"{_slug(name)}-id", {"arn": mocked.arn}
        physical, arn, extra = state(mocked)
        return physical or mocked.given, {**extra, "arn": arn or mocked.arn}


@dataclass(frozen=True)
class _Mocked:
    """One resource the mocks are asked to create, and the defaults of its state."""

    typ: str
    name: str
    inputs: dict[str, Any]
    region: str
    account: str = MOCK_ACCOUNT

    @property
    def given(self) -> str:
        """Its name as declared, else its logical name: the default physical id."""
        return str(self.inputs.get("name") or self.name)

    @property
    def arn(self) -> str:
        return f"arn:aws:mock:{self.region}:{self.account}:{_slug(self.typ)}/{self.given}"

    @property
    def slug_id(self) -> str:
        return f"{_slug(self.name)}-id"


# What a type's state is: its physical id and ARN (None: the defaults above) and
# any other outputs, as AWS would answer them.
_State = tuple[str | None, str | None, dict[str, Any]]


def _user_pool(r: _Mocked) -> _State:
    physical = f"{r.region}_{re.sub(r'[^A-Za-z0-9]', '', r.given) or 'pool'}"
    arn = f"arn:aws:cognito-idp:{r.region}:{r.account}:userpool/{physical}"
    return physical, arn, {"endpoint": f"cognito-idp.{r.region}.amazonaws.com/{physical}"}


def _http_api(r: _Mocked) -> _State:
    physical = f"api-{_slug(r.given).rsplit('-', 1)[-1]}"
    return (
        physical,
        f"arn:aws:apigateway:{r.region}::/apis/{physical}",
        {
            "apiEndpoint": f"https://{physical}.execute-api.{r.region}.amazonaws.com",
            "executionArn": f"arn:aws:execute-api:{r.region}:{r.account}:{physical}",
        },
    )


def _stage(r: _Mocked) -> _State:
    api = str(r.inputs.get("apiId", "api"))
    return (
        f"{api}-{r.given}",
        None,
        {"invokeUrl": f"https://{api}.execute-api.{r.region}.amazonaws.com/"},
    )


def _function(r: _Mocked) -> _State:
    arn = f"arn:aws:lambda:{r.region}:{r.account}:function:{r.given}"
    version = "1" if r.inputs.get("publish") else "$LATEST"
    return (
        None,
        arn,
        {
            "invokeArn": _invoke_arn(r.region, arn),
            "version": version,
            "qualifiedArn": f"{arn}:{version}",
        },
    )


def _alias(r: _Mocked) -> _State:
    function = str(r.inputs.get("functionName", "function"))
    arn = f"arn:aws:lambda:{r.region}:{r.account}:function:{function}:{r.given}"
    return arn, arn, {"invokeArn": _invoke_arn(r.region, arn)}


def _random_password(r: _Mocked) -> _State:
    length = int(r.inputs.get("length", 32))
    digest = hashlib.sha256(r.name.encode()).hexdigest() * 2
    return None, None, {"result": MOCK_SECRET.format(digest=digest)[:length]}


def _dashboard(r: _Mocked) -> _State:
    physical = str(r.inputs.get("dashboardName", r.given))
    # Dashboards are global: no region in their ARN.
    arn = f"arn:aws:cloudwatch::{r.account}:dashboard/{physical}"
    return physical, arn, {"dashboardArn": arn}


def _certificate(r: _Mocked) -> _State:
    domain = str(r.inputs.get("domainName", "example.com"))
    digest = hashlib.sha256(domain.encode()).hexdigest()
    uuid = f"{digest[:8]}-{digest[8:12]}-{digest[12:16]}-{digest[16:20]}-{digest[20:32]}"
    arn = f"arn:aws:acm:{r.region}:{r.account}:certificate/{uuid}"
    validation = {
        "domainName": domain,
        "resourceRecordName": f"_{digest[:32]}.{domain}.",
        "resourceRecordType": "CNAME",
        "resourceRecordValue": f"_{digest[32:]}.mock.acm-validations.aws.",
    }
    return arn, arn, {"domainValidationOptions": [validation]}


def _record(r: _Mocked) -> _State:
    zone, record = str(r.inputs.get("zoneId")), str(r.inputs.get("name", "")).rstrip(".")
    # Records have no ARN: their zone's is what IAM authorizes them on.
    return (
        f"{zone}_{record}_{r.inputs.get('type')}",
        f"arn:aws:route53:::hostedzone/{zone}",
        {"fqdn": record},
    )


def _domain_name(r: _Mocked) -> _State:
    physical = str(r.inputs.get("domainName", r.given))
    configuration = dict(r.inputs.get("domainNameConfiguration") or {})
    configuration["targetDomainName"] = f"d-mock.execute-api.{r.region}.amazonaws.com"
    configuration["hostedZoneId"] = "ZMOCKAPIGATEWAY"
    return (
        physical,
        f"arn:aws:apigateway:{r.region}::/domainnames/{physical}",
        {"domainNameConfiguration": configuration},
    )


def _api_mapping(r: _Mocked) -> _State:
    mapped = r.inputs.get("domainName")
    arn = f"arn:aws:apigateway:{r.region}::/domainnames/{mapped}/apimappings/{r.slug_id}"
    return r.slug_id, arn, {}


def _arn(template: str) -> Callable[[_Mocked], _State]:
    """A type whose only difference is its ARN, from the region, account and given name."""

    def state(r: _Mocked) -> _State:
        arn = template.format(region=r.region, account=r.account, given=r.given)
        return None, arn, {}

    return state


def _slug_id(r: _Mocked) -> _State:
    return r.slug_id, None, {}


_STATE: dict[str, Callable[[_Mocked], _State]] = {
    "aws:dynamodb/table:Table": _arn("arn:aws:dynamodb:{region}:{account}:table/{given}"),
    "aws:cognito/userPool:UserPool": _user_pool,
    "aws:cognito/userPoolClient:UserPoolClient": lambda r: (f"client-{_slug(r.given)}", None, {}),
    "aws:apigatewayv2/api:Api": _http_api,
    "aws:apigatewayv2/stage:Stage": _stage,
    "aws:apigatewayv2/authorizer:Authorizer": _slug_id,
    "aws:apigatewayv2/integration:Integration": _slug_id,
    "aws:apigatewayv2/route:Route": _slug_id,
    "aws:lambda/function:Function": _function,
    "aws:lambda/alias:Alias": _alias,
    "aws:cloudwatch/logGroup:LogGroup": _arn("arn:aws:logs:{region}:{account}:log-group:{given}"),
    "aws:iam/role:Role": _arn("arn:aws:iam::{account}:role/{given}"),
    "aws:sns/topic:Topic": lambda r: (
        f"arn:aws:sns:{r.region}:{r.account}:{r.given}",
        f"arn:aws:sns:{r.region}:{r.account}:{r.given}",
        {},
    ),
    "aws:ssm/parameter:Parameter": lambda r: (
        None,
        f"arn:aws:ssm:{r.region}:{r.account}:parameter{r.given}",
        {"version": 1},
    ),
    "random:index/randomPassword:RandomPassword": _random_password,
    "aws:sesv2/emailIdentity:EmailIdentity": lambda r: (
        None,
        f"arn:aws:ses:{r.region}:{r.account}:identity/{r.inputs.get('emailIdentity')}",
        {},
    ),
    "aws:cloudwatch/metricAlarm:MetricAlarm": _arn(
        "arn:aws:cloudwatch:{region}:{account}:alarm:{given}"
    ),
    "aws:cloudwatch/dashboard:Dashboard": _dashboard,
    "aws:acm/certificate:Certificate": _certificate,
    "aws:acm/certificateValidation:CertificateValidation": lambda r: (
        r.slug_id,
        str(r.inputs.get("certificateArn", r.arn)),
        {},
    ),
    "aws:route53/record:Record": _record,
    "aws:apigatewayv2/domainName:DomainName": _domain_name,
    "aws:apigatewayv2/apiMapping:ApiMapping": _api_mapping,
}


def _invoke_arn(region: str, function_arn: str) -> str:
    return (
        f"arn:aws:apigateway:{region}:lambda:path/2015-03-31/functions/{function_arn}/invocations"
    )
