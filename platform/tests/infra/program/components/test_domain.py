"""The API's custom domain, on (prod: api.example.com) and off (dev), and each stack
with the other setting, under Pulumi's mocks."""

from __future__ import annotations

from pathlib import Path

import pytest
import yaml

from infra.offline.declared import DeclaredStack, declare_stack
from infra.program.components.domain import SECURITY_POLICY
from infra.program.stack_files import stack_file

DOMAIN_TYPES = (
    "aws:acm/certificate:Certificate",
    "aws:acm/certificateValidation:CertificateValidation",
    "aws:apigatewayv2/domainName:DomainName",
    "aws:apigatewayv2/apiMapping:ApiMapping",
    "aws:route53/record:Record",
)


def _with_api(tmp_path: Path, stack: str, api: dict[str, object]) -> Path:
    """The stack's file with its `api` object changed (the keys given; None removes one)."""
    document = yaml.safe_load(stack_file(stack).read_text())
    settings = document["config"]["serverless-backend:api"]
    for key, value in api.items():
        if value is None:
            settings.pop(key, None)
        else:
            settings[key] = value
    path = tmp_path / f"Pulumi.{stack}.yaml"
    path.write_text(yaml.safe_dump(document))
    return path


@pytest.fixture(scope="module")
def dev_with_a_domain(tmp_path_factory: pytest.TempPathFactory) -> DeclaredStack:
    path = _with_api(
        tmp_path_factory.mktemp("dev"),
        "dev",
        {"domain": "api.dev.example.com", "hostedZoneId": "Z0DEVZONE"},
    )
    return declare_stack("dev", config_file=path, version="v")


@pytest.fixture(scope="module")
def prod_without_a_domain(tmp_path_factory: pytest.TempPathFactory) -> DeclaredStack:
    path = _with_api(
        tmp_path_factory.mktemp("prod"),
        "prod",
        {"domain": None, "hostedZoneId": None, "disableExecuteApiEndpoint": None},
    )
    return declare_stack("prod", config_file=path, version="v")


def _published_api_url(declared: DeclaredStack) -> str:
    parameter = next(
        p
        for p in declared.of_type("aws:ssm/parameter:Parameter")
        if p.inputs["name"].endswith("/api_url")
    )
    return str(parameter.inputs["insecureValue"])


def test_without_a_domain_the_api_url_is_the_execute_api_one(
    declared: DeclaredStack, prod_without_a_domain: DeclaredStack
) -> None:
    for stack in (declared, prod_without_a_domain):
        if stack.config.api.domain:
            continue
        for kind in DOMAIN_TYPES:
            assert stack.of_type(kind) == [], kind
        invoke_url = stack.one("aws:apigatewayv2/stage:Stage").outputs["invokeUrl"]
        assert stack.outputs["api_url"] == invoke_url
        assert ".execute-api." in stack.outputs["api_url"]
        assert _published_api_url(stack) == invoke_url
        assert not stack.one("aws:apigatewayv2/api:Api").inputs.get("disableExecuteApiEndpoint")


def test_with_a_domain_the_api_url_and_its_parameter_are_the_domains(
    declared: DeclaredStack, dev_with_a_domain: DeclaredStack
) -> None:
    for stack in (declared, dev_with_a_domain):
        domain = stack.config.api.domain
        if not domain:
            continue
        assert stack.outputs["api_url"] == f"https://{domain}/"
        assert _published_api_url(stack) == f"https://{domain}/"


def _domain_stacks(*stacks: DeclaredStack) -> list[DeclaredStack]:
    return [stack for stack in stacks if stack.config.api.domain]


def test_the_certificate_is_validated_by_a_record_in_the_zone(
    declared: DeclaredStack, dev_with_a_domain: DeclaredStack
) -> None:
    for stack in _domain_stacks(declared, dev_with_a_domain):
        api = stack.config.api
        certificate = stack.one("aws:acm/certificate:Certificate")
        (option,) = certificate.outputs["domainValidationOptions"]
        record = stack.named("domain-validation")
        validation = stack.one("aws:acm/certificateValidation:CertificateValidation")

        # A regional domain name: the certificate is the stack's region's (no provider of
        # another region), one name, DNS-validated.
        assert certificate.inputs == {
            "domainName": api.domain,
            "validationMethod": "DNS",
            # The CI roles reach it only through its stack's tag (platform/bootstrap).
            "tags": {"serverless-backend:stack": stack.stack},
        }
        assert certificate.outputs["arn"].startswith(f"arn:aws:acm:{stack.config.region}:")
        assert record.inputs["zoneId"] == api.hosted_zone_id
        assert (record.inputs["name"], record.inputs["type"], record.inputs["records"]) == (
            option["resourceRecordName"],
            option["resourceRecordType"],
            [option["resourceRecordValue"]],
        )
        assert validation.inputs["certificateArn"] == certificate.outputs["arn"]
        assert validation.inputs["validationRecordFqdns"] == [record.outputs["fqdn"]]


def test_the_domain_name_is_regional_tls_1_2_with_the_validated_certificate(
    declared: DeclaredStack, dev_with_a_domain: DeclaredStack
) -> None:
    for stack in _domain_stacks(declared, dev_with_a_domain):
        domain_name = stack.one("aws:apigatewayv2/domainName:DomainName")
        validation = stack.one("aws:acm/certificateValidation:CertificateValidation")

        assert domain_name.inputs["domainName"] == stack.config.api.domain
        assert domain_name.inputs["domainNameConfiguration"] == {
            "certificateArn": validation.outputs["certificateArn"],
            "endpointType": "REGIONAL",
            "securityPolicy": SECURITY_POLICY,
        }
        assert SECURITY_POLICY == "TLS_1_2"
        # It waits for the validation: a certificate still pending cannot be attached.
        assert validation.urn in domain_name.dependencies


def test_the_domains_root_maps_to_the_default_stage(
    declared: DeclaredStack, dev_with_a_domain: DeclaredStack
) -> None:
    for stack in _domain_stacks(declared, dev_with_a_domain):
        mapping = stack.one("aws:apigatewayv2/apiMapping:ApiMapping")

        assert mapping.inputs == {
            "apiId": stack.one("aws:apigatewayv2/api:Api").id,
            "domainName": stack.config.api.domain,
            "stage": "$default",
        }


def test_an_alias_record_points_the_name_at_the_regional_endpoint(
    declared: DeclaredStack, dev_with_a_domain: DeclaredStack
) -> None:
    for stack in _domain_stacks(declared, dev_with_a_domain):
        target = stack.one("aws:apigatewayv2/domainName:DomainName").outputs[
            "domainNameConfiguration"
        ]
        alias = stack.named("domain-alias")

        assert alias.inputs == {
            "zoneId": stack.config.api.hosted_zone_id,
            "name": stack.config.api.domain,
            "type": "A",
            "aliases": [
                {
                    "name": target["targetDomainName"],
                    "zoneId": target["hostedZoneId"],
                    "evaluateTargetHealth": False,
                }
            ],
        }


def test_cors_and_the_jwt_issuer_do_not_follow_the_domain(
    dev_with_a_domain: DeclaredStack,
) -> None:
    """The browser's origin is the web app's and the issuer Cognito's: a custom API
    domain changes neither."""
    dev = declare_stack("dev", version="v")

    for kind in ("aws:apigatewayv2/api:Api", "aws:apigatewayv2/authorizer:Authorizer"):
        with_domain, without = dev_with_a_domain.one(kind).inputs, dev.one(kind).inputs
        assert with_domain.get("corsConfiguration") == without.get("corsConfiguration")
        assert with_domain.get("jwtConfiguration") == without.get("jwtConfiguration")


def test_the_execute_api_endpoint_is_disabled_only_where_the_config_says(
    declared: DeclaredStack, dev_with_a_domain: DeclaredStack
) -> None:
    for stack in (declared, dev_with_a_domain):
        api = stack.one("aws:apigatewayv2/api:Api").inputs
        assert bool(api.get("disableExecuteApiEndpoint")) is (
            stack.config.api.disable_execute_api_endpoint
        )
    assert not dev_with_a_domain.config.api.disable_execute_api_endpoint
