"""Each service's answer to a call IAM refused, in the shape the service
itself gives (the reports each case cites)."""

from __future__ import annotations

import json

from local_runtime.iam.calls import ApiCall, Protocol
from local_runtime.iam.denials import access_denied, iam_message, missing_authentication
from local_runtime.iam.policy import AccessRequest, Decision

PRINCIPAL = "arn:aws:sts::123456789012:assumed-role/app-items-api/app-items-api"
TABLE = "arn:aws:dynamodb:eu-west-1:123456789012:table/app"


def call(service: str, protocol: Protocol = "json") -> ApiCall:
    return ApiCall(service, "Op", protocol, "eu-west-1", "ASIA")


def test_iams_message_for_an_implicit_and_an_explicit_deny() -> None:
    """IAM User Guide, "Access denied error messages"; quoted in full by
    AntonShuvaev/intellij-dynamodb#29 (implicit)."""
    request = AccessRequest.of("dynamodb:Query", TABLE)
    assert iam_message(PRINCIPAL, request, Decision.IMPLICIT_DENY) == (
        f"User: {PRINCIPAL} is not authorized to perform: dynamodb:Query on resource: "
        f"{TABLE} because no identity-based policy allows the dynamodb:Query action"
    )
    assert iam_message(PRINCIPAL, request, Decision.EXPLICIT_DENY) == (
        f"User: {PRINCIPAL} is not authorized to perform: dynamodb:Query on resource: "
        f"{TABLE} with an explicit deny in an identity-based policy"
    )


def test_dynamodb_answers_400_with_coral_access_denied_and_capital_message() -> None:
    """sebdah/dynamic-dynamodb#321 (body), aws-sdk-android#784 (400)."""
    request = AccessRequest.of("dynamodb:GetItem", TABLE)
    answer = access_denied(call("dynamodb"), PRINCIPAL, request, Decision.IMPLICIT_DENY)
    assert answer.status == 400
    assert ("Content-Type", "application/x-amz-json-1.0") in answer.headers
    assert json.loads(answer.body) == {
        "__type": "com.amazon.coral.service#AccessDeniedException",
        "Message": iam_message(PRINCIPAL, request, Decision.IMPLICIT_DENY),
    }


def test_cognito_answers_400_access_denied_exception() -> None:
    """lgallard/terraform-aws-cognito-user-pool#116: 400, AccessDeniedException."""
    request = AccessRequest.of("cognito-idp:AdminDeleteUser", "arn:aws:cognito-idp:r:1:userpool/p")
    answer = access_denied(call("cognito-idp"), PRINCIPAL, request, Decision.IMPLICIT_DENY)
    assert answer.status == 400
    assert json.loads(answer.body)["__type"] == "AccessDeniedException"
    assert (
        "because no identity-based policy allows the cognito-idp:AdminDeleteUser"
        in (json.loads(answer.body)["message"])
    )


def test_sns_answers_403_authorization_error_naming_sns_publish() -> None:
    """Miserlou/Zappa#1941 and aws-ia/...control_tower_account_factory#151:
    AuthorizationError, `SNS:Publish`; SNS API reference: 403."""
    request = AccessRequest.of("sns:Publish", "arn:aws:sns:eu-west-1:1:alerts")
    answer = access_denied(call("sns", "query"), PRINCIPAL, request, Decision.EXPLICIT_DENY)
    assert answer.status == 403
    body = answer.body.decode()
    assert "<Code>AuthorizationError</Code>" in body
    assert (
        f"User: {PRINCIPAL} is not authorized to perform: SNS:Publish on resource: "
        "arn:aws:sns:eu-west-1:1:alerts with an explicit deny in an identity-based policy"
    ) in body


def test_ses_answers_403_access_denied_in_its_own_wording() -> None:
    """dwyl/aws-ses-lambda#10 (message), danielireson/formplug#11 (403)."""
    identity = "arn:aws:ses:eu-west-1:1:identity/a@example.com"
    request = AccessRequest.of("ses:SendEmail", identity)
    answer = access_denied(call("ses", "query"), PRINCIPAL, request, Decision.IMPLICIT_DENY)
    assert answer.status == 403
    body = answer.body.decode()
    assert "<Code>AccessDenied</Code>" in body
    assert (
        f"<Message>User `{PRINCIPAL}' is not authorized to perform `ses:SendEmail' "
        f"on resource `{identity}'</Message>"
    ) in body


def test_an_unsigned_call_that_needs_a_signature_is_missing_its_token() -> None:
    """architect/dynalite#105: 400 MissingAuthenticationTokenException,
    "Request is missing Authentication Token"."""
    answer = missing_authentication(call("dynamodb"))
    assert answer.status == 400
    assert json.loads(answer.body) == {
        "__type": "com.amazon.coral.service#MissingAuthenticationTokenException",
        "Message": "Request is missing Authentication Token",
    }
