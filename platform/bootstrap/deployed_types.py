"""What the CI roles may call, per resource type the program declares.

The one list to extend when the program declares a new resource type: its entry in
`RESOURCE_TYPES` names every IAM action pulumi-aws (the Terraform provider underneath)
calls to create, read, update, tag and delete one, and the roles' policies are built
from it (bootstrap.github_deploy_access). A test reads the types out of every stack's
committed snapshot (platform/snapshots/*.yaml), so a type without an entry fails
`make test` instead of a first deploy.

Actions are scoped to the stack's own resources: by name (`SCOPES`, by service prefix),
or, where AWS generates the ids, by the stack's tag (`TAG_SCOPES`); except those AWS
authorizes on the account only (`UNSCOPED`: the Service Authorization
Reference lists no resource type for them) and the few with conditions of their own
(`iam:PassRole`, `iam:CreateServiceLinkedRole`: github_deploy_access).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

from infra.program.names import StackNames

# API Gateway's IAM actions are its HTTP verbs (create POST, read GET, update PATCH,
# delete DELETE; tags are POST and DELETE on /tags/<arn>).
_APIGATEWAY = ("apigateway:GET", "apigateway:POST", "apigateway:PATCH", "apigateway:DELETE")
_APIGATEWAY_TAGS = ("apigateway:POST", "apigateway:DELETE")
# What API Gateway asks of whoever turns on an HTTP API stage's access logs.
_LOG_DELIVERY = (
    "logs:CreateLogDelivery",
    "logs:GetLogDelivery",
    "logs:UpdateLogDelivery",
    "logs:DeleteLogDelivery",
    "logs:ListLogDeliveries",
    "logs:PutResourcePolicy",
    "logs:DescribeResourcePolicies",
)


@dataclass(frozen=True)
class DeployedType:
    """The IAM actions pulumi-aws calls for one resource type."""

    # Create, read (preview --refresh and every update), update and delete.
    actions: tuple[str, ...]
    # Tagging it, at creation or later: with `tags`, or with the provider's `defaultTags`
    # (a team may set `aws:defaultTags`, which tags every taggable resource).
    tag: tuple[str, ...] = ()

    @property
    def all_actions(self) -> tuple[str, ...]:
        return self.actions + self.tag


# Every resource type the program declares (platform/snapshots/*.yaml lists them).
RESOURCE_TYPES: Mapping[str, DeployedType] = {
    # The API's custom domain (api.domain): its certificate, requested, then waited on until
    # ACM issues it; the Record's AWS calls are Route 53's.
    "aws:acm/certificate:Certificate": DeployedType(
        actions=(
            "acm:RequestCertificate",
            "acm:DescribeCertificate",
            "acm:UpdateCertificateOptions",
            "acm:DeleteCertificate",
        ),
        tag=(
            "acm:AddTagsToCertificate",
            "acm:RemoveTagsFromCertificate",
            "acm:ListTagsForCertificate",
        ),
    ),
    # Not an AWS resource: it only waits (DescribeCertificate) until the certificate is issued.
    "aws:acm/certificateValidation:CertificateValidation": DeployedType(
        actions=("acm:DescribeCertificate",)
    ),
    "aws:apigatewayv2/apiMapping:ApiMapping": DeployedType(actions=_APIGATEWAY),
    "aws:apigatewayv2/domainName:DomainName": DeployedType(
        # A regional domain name with an ACM certificate creates API Gateway's
        # service-linked role when the account has none yet.
        actions=(*_APIGATEWAY, "iam:CreateServiceLinkedRole"),
        tag=_APIGATEWAY_TAGS,
    ),
    "aws:apigatewayv2/api:Api": DeployedType(
        # The first API in a fresh account creates API Gateway's service-linked role.
        actions=(*_APIGATEWAY, "iam:CreateServiceLinkedRole"),
        tag=_APIGATEWAY_TAGS,
    ),
    "aws:apigatewayv2/authorizer:Authorizer": DeployedType(actions=_APIGATEWAY),
    "aws:apigatewayv2/integration:Integration": DeployedType(actions=_APIGATEWAY),
    "aws:apigatewayv2/route:Route": DeployedType(actions=_APIGATEWAY),
    "aws:apigatewayv2/stage:Stage": DeployedType(
        actions=(*_APIGATEWAY, *_LOG_DELIVERY), tag=_APIGATEWAY_TAGS
    ),
    # Dashboards take no tags in pulumi-aws.
    "aws:cloudwatch/dashboard:Dashboard": DeployedType(
        actions=(
            "cloudwatch:PutDashboard",
            "cloudwatch:GetDashboard",
            "cloudwatch:DeleteDashboards",
        )
    ),
    "aws:cloudwatch/logGroup:LogGroup": DeployedType(
        actions=(
            "logs:CreateLogGroup",
            "logs:DescribeLogGroups",
            "logs:PutRetentionPolicy",
            "logs:DeleteRetentionPolicy",
            "logs:DeleteLogGroup",
        ),
        tag=("logs:TagResource", "logs:UntagResource", "logs:ListTagsForResource"),
    ),
    "aws:cloudwatch/metricAlarm:MetricAlarm": DeployedType(
        actions=(
            "cloudwatch:PutMetricAlarm",
            "cloudwatch:DescribeAlarms",
            "cloudwatch:DeleteAlarms",
        ),
        tag=(
            "cloudwatch:TagResource",
            "cloudwatch:UntagResource",
            "cloudwatch:ListTagsForResource",
        ),
    ),
    "aws:cognito/userPool:UserPool": DeployedType(
        actions=(
            # A pool that sends through SES creates Cognito's e-mail service-linked role
            # when the account has none.
            "iam:CreateServiceLinkedRole",
            "cognito-idp:CreateUserPool",
            "cognito-idp:DescribeUserPool",
            "cognito-idp:GetUserPoolMfaConfig",
            "cognito-idp:UpdateUserPool",
            "cognito-idp:SetUserPoolMfaConfig",
            "cognito-idp:DeleteUserPool",
        ),
        tag=(
            "cognito-idp:TagResource",
            "cognito-idp:UntagResource",
            "cognito-idp:ListTagsForResource",
        ),
    ),
    "aws:cognito/userPoolClient:UserPoolClient": DeployedType(
        actions=(
            "cognito-idp:CreateUserPoolClient",
            "cognito-idp:DescribeUserPoolClient",
            "cognito-idp:UpdateUserPoolClient",
            "cognito-idp:DeleteUserPoolClient",
        )
    ),
    "aws:dynamodb/table:Table": DeployedType(
        actions=(
            "dynamodb:CreateTable",
            "dynamodb:DescribeTable",
            "dynamodb:DescribeContinuousBackups",
            "dynamodb:DescribeTimeToLive",
            "dynamodb:UpdateTable",
            "dynamodb:UpdateContinuousBackups",
            "dynamodb:UpdateTimeToLive",
            "dynamodb:DeleteTable",
        ),
        tag=("dynamodb:TagResource", "dynamodb:UntagResource", "dynamodb:ListTagsOfResource"),
    ),
    "aws:iam/role:Role": DeployedType(
        actions=(
            "iam:CreateRole",
            "iam:GetRole",
            "iam:UpdateRole",
            "iam:UpdateAssumeRolePolicy",
            "iam:PutRolePermissionsBoundary",
            "iam:DeleteRolePermissionsBoundary",
            "iam:ListRolePolicies",
            "iam:GetRolePolicy",
            "iam:ListAttachedRolePolicies",
            "iam:ListInstanceProfilesForRole",
            "iam:DeleteRole",
        ),
        tag=("iam:TagRole", "iam:UntagRole"),
    ),
    "aws:iam/rolePolicy:RolePolicy": DeployedType(
        actions=("iam:PutRolePolicy", "iam:GetRolePolicy", "iam:DeleteRolePolicy")
    ),
    "aws:lambda/alias:Alias": DeployedType(
        actions=(
            "lambda:CreateAlias",
            "lambda:GetAlias",
            "lambda:UpdateAlias",
            "lambda:DeleteAlias",
        )
    ),
    "aws:lambda/function:Function": DeployedType(
        actions=(
            "lambda:CreateFunction",
            "lambda:GetFunction",
            "lambda:GetFunctionConfiguration",
            "lambda:GetFunctionCodeSigningConfig",
            "lambda:ListVersionsByFunction",
            "lambda:UpdateFunctionCode",
            "lambda:UpdateFunctionConfiguration",
            "lambda:PublishVersion",
            "lambda:DeleteFunction",
            "iam:PassRole",
        ),
        tag=("lambda:TagResource", "lambda:UntagResource", "lambda:ListTags"),
    ),
    "aws:lambda/permission:Permission": DeployedType(
        actions=("lambda:AddPermission", "lambda:GetPolicy", "lambda:RemovePermission")
    ),
    # The certificate's validation record and the domain's alias, in the stack's hosted zone:
    # the record is read back by listing the zone's records, and the provider waits on the
    # change (GetChange) and reads the zone's name (GetHostedZone).
    "aws:route53/record:Record": DeployedType(
        actions=(
            "route53:ChangeResourceRecordSets",
            "route53:ListResourceRecordSets",
            "route53:GetHostedZone",
            "route53:GetChange",
        )
    ),
    # A function's schedule (EventBridge Scheduler): schedules in the default group carry
    # no tags; the schedule's role is passed to the scheduler service.
    "aws:scheduler/schedule:Schedule": DeployedType(
        actions=(
            "scheduler:CreateSchedule",
            "scheduler:GetSchedule",
            "scheduler:UpdateSchedule",
            "scheduler:DeleteSchedule",
            "iam:PassRole",
        )
    ),
    "aws:sesv2/emailIdentity:EmailIdentity": DeployedType(
        actions=("ses:CreateEmailIdentity", "ses:GetEmailIdentity", "ses:DeleteEmailIdentity"),
        tag=("ses:TagResource", "ses:UntagResource", "ses:ListTagsForResource"),
    ),
    "aws:sns/topic:Topic": DeployedType(
        actions=(
            "sns:CreateTopic",
            "sns:GetTopicAttributes",
            "sns:SetTopicAttributes",
            "sns:DeleteTopic",
        ),
        tag=("sns:TagResource", "sns:UntagResource", "sns:ListTagsForResource"),
    ),
    "aws:sns/topicSubscription:TopicSubscription": DeployedType(
        actions=(
            "sns:Subscribe",
            "sns:GetSubscriptionAttributes",
            "sns:SetSubscriptionAttributes",
            "sns:Unsubscribe",
        )
    ),
    "aws:ssm/parameter:Parameter": DeployedType(
        actions=(
            "ssm:PutParameter",
            "ssm:GetParameter",
            "ssm:DescribeParameters",
            "ssm:DeleteParameter",
        ),
        tag=("ssm:AddTagsToResource", "ssm:RemoveTagsFromResource", "ssm:ListTagsForResource"),
    ),
}

# What the deploy pipeline calls around `pulumi up`, with the deploy role.
PIPELINE_ACTIONS = (
    # infra.operations.live_versions: wait for the `live` versions, prune old ones.
    "lambda:GetFunction",
    "lambda:ListVersionsByFunction",
    "lambda:ListAliases",
    "lambda:DeleteFunction",
    # infra.operations.rollback (make rollback, after a failed smoke test): live back a version.
    "lambda:GetAlias",
    "lambda:UpdateAlias",
    "lambda:GetFunctionConfiguration",
    # infra.operations.secret_parameters (make secrets, before `pulumi up`): the missing secrets.
    "ssm:PutParameter",
    # The smoke test reads the stack's test code from its SecureString parameter.
    "ssm:GetParameter",
    # infra.operations.client_secret (make client-secret): the app client's one secret is the
    # stack's authClientSecret (the parameter tagged with its secret's id).
    "cognito-idp:ListUserPoolClientSecrets",
    "cognito-idp:AddUserPoolClientSecret",
    "cognito-idp:DeleteUserPoolClientSecret",
    "ssm:ListTagsForResource",
    "ssm:AddTagsToResource",
    # The smoke test of a production stack signs its test destinations in through IAM
    # only (local_runtime.smoke.IamSignIn): its API treats them as ordinary numbers.
    "cognito-idp:AdminCreateUser",
    "cognito-idp:AdminSetUserPassword",
    "cognito-idp:AdminInitiateAuth",
    "cognito-idp:AdminRespondToAuthChallenge",
)

# Each service's resources of one stack, by name. `{name}` is "<project>-<stack>", which
# prefixes every named resource; `{email_sender}` is the SES identity the stack declares
# (auth.emailIdentity, else auth.emailSender). The resources AWS names with generated ids
# are in TAG_SCOPES instead.
SCOPES: Mapping[str, tuple[str, ...]] = {
    # The custom domain (its name is the stack's api.domain) and its API mappings. A stack
    # without a domain gets none of these.
    "apigateway": (
        "arn:aws:apigateway:{region}::/domainnames/{domain}",
        "arn:aws:apigateway:{region}::/domainnames/{domain}/*",
    ),
    "cloudwatch": (
        "arn:aws:cloudwatch:{region}:{account}:alarm:{name}-*",
        # Dashboards are global: no region in their ARN.
        "arn:aws:cloudwatch::{account}:dashboard/{name}",
    ),
    "dynamodb": (
        "arn:aws:dynamodb:{region}:{account}:table/{name}",
        "arn:aws:dynamodb:{region}:{account}:table/{name}/*",
    ),
    # The functions' roles. The CI roles live under the path /ci/, which this misses.
    "iam": ("arn:aws:iam::{account}:role/{name}-*",),
    # Functions and their versions and aliases ("<function ARN>:<qualifier>").
    "lambda": ("arn:aws:lambda:{region}:{account}:function:{name}-*",),
    "logs": (
        "arn:aws:logs:{region}:{account}:log-group:/aws/lambda/{name}-*",
        "arn:aws:logs:{region}:{account}:log-group:/aws/apigateway/{name}",
        "arn:aws:logs:{region}:{account}:log-group:/aws/apigateway/{name}:*",
    ),
    # The stack's own hosted zone (api.hostedZoneId), and the changes made in it. A stack
    # without a custom domain has no zone, and its roles get no Route 53 action at all.
    "route53": (
        "arn:aws:route53:::hostedzone/{hosted_zone_id}",
        "arn:aws:route53:::change/*",
    ),
    "scheduler": ("arn:aws:scheduler:{region}:{account}:schedule/default/{name}-*",),
    "ses": ("arn:aws:ses:{region}:{account}:identity/{email_sender}",),
    # The alarm topic (Subscribe authorizes on the topic).
    "sns": ("arn:aws:sns:{region}:{account}:{name}-*",),
    "ssm": ("arn:aws:ssm:{region}:{account}:parameter/{project}/{stack}/*",),
}


@dataclass(frozen=True)
class TagScope:
    """A service whose resources have generated ids: no ARN pattern can tell one stack's from
    another's, so the roles reach them through the stack's tag (infra.program.stack_tag), which the
    program sets on each. IAM: "Controlling access to AWS resources using tags"."""

    # The stack's resources: reached only where `aws:ResourceTag/<STACK_TAG>` names the stack.
    resources: tuple[str, ...]
    # Creating one (no resource exists yet): only with `aws:RequestTag/<STACK_TAG>` = the
    # stack. Action -> what it authorizes on.
    creates: Mapping[str, tuple[str, ...]]
    # Adding tags: never the stack tag (so no role can hand itself another stack's resource).
    tag_adds: tuple[str, ...]
    # Removing tags: never the stack tag (an untagged resource would be no stack's).
    tag_removes: tuple[str, ...]
    # Where tagging authorizes when not on `resources` (API Gateway: /tags/<resource ARN>,
    # which has no tag of its own to check).
    tag_resources: tuple[str, ...] | None = None
    # The actions are verbs whose resource says what they do (API Gateway's HTTP methods),
    # so one action may appear in each statement with a different resource.
    verbs: bool = False
    # Children without tags of their own under a tagged resource: the Service Authorization
    # Reference gives HTTP API routes, integrations, authorizers and their collections the
    # key aws:ResourceTag, but the API Gateway developer guide ("API Gateway resources that
    # can be tagged") lets only Api, DomainName, Stage and VpcLink carry tags in the V2 API
    # and documents inheritance for V1 (REST) only. The deploy role therefore checks the
    # tag where one is present (...IfExists); the read-only preview role requires it.
    untagged_children: bool = False


TAG_SCOPES: Mapping[str, TagScope] = {
    "acm": TagScope(
        resources=("arn:aws:acm:{region}:{account}:certificate/*",),
        # A certificate has no ARN before ACM issues the request one.
        creates={"acm:RequestCertificate": ("*",)},
        tag_adds=("acm:AddTagsToCertificate",),
        tag_removes=("acm:RemoveTagsFromCertificate",),
    ),
    "apigateway": TagScope(
        resources=("arn:aws:apigateway:{region}::/apis/*",),
        creates={
            "apigateway:POST": (
                "arn:aws:apigateway:{region}::/apis",
                "arn:aws:apigateway:{region}::/domainnames",
            )
        },
        tag_adds=("apigateway:POST",),
        tag_removes=("apigateway:DELETE",),
        tag_resources=("arn:aws:apigateway:{region}::/tags/*",),
        verbs=True,
        untagged_children=True,
    ),
    "cognito-idp": TagScope(
        resources=("arn:aws:cognito-idp:{region}:{account}:userpool/*",),
        # A pool has no ARN before it exists.
        creates={"cognito-idp:CreateUserPool": ("*",)},
        tag_adds=("cognito-idp:TagResource",),
        tag_removes=("cognito-idp:UntagResource",),
    ),
}

# Authorized on the account, not on a resource: the Service Authorization Reference lists
# no resource type for them (a subscription has no ARN before it exists, and SNS scopes
# none of its subscription actions).
UNSCOPED = frozenset(
    {
        "logs:DescribeLogGroups",
        *_LOG_DELIVERY,
        "sns:GetSubscriptionAttributes",
        "sns:SetSubscriptionAttributes",
        "sns:Unsubscribe",
        "ssm:DescribeParameters",
    }
)

# Reads a preview never gets: they can show what it must not see. A function's
# configuration holds its environment, and GetFunction returns the same configuration plus
# a link to download its code (Lambda API reference, GetFunction: "Configuration", "Code.
# Location"); a secret parameter is denied separately.
PREVIEW_WITHHELD = frozenset({"lambda:GetFunctionConfiguration", "lambda:GetFunction"})

# Where the program keeps the stack's secrets (infra.program.names), a pattern `_fill` completes.
SECRET_PARAMETERS = "arn:aws:ssm:{region}:{account}:parameter" + StackNames(
    "{project}", "{stack}"
).secret_parameter("*")
# Every way to read a parameter's value.
SECRET_READS = (
    "ssm:GetParameter",
    "ssm:GetParameters",
    "ssm:GetParametersByPath",
    "ssm:GetParameterHistory",
)

# API Gateway's service-linked role, created with the first API of an account
# (API Gateway Developer Guide, "Using service-linked roles for API Gateway").
APIGATEWAY_SERVICE = "ops.apigateway.amazonaws.com"
APIGATEWAY_SERVICE_LINKED_ROLE = (
    "arn:aws:iam::{account}:role/aws-service-role/"
    + APIGATEWAY_SERVICE
    + "/AWSServiceRoleForAPIGateway"
)

# Cognito's e-mail service-linked role, created with the first pool that sends through
# SES (Amazon Cognito Developer Guide, "Using service-linked roles for Amazon Cognito").
COGNITO_EMAIL_SERVICE = "email.cognito-idp.amazonaws.com"
COGNITO_EMAIL_SERVICE_LINKED_ROLE = (
    "arn:aws:iam::{account}:role/aws-service-role/"
    + COGNITO_EMAIL_SERVICE
    + "/AWSServiceRoleForAmazonCognitoIdpEmailService"
)

# Role changes that can grant permissions: with a permissions boundary configured, each
# must carry it (the iam:PermissionsBoundary condition key applies to exactly these),
# and removing a boundary is not allowed at all.
BOUNDED_IAM_ACTIONS = (
    "iam:CreateRole",
    "iam:PutRolePolicy",
    "iam:DeleteRolePolicy",
    "iam:PutRolePermissionsBoundary",
)
UNBOUNDING_IAM_ACTIONS = ("iam:DeleteRolePermissionsBoundary",)


def is_read(action: str) -> bool:
    """A read: what a preview may call."""
    verb = action.split(":", 1)[1]
    return verb == "GET" or verb.startswith(("Get", "List", "Describe"))


def needed_actions() -> frozenset[str]:
    """Every action the program's types and the pipeline need."""
    return frozenset(
        action for deployed in RESOURCE_TYPES.values() for action in deployed.all_actions
    ) | frozenset(PIPELINE_ACTIONS)
