"""`make preflight STACK=<stack>`: can this AWS account take the stack? Read-only.

Run before a stack's first `pulumi up` in an account (docs/deploy.md, First deploy), after
the account setup. Each check reads what a fresh account lacks and the first `up` would
fail on, or what would fail later, quietly (mail nobody receives, SMS that never leave):

    python -m infra.operations.preflight --stack prod

It uses the caller's AWS credentials (any standard source) and the stack's region, and
honours `AWS_ENDPOINT_URL` as every botocore client does, so it also runs against
`make dev`'s emulator or a bare moto server. It prints one line per check, `ok` or
`FAIL`, each FAIL with its fix, and exits 1 when any check failed. It changes nothing.
"""

from __future__ import annotations

import argparse
import json
import re
import sys
from collections.abc import Callable, Iterator, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Protocol

import yaml

from infra.program.config import PROJECT, StackConfig
from infra.program.stack_files import stack_config, stack_file
from infra.repo import repo_root
from service_manifest import Manifest, find_manifests

# Cognito's service-linked role for sending a pool's mail through SES (Amazon Cognito
# Developer Guide, "Using service-linked roles for Amazon Cognito").
COGNITO_EMAIL_SERVICE = "email.cognito-idp.amazonaws.com"
COGNITO_EMAIL_ROLE = "AWSServiceRoleForAmazonCognitoIdpEmailService"
# SMS to these countries leaves only from a registered origination identity (a toll-free
# number or a 10DLC campaign for the US; a long code or toll-free number for Canada):
# AWS End User Messaging SMS User Guide, "Supported countries and regions".
ORIGINATION_REQUIRED = ("US", "CA")
# Values the committed stack files ship with that no account has (the hosted zone, the
# account id AWS's documentation uses).
PLACEHOLDERS = ("Z0123456789EXAMPLE0", ":123456789012:")
# RFC 2606's reserved domains: nobody receives mail there, so a production stack that
# still names one sends its mail, and serves its API, nowhere.
_EXAMPLE_DOMAIN = re.compile(r"(^|[@./])example\.(com|net|org)$")
# Keys whose values are fictional on purpose (config.AuthConfig.test_destinations).
_FICTIONAL_KEYS = ("auth.testDestinations",)
GUIDE = "docs/deploy.md#first-deploy-checklist"


class Clients(Protocol):
    """A botocore client per service, in the stack's region."""

    def __call__(self, service: str) -> Any: ...


@dataclass(frozen=True)
class Result:
    check: str
    ok: bool
    detail: str
    fix: str = ""

    def line(self) -> str:
        if self.ok:
            return f"ok   {self.check}: {self.detail}"
        return f"FAIL {self.check}: {self.detail} -- fix: {self.fix}"


@dataclass(frozen=True)
class Stack:
    """What the checks read of a stack: its name, typed config, raw file and services."""

    name: str
    config: StackConfig
    # The stack file's `config:` mapping, as written.
    raw: Mapping[str, Any]
    manifests: tuple[Manifest, ...] = ()

    @property
    def sends_sms(self) -> bool:
        return any(
            permission.resource == "sms"
            for manifest in self.manifests
            for function in manifest.functions
            for permission in function.permissions
        )


class CheckError(Exception):
    """AWS did not answer a check's call; the check fails saying so."""


def sending_identity(config: StackConfig) -> str:
    """The SES identity the stack declares and its pool sends through."""
    return config.auth.sending_identity


def pool_sends_through_ses(config: StackConfig) -> bool:
    return config.user_pool.email_sender == "ses"


def _error_code(exc: Exception) -> str:
    response = getattr(exc, "response", None)
    if isinstance(response, Mapping):
        return str(response.get("Error", {}).get("Code", ""))
    return ""


# Answers that mean "there is none", which a check reads as a finding, not a failure.
_NOT_FOUND = frozenset({"NoSuchEntity", "NoSuchHostedZone", "NotFoundException"})


def _call(clients: Clients, service: str, operation: str, **params: Any) -> Any:
    """One read; any failure (no credentials, AccessDenied, an emulator without the
    operation) becomes a CheckError naming the action. A "no such thing" answer is
    None: the check reads it as a finding."""
    try:
        return getattr(clients(service), operation)(**params)
    except Exception as exc:
        if _error_code(exc) in _NOT_FOUND:
            return None
        raise CheckError(f"{_action(service, operation)} failed: {_short(exc)}") from exc


def _action(service: str, operation: str) -> str:
    """The IAM action of a read (`ses:GetAccount` for SES v2's, `sns:GetSMSAttributes`)."""
    prefix = {"sesv2": "ses"}.get(service, service)
    name = "".join(part.capitalize() for part in operation.split("_"))
    return f"{prefix}:{name.replace('Sms', 'SMS')}"


def _short(exc: Exception) -> str:
    """The error's code and first line (an emulator without the operation answers a page)."""
    code = _error_code(exc)
    text = str(exc).strip().splitlines()[0] if str(exc).strip() else ""
    return f"{code or type(exc).__name__}: {text[:160]}"


def _unreadable(check: str, exc: CheckError) -> Result:
    return Result(
        check,
        False,
        f"could not check: {exc}",
        "run with credentials that may read it (docs/deploy.md lists the reads), or against "
        "an emulator that answers it",
    )


# ---- the checks ----


def check_account(stack: Stack, clients: Clients) -> Result:
    identity = _call(clients, "sts", "get_caller_identity")
    return Result(
        "account",
        True,
        f"account {identity.get('Account')} as {identity.get('Arn')}, region {stack.config.region}",
    )


def check_placeholders(stack: Stack, clients: Clients) -> Result:
    found = sorted(set(_placeholders(stack.raw, stack.config.production)))
    if found:
        return Result(
            "placeholders",
            False,
            f"Pulumi.{stack.name}.yaml still holds example values: {', '.join(found)}",
            f"set the account's own values in Pulumi.{stack.name}.yaml (docs/config.md)",
        )
    return Result("placeholders", True, f"Pulumi.{stack.name}.yaml holds no example value")


def _placeholders(raw: Mapping[str, Any], production: bool) -> Iterator[str]:
    for key, value in _leaves(raw, ""):
        if key.startswith(_FICTIONAL_KEYS) or not isinstance(value, str):
            continue
        host = value.split("://", 1)[-1].split("/", 1)[0].lower()
        if any(p in value for p in PLACEHOLDERS) or (production and _EXAMPLE_DOMAIN.search(host)):
            yield f"{key}={value}"


def _leaves(value: Any, path: str) -> Iterator[tuple[str, Any]]:
    if isinstance(value, Mapping):
        for key, item in value.items():
            name = str(key).removeprefix(f"{PROJECT}:")
            yield from _leaves(item, f"{path}.{name}" if path else name)
    elif isinstance(value, list):
        for item in value:
            yield from _leaves(item, path)
    else:
        yield path, value


def check_ses_identity(stack: Stack, clients: Clients) -> Result:
    identity = sending_identity(stack.config)
    region = stack.config.region
    answer = _call(clients, "ses", "get_identity_verification_attributes", Identities=[identity])
    status = answer.get("VerificationAttributes", {}).get(identity, {}).get("VerificationStatus")
    if status == "Success":
        return Result("ses-identity", True, f"{identity} is verified in {region}")
    how = (
        f"click the link SES mailed to {identity} (that mailbox must receive mail)"
        if "@" in identity
        else f"publish {identity}'s DKIM records and wait until SES shows it Verified"
    )
    if not pool_sends_through_ses(stack.config) and not stack.config.production:
        return Result(
            "ses-identity",
            True,
            f"{identity} is not verified yet in {region}: the pool keeps Cognito's sender "
            "(userPool.emailSender: cognito), the auth service's e-mail codes fail until it is",
        )
    if status is None:
        fix = (
            f"create it (`aws sesv2 create-email-identity --email-identity {identity} "
            f"--region {region}`, or the stack's own identity alone with `pulumi up --target`), "
            f"then {how}; or keep userPool.emailSender: cognito until then ({GUIDE})"
        )
        return Result("ses-identity", False, f"{identity} is no SES identity in {region}", fix)
    return Result(
        "ses-identity",
        False,
        f"{identity} is not verified in {region} (SES says {status})",
        f"{how} ({GUIDE})",
    )


def check_ses_sandbox(stack: Stack, clients: Clients) -> Result:
    if not stack.config.production:
        return Result(
            "ses-sandbox",
            True,
            "not needed off production (in the SES sandbox only verified recipients get mail)",
        )
    account = _call(clients, "sesv2", "get_account")
    if account.get("ProductionAccessEnabled"):
        return Result("ses-sandbox", True, f"out of the SES sandbox in {stack.config.region}")
    return Result(
        "ses-sandbox",
        False,
        f"the account is in the SES sandbox in {stack.config.region}: mail reaches only "
        "verified recipients",
        "request production access (SES console, Account dashboard; "
        "`aws sesv2 put-account-details`), which AWS reviews in about a day",
    )


def check_sms_sandbox(stack: Stack, clients: Clients) -> Result:
    if not stack.sends_sms:
        return Result("sms-sandbox", True, "no service sends SMS")
    in_sandbox = _call(clients, "sns", "get_sms_sandbox_account_status").get("IsInSandbox")
    if not in_sandbox:
        return Result("sms-sandbox", True, f"out of the SMS sandbox in {stack.config.region}")
    if not stack.config.production:
        return Result(
            "sms-sandbox",
            True,
            "in the SMS sandbox: only verified destination numbers get SMS (enough off production)",
        )
    return Result(
        "sms-sandbox",
        False,
        f"the account is in the SMS sandbox in {stack.config.region}: only verified "
        "destination numbers get SMS",
        "open an SNS case to move the account out of the SMS sandbox (SNS console, "
        "Text messaging (SMS)), with the spend quota you need",
    )


def check_sms_spend_limit(stack: Stack, clients: Clients) -> Result:
    if not stack.sends_sms:
        return Result("sms-spend-limit", True, "no service sends SMS")
    attributes = _call(clients, "sns", "get_sms_attributes", attributes=["MonthlySpendLimit"]).get(
        "attributes", {}
    )
    expected = stack.config.sms.monthly_spend_limit
    limit = attributes.get("MonthlySpendLimit")
    if limit in (None, ""):
        return Result(
            "sms-spend-limit",
            False,
            "the account's SMS spend limit is not set",
            "run the bootstrap (platform/bootstrap sets it, smsMonthlySpendLimit, $1 "
            "until the quota is raised)",
        )
    if float(limit) < expected:
        return Result(
            "sms-spend-limit",
            False,
            f"the account's SMS spend limit is ${limit} a month, the stack expects "
            f"${expected} (sms.monthlySpendLimit)",
            f"request an SMS spending quota of ${expected} (SNS case), then set the "
            "bootstrap's smsMonthlySpendLimit to it and re-run the bootstrap; or lower "
            "sms.monthlySpendLimit",
        )
    return Result(
        "sms-spend-limit",
        True,
        f"the account's SMS spend limit is ${limit} a month (the stack expects "
        f"${expected}, alarms at ${stack.config.sms.alarm_month_to_date_spend})",
    )


def check_sms_origination(stack: Stack, clients: Clients) -> Result:
    needed = [c for c in ORIGINATION_REQUIRED if c in stack.config.auth.sms_countries]
    if not stack.sends_sms or not needed:
        return Result("sms-origination", True, "no destination country needs one")
    numbers = _call(clients, "sns", "list_origination_numbers").get("PhoneNumbers", [])
    have = {
        str(number.get("Iso2CountryCode"))
        for number in numbers
        if "SMS" in (number.get("NumberCapabilities") or [])
        and str(number.get("Status", "ACTIVE")).upper() == "ACTIVE"
    }
    missing = [country for country in needed if country not in have]
    if missing:
        return Result(
            "sms-origination",
            False,
            f"no active SMS origination number for {', '.join(missing)} "
            "(auth.smsCountries sends there)",
            "register a toll-free number or 10DLC campaign (US) or a long code (CA) in AWS "
            "End User Messaging SMS (registration takes days to weeks), or remove the "
            "country from auth.smsCountries",
        )
    return Result("sms-origination", True, f"origination numbers for {', '.join(needed)}")


def check_cognito_email_role(stack: Stack, clients: Clients) -> Result:
    if not pool_sends_through_ses(stack.config):
        return Result("cognito-email-role", True, "the pool sends with Cognito's own sender")
    if _call(clients, "iam", "get_role", RoleName=COGNITO_EMAIL_ROLE) is not None:
        return Result("cognito-email-role", True, f"{COGNITO_EMAIL_ROLE} exists")
    deploy_role = f"{PROJECT}-{stack.name}-deploy"
    policy = _call(
        clients, "iam", "get_role_policy", RoleName=deploy_role, PolicyName=f"deploy-{stack.name}"
    )
    if may_create_cognito_email_role((policy or {}).get("PolicyDocument")):
        return Result(
            "cognito-email-role",
            True,
            f"{deploy_role} may create {COGNITO_EMAIL_ROLE} on the first up",
        )
    return Result(
        "cognito-email-role",
        False,
        f"{COGNITO_EMAIL_ROLE} does not exist, and no deploy role {deploy_role} may create it",
        "re-run the bootstrap (platform/bootstrap), or create it once: `aws iam "
        f"create-service-linked-role --aws-service-name {COGNITO_EMAIL_SERVICE}`",
    )


def may_create_cognito_email_role(document: Any) -> bool:
    """Whether a policy document (JSON text, URL-encoded by IAM, or parsed) allows creating
    Cognito's e-mail service-linked role."""
    if isinstance(document, str):
        from urllib.parse import unquote

        document = json.loads(unquote(document))
    if not isinstance(document, Mapping):
        return False
    statements = document.get("Statement", [])
    for statement in [statements] if isinstance(statements, Mapping) else statements:
        actions = statement.get("Action", [])
        actions = [actions] if isinstance(actions, str) else actions
        condition = statement.get("Condition", {}).get("StringEquals", {})
        services = condition.get("iam:AWSServiceName", [])
        services = [services] if isinstance(services, str) else services
        if (
            statement.get("Effect") == "Allow"
            and "iam:CreateServiceLinkedRole" in actions
            and COGNITO_EMAIL_SERVICE in services
        ):
            return True
    return False


def check_permissions_boundary(stack: Stack, clients: Clients) -> Result:
    boundary = stack.config.permissions_boundary_arn
    if boundary is None:
        return Result(
            "permissions-boundary",
            True,
            "none set (allowed off production): this stack's deploy role may create roles "
            "with any policy",
        )
    if _call(clients, "iam", "get_policy", PolicyArn=boundary) is None:
        return Result(
            "permissions-boundary",
            False,
            f"no policy {boundary} in the account: no role of the stack could be created",
            "run the bootstrap (platform/bootstrap creates it) and set its output "
            "permissions_boundary_arn as permissionsBoundaryArn",
        )
    return Result("permissions-boundary", True, f"{boundary} exists")


def check_hosted_zone(stack: Stack, clients: Clients) -> Result:
    api = stack.config.api
    if api.hosted_zone_id is None or api.domain is None:
        return Result("hosted-zone", True, "no custom domain")
    zone = _call(clients, "route53", "get_hosted_zone", Id=api.hosted_zone_id)
    if zone is None:
        return Result(
            "hosted-zone",
            False,
            f"no hosted zone {api.hosted_zone_id} in the account",
            "create the public zone and set its id as api.hostedZoneId "
            "(docs/deploy.md#custom-domain)",
        )
    name = str(zone.get("HostedZone", {}).get("Name", "")).rstrip(".").lower()
    # The API's name, and a domain identity's DKIM records, which the program puts there.
    identity = sending_identity(stack.config)
    held = [api.domain, *([identity] if "@" not in identity else [])]
    outside = [host for host in held if host != name and not host.endswith(f".{name}")]
    if outside:
        return Result(
            "hosted-zone",
            False,
            f"zone {api.hosted_zone_id} is {name}, which {', '.join(outside)} is not in",
            "set api.hostedZoneId to the zone of api.domain (and of auth.emailIdentity)",
        )
    return Result(
        "hosted-zone", True, f"zone {api.hosted_zone_id} ({name}) holds {', '.join(held)}"
    )


def check_lambda_concurrency(stack: Stack, clients: Clients) -> Result:
    settings = _call(clients, "lambda", "get_account_settings")
    limit = int(settings.get("AccountLimit", {}).get("ConcurrentExecutions", 0))
    # At the API's burst every request in flight runs in its own function instance.
    needed = stack.config.api.throttling_burst_limit
    if limit < needed:
        return Result(
            "lambda-concurrency",
            False,
            f"the account runs {limit} function instances at once, the API lets "
            f"{needed} requests in at a burst (api.throttlingBurstLimit): new accounts "
            "start with a reduced quota",
            "request Lambda's 'Concurrent executions' quota (Service Quotas, L-B99A9384) "
            f"of {needed} or more, or lower api.throttlingBurstLimit",
        )
    return Result(
        "lambda-concurrency",
        True,
        f"{limit} concurrent executions for a burst of {needed}",
    )


CHECKS: Sequence[Callable[[Stack, Clients], Result]] = (
    check_account,
    check_placeholders,
    check_ses_identity,
    check_ses_sandbox,
    check_cognito_email_role,
    check_permissions_boundary,
    check_sms_sandbox,
    check_sms_spend_limit,
    check_sms_origination,
    check_hosted_zone,
    check_lambda_concurrency,
)


def run_checks(stack: Stack, clients: Clients) -> list[Result]:
    results = []
    for check in CHECKS:
        name = check.__name__.removeprefix("check_").replace("_", "-")
        try:
            results.append(check(stack, clients))
        except CheckError as exc:
            results.append(_unreadable(name, exc))
    return results


def load_stack(name: str, config_file: Path | None = None) -> Stack:
    path = config_file or stack_file(name)
    raw = (yaml.safe_load(path.read_text()) or {}).get("config") or {}
    return Stack(
        name=name,
        config=stack_config(name, config_file=path),
        raw=raw,
        manifests=find_manifests(repo_root() / "services"),
    )


def botocore_clients(region: str) -> Clients:
    """Clients of the caller's credentials; botocore reads AWS_ENDPOINT_URL itself."""
    import botocore.config
    import botocore.session

    session = botocore.session.get_session()
    # A read that fails is reported, not retried for a minute.
    config = botocore.config.Config(
        retries={"mode": "standard", "total_max_attempts": 2}, connect_timeout=5, read_timeout=20
    )
    made: dict[str, Any] = {}

    def client(service: str) -> Any:
        if service not in made:
            made[service] = session.create_client(service, region_name=region, config=config)
        return made[service]

    return client


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        prog="python -m infra.operations.preflight",
        description="Check, read-only, whether the AWS account can take the stack.",
    )
    parser.add_argument("--stack", required=True)
    parser.add_argument("--config-file", type=Path, default=None)
    args = parser.parse_args(argv)
    stack = load_stack(args.stack, args.config_file)
    results = run_checks(stack, botocore_clients(stack.config.region))
    for result in results:
        print(result.line())  # noqa: T201 - the report is the output
    failed = sum(not result.ok for result in results)
    print(  # noqa: T201
        f"{len(results) - failed} ok, {failed} failed: "
        + ("the account can take the stack" if not failed else f"see {GUIDE}")
    )
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
