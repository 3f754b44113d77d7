"""The emulated AWS account: what a fresh account refuses, and the account-wide reads
moto lacks. A WSGI layer in front of moto (behind the IAM gate, as AWS authorises first).

moto takes a user pool that sends through any SES identity, and any SMS spend limit.
A new account takes neither, so neither does this layer:

- **A pool that sends through an unverified SES identity.** With
  `EmailSendingAccount: DEVELOPER`, Cognito checks the exact identity its `SourceArn`
  names (the address's own identity when that is the ARN, even where its domain is
  verified) and refuses `CreateUserPool` and `UpdateUserPool` with
  `InvalidParameterException`, "Cognito received the following error from Amazon SES
  when attempting to send email: Email address is not verified. The following
  identities failed the check in region <REGION>: <arn>" (aws/aws-cdk#18964,
  aws-amplify/amplify-backend#3134). pulumi-aws retries no such error
  (terraform-provider-aws, internal/service/cognitoidp/user_pool.go retries only two
  SMS-role errors), so the order in which the program creates the identity and the
  pool is what decides. Here an identity is verified once it exists in the emulator's
  SES (`make dev` verifies each identity it creates: nobody clicks a link locally).
- **An SMS spend limit above the account's quota.** Every new account's monthly SMS
  spending quota is $1.00 (Amazon SNS Developer Guide, "Requesting increases to your
  monthly SMS spending quota"), and `SetSMSAttributes` refuses a `MonthlySpendLimit`
  above it; the provider does not retry (internal/service/sns/sms_preferences.go). The
  error code is SNS's `InvalidParameter`; the wording is this layer's.

A pool that sends through SES also makes Cognito create its e-mail service-linked role
(`AWSServiceRoleForAmazonCognitoIdpEmailService`, Amazon Cognito Developer Guide,
"Using service-linked roles"); so does this layer, in moto's IAM.

The reads `make preflight` makes that moto does not serve are answered from the
account's `Settings`: SNS `GetSMSSandboxAccountStatus` and `ListOriginationNumbers`,
SES v2 `GetAccount`, Lambda `GetAccountSettings`.
"""

from __future__ import annotations

import json
import uuid
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass
from typing import Any
from xml.sax.saxutils import escape

from local_runtime.iam.calls import ApiCall, read_call
from local_runtime.wsgi_body import buffer_body

WsgiApp = Callable[[dict[str, Any], Callable[..., Any]], Iterable[bytes]]

COGNITO_EMAIL_SERVICE = "email.cognito-idp.amazonaws.com"
COGNITO_EMAIL_ROLE = "AWSServiceRoleForAmazonCognitoIdpEmailService"
_SNS_NAMESPACE = "http://sns.amazonaws.com/doc/2010-03-31/"


@dataclass(frozen=True)
class OriginationNumber:
    phone_number: str
    country: str  # ISO 3166-1 alpha-2
    number_type: str = "TOLL_FREE"


@dataclass(frozen=True)
class Settings:
    """What the account has, in the emulator's region."""

    # USD a month; SetSMSAttributes refuses a MonthlySpendLimit above it.
    sms_spend_quota: float = 1.0
    in_sms_sandbox: bool = True
    ses_production_access: bool = False
    # Lambda's concurrent executions. New accounts start reduced (Lambda Developer
    # Guide, "Lambda quotas"; 10 is what new accounts are reported to get).
    lambda_concurrency: int = 10
    origination_numbers: tuple[OriginationNumber, ...] = ()


# A new account, as AWS opens it.
FRESH = Settings()
# `make dev`'s account: the one-time account setup done as docs/deploy.md's checklist
# does it for a stack off production (the bootstrap's $1 spend limit within the fresh
# quota, both sandboxes kept, origination numbers for the US and Canada), with Lambda's
# default 1,000 concurrent executions. The numbers are fictional (NANP 555-01xx).
SET_UP = Settings(
    lambda_concurrency=1000,
    origination_numbers=(
        OriginationNumber("+18555550199", "US"),
        OriginationNumber("+12045550199", "CA", "LONG_CODE"),
    ),
)
# The SMS preferences the bootstrap sets (platform/bootstrap, account_settings.py).
SET_UP_SMS_ATTRIBUTES = {"MonthlySpendLimit": "1", "DefaultSMSType": "Transactional"}


@dataclass(frozen=True)
class Reply:
    status: str
    headers: list[tuple[str, str]]
    body: bytes


class Account:
    """The layer: refuses what a fresh account refuses, answers what moto lacks."""

    def __init__(self, app: WsgiApp, *, region: str, account_id: str, settings: Settings) -> None:
        self._app = app
        self._region = region
        self._account_id = account_id
        self.settings = settings

    def __call__(
        self, environ: dict[str, Any], start_response: Callable[..., Any]
    ) -> Iterable[bytes]:
        body = buffer_body(environ)
        reply = self._reply(environ, body)
        if reply is not None:
            start_response(reply.status, reply.headers)
            return [reply.body]
        result = self._app(environ, start_response)
        call = self._call(environ, body)
        if call is not None and call.operation == "CreateUserPool" and _sends_through_ses(call):
            result = list(result)
            self._link_cognito_email_role()
        return result

    def _call(self, environ: Mapping[str, Any], body: bytes) -> ApiCall | None:
        headers = {
            key[5:].replace("_", "-").lower(): str(value)
            for key, value in environ.items()
            if key.startswith("HTTP_")
        }
        return read_call(headers, body, self._region)

    def _reply(self, environ: Mapping[str, Any], body: bytes) -> Reply | None:
        method, path = environ.get("REQUEST_METHOD", ""), str(environ.get("PATH_INFO", ""))
        if method == "GET" and path.rstrip("/") == "/v2/email/account":
            return _json(
                {
                    "ProductionAccessEnabled": self.settings.ses_production_access,
                    "SendingEnabled": True,
                    "EnforcementStatus": "HEALTHY",
                    "DedicatedIpAutoWarmupEnabled": False,
                }
            )
        if method == "GET" and path.rstrip("/") == "/2016-08-19/account-settings":
            concurrency = self.settings.lambda_concurrency
            return _json(
                {
                    "AccountLimit": {
                        "ConcurrentExecutions": concurrency,
                        "UnreservedConcurrentExecutions": concurrency,
                    },
                    "AccountUsage": {"TotalCodeSize": 0, "FunctionCount": 0},
                }
            )
        call = self._call(environ, body)
        if call is None:
            return None
        if call.service == "cognito-idp" and call.operation in ("CreateUserPool", "UpdateUserPool"):
            return self._unverified_sender(call)
        if call.service == "sns" and call.operation == "SetSMSAttributes":
            return self._spend_above_quota(call)
        if call.service == "sns" and call.operation == "GetSMSSandboxAccountStatus":
            sandbox = "true" if self.settings.in_sms_sandbox else "false"
            return _query_result(call.operation, f"<IsInSandbox>{sandbox}</IsInSandbox>")
        if call.service == "sns" and call.operation == "ListOriginationNumbers":
            members = "".join(
                "<member>"
                f"<PhoneNumber>{escape(n.phone_number)}</PhoneNumber><Status>ACTIVE</Status>"
                f"<Iso2CountryCode>{n.country}</Iso2CountryCode>"
                "<RouteType>Transactional</RouteType>"
                "<NumberCapabilities><member>SMS</member></NumberCapabilities>"
                f"<NumberType>{n.number_type}</NumberType>"
                "</member>"
                for n in self.settings.origination_numbers
            )
            return _query_result(call.operation, f"<PhoneNumbers>{members}</PhoneNumbers>")
        return None

    def _unverified_sender(self, call: ApiCall) -> Reply | None:
        email = call.parameters.get("EmailConfiguration") or {}
        if email.get("EmailSendingAccount") != "DEVELOPER":
            return None
        arn = str(email.get("SourceArn", ""))
        if self._verified(arn):
            return None
        region = arn.split(":")[3] if arn.count(":") >= 5 else self._region
        message = (
            "Cognito received the following error from Amazon SES when attempting to send "
            "email: Email address is not verified. The following identities failed the check "
            f"in region {region.upper()}: {arn}"
        )
        return _json({"__type": "InvalidParameterException", "message": message}, status=400)

    def _verified(self, arn: str) -> bool:
        parts = arn.split(":", 5)
        if len(parts) != 6 or parts[2] != "ses" or not parts[5].startswith("identity/"):
            return False
        if parts[4] != self._account_id:
            return False
        from moto.ses.models import ses_backends

        identities = ses_backends[self._account_id][parts[3]].email_identities
        return parts[5].removeprefix("identity/") in identities

    def _spend_above_quota(self, call: ApiCall) -> Reply | None:
        attributes = _sms_attributes(call.parameters)
        limit = attributes.get("MonthlySpendLimit")
        try:
            above = limit not in (None, "") and float(str(limit)) > self.settings.sms_spend_quota
        except ValueError:
            above = True
        if not above:
            return None
        message = (
            f"Invalid parameter: MonthlySpendLimit {limit} is above the account's monthly SMS "
            f"spending quota of {self.settings.sms_spend_quota:g} USD; request a quota increase"
        )
        return _query_error("InvalidParameter", message)

    def _link_cognito_email_role(self) -> None:
        from moto.iam.models import iam_backends

        iam = iam_backends[self._account_id]["global"]
        if COGNITO_EMAIL_ROLE in {role.name for role in iam.roles.values()}:
            return
        trust = {
            "Version": "2012-10-17",
            "Statement": [
                {
                    "Effect": "Allow",
                    "Principal": {"Service": [COGNITO_EMAIL_SERVICE]},
                    "Action": ["sts:AssumeRole"],
                }
            ],
        }
        iam.create_role(
            COGNITO_EMAIL_ROLE,
            json.dumps(trust),
            f"/aws-service-role/{COGNITO_EMAIL_SERVICE}/",
            permissions_boundary=None,
            description="Cognito sends the pool's mail through SES",
            tags=[],
            max_session_duration="3600",
            linked_service=COGNITO_EMAIL_SERVICE,
        )


def _sends_through_ses(call: ApiCall) -> bool:
    email = call.parameters.get("EmailConfiguration") or {}
    return bool(email.get("EmailSendingAccount") == "DEVELOPER")


def _sms_attributes(form: Mapping[str, Any]) -> dict[str, str]:
    """`attributes.entry.<n>.key` / `.value` form fields → {key: value}."""
    keys = {
        name.split(".")[2]: str(value)
        for name, value in form.items()
        if name.startswith("attributes.entry.") and name.endswith(".key")
    }
    return {
        key: str(form.get(f"attributes.entry.{index}.value", "")) for index, key in keys.items()
    }


def _json(document: Mapping[str, Any], status: int = 200) -> Reply:
    body = json.dumps(document).encode()
    headers = [
        ("Content-Type", "application/x-amz-json-1.1"),
        ("x-amzn-RequestId", str(uuid.uuid4())),
        ("Content-Length", str(len(body))),
    ]
    if status != 200:
        headers.append(("x-amzn-ErrorType", str(document.get("__type", ""))))
    return Reply("200 OK" if status == 200 else "400 Bad Request", headers, body)


def _query_result(operation: str, inner: str) -> Reply:
    body = (
        f'<{operation}Response xmlns="{_SNS_NAMESPACE}"><{operation}Result>{inner}'
        f"</{operation}Result><ResponseMetadata><RequestId>{uuid.uuid4()}</RequestId>"
        f"</ResponseMetadata></{operation}Response>"
    ).encode()
    return Reply("200 OK", [("Content-Type", "text/xml"), ("Content-Length", str(len(body)))], body)


def _query_error(code: str, message: str) -> Reply:
    body = (
        f'<ErrorResponse xmlns="{_SNS_NAMESPACE}"><Error><Type>Sender</Type>'
        f"<Code>{escape(code)}</Code><Message>{escape(message)}</Message></Error>"
        f"<RequestId>{uuid.uuid4()}</RequestId></ErrorResponse>"
    ).encode()
    headers = [("Content-Type", "text/xml"), ("Content-Length", str(len(body)))]
    return Reply("400 Bad Request", headers, body)
