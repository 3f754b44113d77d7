"""The one API Gateway HTTP API every service's routes hang off."""

from __future__ import annotations

import json
from collections.abc import Mapping
from dataclasses import dataclass, field

import pulumi
import pulumi_aws as aws

from infra.program.config import ApiConfig

# What every route takes and answers (the token, a JSON body, the request id);
# a service adds its own in service.toml's [cors].
CORS_ALLOW_HEADERS = ("authorization", "content-type", "x-request-id")
CORS_EXPOSE_HEADERS = ("x-request-id",)
CORS_ALLOW_METHODS = ("DELETE", "GET", "OPTIONS", "PATCH", "POST", "PUT")

# One JSON object per request; never headers or bodies (they may hold tokens).
ACCESS_LOG_FORMAT = json.dumps(
    {
        "requestId": "$context.requestId",
        "ip": "$context.identity.sourceIp",
        "requestTime": "$context.requestTime",
        "httpMethod": "$context.httpMethod",
        "routeKey": "$context.routeKey",
        "status": "$context.status",
        "protocol": "$context.protocol",
        "responseLength": "$context.responseLength",
        "responseLatency": "$context.responseLatency",
        "integrationLatency": "$context.integrationLatency",
        "integrationError": "$context.integrationErrorMessage",
        "authorizerError": "$context.authorizer.error",
        "sub": "$context.authorizer.claims.sub",
    },
    sort_keys=True,
)


@dataclass(frozen=True)
class HttpApiArgs:
    api_name: str
    settings: ApiConfig
    log_retention_days: int
    jwt_issuer: pulumi.Input[str]
    jwt_audience: pulumi.Input[str]
    # The services' own CORS headers (service.toml), added to the platform's.
    cors_allow_headers: tuple[str, ...] = ()
    cors_expose_headers: tuple[str, ...] = ()
    # The stack's tag (infra.program.stack_tag): the CI roles reach this resource only through it.
    tags: Mapping[str, str] = field(default_factory=dict)


class HttpApi(pulumi.ComponentResource):
    """An HTTP API, its `$default` auto-deploy stage and the Cognito JWT authorizer."""

    api: aws.apigatewayv2.Api
    stage: aws.apigatewayv2.Stage
    authorizer: aws.apigatewayv2.Authorizer
    access_logs: aws.cloudwatch.LogGroup

    def __init__(
        self, name: str, args: HttpApiArgs, opts: pulumi.ResourceOptions | None = None
    ) -> None:
        super().__init__("serverless-backend:platform:HttpApi", name, None, opts)
        child = pulumi.ResourceOptions(parent=self)
        settings = args.settings
        self.api = aws.apigatewayv2.Api(
            f"{name}-http-api",
            name=args.api_name,
            protocol_type="HTTP",
            tags=dict(args.tags),
            # With a custom domain: the default execute-api endpoint answers 403.
            disable_execute_api_endpoint=settings.disable_execute_api_endpoint,
            cors_configuration=aws.apigatewayv2.ApiCorsConfigurationArgs(
                allow_origins=list(settings.cors_allow_origins),
                allow_methods=list(CORS_ALLOW_METHODS),
                allow_headers=sorted({*CORS_ALLOW_HEADERS, *args.cors_allow_headers}),
                expose_headers=sorted({*CORS_EXPOSE_HEADERS, *args.cors_expose_headers}),
                max_age=settings.cors_max_age_seconds,
                allow_credentials=False,
            ),
            opts=child,
        )
        self.access_logs = aws.cloudwatch.LogGroup(
            f"{name}-access-logs",
            name=f"/aws/apigateway/{args.api_name}",
            retention_in_days=args.log_retention_days,
            opts=child,
        )
        self.stage = aws.apigatewayv2.Stage(
            f"{name}-default-stage",
            api_id=self.api.id,
            name="$default",
            auto_deploy=True,
            tags=dict(args.tags),
            access_log_settings=aws.apigatewayv2.StageAccessLogSettingsArgs(
                destination_arn=self.access_logs.arn, format=ACCESS_LOG_FORMAT
            ),
            default_route_settings=aws.apigatewayv2.StageDefaultRouteSettingsArgs(
                throttling_rate_limit=settings.throttling_rate_limit,
                throttling_burst_limit=settings.throttling_burst_limit,
            ),
            opts=child,
        )
        self.authorizer = aws.apigatewayv2.Authorizer(
            f"{name}-jwt-authorizer",
            api_id=self.api.id,
            name="cognito-jwt",
            authorizer_type="JWT",
            identity_sources=["$request.header.Authorization"],
            jwt_configuration=aws.apigatewayv2.AuthorizerJwtConfigurationArgs(
                issuer=args.jwt_issuer, audiences=[args.jwt_audience]
            ),
            opts=child,
        )
        self.register_outputs({"api_url": self.stage.invoke_url, "api_id": self.api.id})
