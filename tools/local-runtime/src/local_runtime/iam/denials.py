"""How each AWS service answers a call IAM refused: status, error code, body.

Pure. The shapes are the services' own, as public reports quote them:
- DynamoDB: 400, JSON 1.0, `com.amazon.coral.service#AccessDeniedException`
  with `Message` (sebdah/dynamic-dynamodb#321; 400 in aws-sdk-android#784).
- Cognito user pools (and other JSON 1.1 services): 400
  `AccessDeniedException` with `message` (lgallard/terraform-aws-cognito-user-pool#116).
- SNS: 403 `AuthorizationError`, the action written `SNS:Publish`
  (Miserlou/Zappa#1941, aws-ia/terraform-aws-control_tower_account_factory#151).
- SES: 403 `AccessDenied`, in SES's own wording with backquotes
  (dwyl/aws-ses-lambda#10, danielireson/formplug#11).
The message is IAM's: `User: <principal> is not authorized to perform:
<action> on resource: <resource> because no identity-based policy allows the
<action> action`, or `... with an explicit deny in an identity-based policy`
(IAM User Guide, "Access denied error messages").

A request with no signature for an operation that needs one gets the
service's `MissingAuthenticationTokenException` (DynamoDB: 400, "Request is
missing Authentication Token", architect/dynalite#105).
"""

from __future__ import annotations

import json
import uuid
from dataclasses import dataclass
from xml.sax.saxutils import escape

from local_runtime.iam.calls import ApiCall
from local_runtime.iam.policy import AccessRequest, Decision

_JSON_1_0 = "application/x-amz-json-1.0"
_JSON_1_1 = "application/x-amz-json-1.1"
_QUERY_NAMESPACES = {
    "sns": "http://sns.amazonaws.com/doc/2010-03-31/",
    "ses": "http://ses.amazonaws.com/doc/2010-12-01/",
    "sts": "https://sts.amazonaws.com/doc/2011-06-15/",
}


@dataclass(frozen=True)
class Answer:
    status: int
    headers: list[tuple[str, str]]
    body: bytes

    @property
    def status_line(self) -> str:
        return {400: "400 Bad Request", 403: "403 Forbidden"}[self.status]


def iam_message(principal: str, request: AccessRequest, decision: Decision) -> str:
    why = (
        "with an explicit deny in an identity-based policy"
        if decision is Decision.EXPLICIT_DENY
        else f"because no identity-based policy allows the {request.action} action"
    )
    return (
        f"User: {principal} is not authorized to perform: {request.action} "
        f"on resource: {request.resource} {why}"
    )


def access_denied(
    call: ApiCall, principal: str, request: AccessRequest, decision: Decision
) -> Answer:
    if call.service == "sns":
        action = "SNS:" + request.action.split(":", 1)[1]
        shown = AccessRequest(action, request.resource, request.context)
        return _query_error(
            call, 403, "AuthorizationError", iam_message(principal, shown, decision)
        )
    if call.service == "ses":
        message = (
            f"User `{principal}' is not authorized to perform `{request.action}' "
            f"on resource `{request.resource}'"
        )
        return _query_error(call, 403, "AccessDenied", message)
    message = iam_message(principal, request, decision)
    if call.service == "dynamodb":
        return _json_error(
            400, "com.amazon.coral.service#AccessDeniedException", message, _JSON_1_0, "Message"
        )
    if call.protocol == "json":
        return _json_error(400, "AccessDeniedException", message, _JSON_1_1)
    return _query_error(call, 403, "AccessDenied", message)


def missing_authentication(call: ApiCall) -> Answer:
    if call.service == "dynamodb":
        return _json_error(
            400,
            "com.amazon.coral.service#MissingAuthenticationTokenException",
            "Request is missing Authentication Token",
            _JSON_1_0,
            "Message",
        )
    if call.protocol == "json":
        return _json_error(
            400, "MissingAuthenticationTokenException", "Missing Authentication Token", _JSON_1_1
        )
    return _query_error(call, 403, "MissingAuthenticationToken", "Missing Authentication Token")


def _json_error(
    status: int, error_type: str, message: str, content_type: str, message_key: str = "message"
) -> Answer:
    body = json.dumps({"__type": error_type, message_key: message}).encode()
    request_id = str(uuid.uuid4())
    headers = [
        ("Content-Type", content_type),
        ("x-amzn-RequestId", request_id),
        ("x-amzn-ErrorType", error_type.rpartition("#")[2]),
        ("Content-Length", str(len(body))),
    ]
    return Answer(status, headers, body)


def _query_error(call: ApiCall, status: int, code: str, message: str) -> Answer:
    namespace = _QUERY_NAMESPACES.get(call.service, f"https://{call.service}.amazonaws.com/")
    request_id = str(uuid.uuid4())
    body = (
        f'<ErrorResponse xmlns="{namespace}"><Error><Type>Sender</Type>'
        f"<Code>{escape(code)}</Code><Message>{escape(message)}</Message></Error>"
        f"<RequestId>{request_id}</RequestId></ErrorResponse>"
    ).encode()
    headers = [
        ("Content-Type", "text/xml"),
        ("x-amzn-RequestId", request_id),
        ("Content-Length", str(len(body))),
    ]
    return Answer(status, headers, body)
