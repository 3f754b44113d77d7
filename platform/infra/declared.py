"""Run the real program for a stack under Pulumi's mocks: no CLI, no AWS.

The tests, the snapshot (`python -m infra.snapshot`) and the local runtime
(`make dev`) all read a stack through `declare()`.
"""

from __future__ import annotations

import hashlib
import json
import re
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any

from pulumi.runtime.mocks import MockCallArgs, MockResourceArgs, Mocks

from infra import engine, program
from infra.config import PROJECT, StackConfig
from infra.stack_files import StackFile, read_stack_file, stack_file

MOCK_ACCOUNT = "123456789012"
# A generated secret's value under the mocks (and so in `make dev`): plainly not a real one.
MOCK_SECRET = "local-only-{digest}"  # noqa: S105 - a format, not a secret
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
    content version (infra.bundle.service_version); `services_dir` replaces
    `<repo>/services`.
    """
    file = _stack_file or read_stack_file(config_file or stack_file(stack))
    file.config()  # a bad file fails here, naming its key, before the program runs
    mocks = _RecordingMocks(region=str(file.values.get("aws:region", "us-east-1")))
    registrations: dict[tuple[str, str], engine.Registration] = {}
    exported = engine.run_with_mocks(
        lambda: program.run(
            build_bundles=build_bundles, version=version, services_dir=services_dir
        ),
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
            extra["version"] = 1
        elif typ == "random:index/randomPassword:RandomPassword":
            length = int(inputs.get("length", 32))
            digest = hashlib.sha256(name.encode()).hexdigest() * 2
            extra["result"] = MOCK_SECRET.format(digest=digest)[:length]
        elif typ == "aws:sesv2/emailIdentity:EmailIdentity":
            arn = f"arn:aws:ses:{region}:{account}:identity/{inputs.get('emailIdentity')}"
        elif typ == "aws:cloudwatch/metricAlarm:MetricAlarm":
            arn = f"arn:aws:cloudwatch:{region}:{account}:alarm:{given}"
        elif typ == "aws:cloudwatch/dashboard:Dashboard":
            physical = str(inputs.get("dashboardName", given))
            # Dashboards are global: no region in their ARN.
            arn = f"arn:aws:cloudwatch::{account}:dashboard/{physical}"
            extra["dashboardArn"] = arn
        elif typ == "aws:acm/certificate:Certificate":
            domain = str(inputs.get("domainName", "example.com"))
            digest = hashlib.sha256(domain.encode()).hexdigest()
            physical = (
                f"{digest[:8]}-{digest[8:12]}-{digest[12:16]}-{digest[16:20]}-{digest[20:32]}"
            )
            arn = f"arn:aws:acm:{region}:{account}:certificate/{physical}"
            physical = arn
            extra["domainValidationOptions"] = [
                {
                    "domainName": domain,
                    "resourceRecordName": f"_{digest[:32]}.{domain}.",
                    "resourceRecordType": "CNAME",
                    "resourceRecordValue": f"_{digest[32:]}.mock.acm-validations.aws.",
                }
            ]
        elif typ == "aws:acm/certificateValidation:CertificateValidation":
            arn = str(inputs.get("certificateArn", arn))
            physical = f"{_slug(name)}-id"
        elif typ == "aws:route53/record:Record":
            zone, record = str(inputs.get("zoneId")), str(inputs.get("name", "")).rstrip(".")
            physical = f"{zone}_{record}_{inputs.get('type')}"
            # Records have no ARN: their zone's is what IAM authorizes them on.
            arn = f"arn:aws:route53:::hostedzone/{zone}"
            extra["fqdn"] = record
        elif typ == "aws:apigatewayv2/domainName:DomainName":
            physical = str(inputs.get("domainName", given))
            arn = f"arn:aws:apigateway:{region}::/domainnames/{physical}"
            configuration = dict(inputs.get("domainNameConfiguration") or {})
            configuration["targetDomainName"] = f"d-mock.execute-api.{region}.amazonaws.com"
            configuration["hostedZoneId"] = "ZMOCKAPIGATEWAY"
            extra["domainNameConfiguration"] = configuration
        elif typ == "aws:apigatewayv2/apiMapping:ApiMapping":
            physical = f"{_slug(name)}-id"
            mapped = inputs.get("domainName")
            arn = f"arn:aws:apigateway:{region}::/domainnames/{mapped}/apimappings/{physical}"
        else:
            physical = f"{_slug(name)}-id"
        extra.setdefault("arn", arn)
        return physical, extra


def _invoke_arn(region: str, function_arn: str) -> str:
    return (
        f"arn:aws:apigateway:{region}:lambda:path/2015-03-31/functions/{function_arn}/invocations"
    )
