"""The API's custom domain: an ACM certificate validated by DNS, a regional API
Gateway domain name and its API mapping, and a Route 53 alias to it.

A regional domain name needs its certificate in the API's own region (API
Gateway Developer Guide, "Set up a Regional custom domain name"), so the
certificate is declared with the stack's provider, not in us-east-1 as an
edge-optimized (CloudFront) one would be.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field

import pulumi
import pulumi_aws as aws

# API Gateway's minimum TLS version for the domain (TLS 1.0 and 1.1 are refused).
SECURITY_POLICY = "TLS_1_2"
# ACM's validation record: short, so a re-issued certificate validates quickly.
VALIDATION_RECORD_TTL = 300


@dataclass(frozen=True)
class ApiDomainArgs:
    domain: str
    hosted_zone_id: str
    api_id: pulumi.Input[str]
    # The stage the domain's root maps to (the HTTP API's `$default`).
    stage: pulumi.Input[str]
    # The stack's tag (infra.program.stack_tag): the CI roles reach this resource only through it.
    tags: Mapping[str, str] = field(default_factory=dict)


class ApiDomain(pulumi.ComponentResource):
    """`https://<domain>/` in front of the HTTP API's stage."""

    certificate: aws.acm.Certificate
    domain_name: aws.apigatewayv2.DomainName
    alias: aws.route53.Record

    def __init__(
        self, name: str, args: ApiDomainArgs, opts: pulumi.ResourceOptions | None = None
    ) -> None:
        super().__init__("serverless-backend:platform:ApiDomain", name, None, opts)
        child = pulumi.ResourceOptions(parent=self)
        self.certificate = aws.acm.Certificate(
            f"{name}-certificate",
            domain_name=args.domain,
            validation_method="DNS",
            tags=dict(args.tags),
            opts=child,
        )
        # One name, so exactly one validation record (no subject alternative names).
        option = self.certificate.domain_validation_options.apply(lambda options: options[0])
        validation_record = aws.route53.Record(
            f"{name}-validation",
            zone_id=args.hosted_zone_id,
            name=option.apply(lambda o: str(o.resource_record_name)),
            type=option.apply(lambda o: str(o.resource_record_type)),
            records=[option.apply(lambda o: str(o.resource_record_value))],
            ttl=VALIDATION_RECORD_TTL,
            # ACM gives the same record to every certificate of this name in the
            # account: a previous stack's certificate may have left it behind.
            allow_overwrite=True,
            opts=child,
        )
        # Waits until ACM has issued the certificate (DNS validation: minutes).
        validation = aws.acm.CertificateValidation(
            f"{name}-certificate-validation",
            certificate_arn=self.certificate.arn,
            validation_record_fqdns=[validation_record.fqdn],
            opts=child,
        )
        self.domain_name = aws.apigatewayv2.DomainName(
            f"{name}-domain-name",
            domain_name=args.domain,
            domain_name_configuration=aws.apigatewayv2.DomainNameDomainNameConfigurationArgs(
                certificate_arn=validation.certificate_arn,
                endpoint_type="REGIONAL",
                security_policy=SECURITY_POLICY,
            ),
            tags=dict(args.tags),
            opts=child,
        )
        mapping = aws.apigatewayv2.ApiMapping(
            f"{name}-api-mapping",
            api_id=args.api_id,
            domain_name=self.domain_name.domain_name,
            stage=args.stage,
            opts=child,
        )
        target = self.domain_name.domain_name_configuration
        self.alias = aws.route53.Record(
            f"{name}-alias",
            zone_id=args.hosted_zone_id,
            name=args.domain,
            type="A",
            aliases=[
                aws.route53.RecordAliasArgs(
                    name=target.target_domain_name,
                    zone_id=target.hosted_zone_id,
                    evaluate_target_health=False,
                )
            ],
            opts=child,
        )
        # The URL is handed out only once the name resolves and reaches the stage.
        self.url: pulumi.Output[str] = pulumi.Output.all(mapping.id, self.alias.fqdn).apply(
            lambda _: f"https://{args.domain}/"
        )
        self.register_outputs({"url": self.url})
