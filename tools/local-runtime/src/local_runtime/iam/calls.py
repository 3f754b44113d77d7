"""What an AWS API request is: which service and operation, signed by whom.

Pure. Read from the request as the SDK sends it: the service, region and
access key from the SigV4 `Authorization` header's credential scope
(`Credential=<key>/<date>/<region>/<service>/aws4_request`), the operation
from `X-Amz-Target` (JSON protocols: DynamoDB, Cognito, SSM) or the `Action`
form field (query protocols: SNS, SES, STS), and its parameters from the body.
A request that names no operation (a REST-protocol call, moto's own pages,
a pool's JWKS) is `None`: the gate lets the emulator answer it, or refuses
it for a function (see `gate`).
"""

from __future__ import annotations

import json
import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from functools import cache
from typing import Any, Literal
from urllib.parse import parse_qsl

Protocol = Literal["json", "query"]

_CREDENTIAL = re.compile(r"Credential=([^/,\s]+)/[^/]+/([^/]+)/([^/]+)/aws4_request")
# X-Amz-Target prefixes of the JSON services, for unsigned requests (no scope).
_TARGET_SERVICES = {
    "DynamoDB_20120810": "dynamodb",
    "AWSCognitoIdentityProviderService": "cognito-idp",
    "AmazonSSM": "ssm",
}


@dataclass(frozen=True)
class ApiCall:
    service: str  # the signing name: dynamodb, cognito-idp, sns, ses, ssm, sts...
    operation: str  # GetItem, AdminCreateUser, Publish...
    protocol: Protocol
    region: str
    access_key: str | None  # None: the request is not signed
    parameters: Mapping[str, Any] = field(default_factory=dict)


def read_call(headers: Mapping[str, str], body: bytes, default_region: str) -> ApiCall | None:
    """The API call in a request (`headers` keyed in lower case)."""
    scope = _CREDENTIAL.search(headers.get("authorization", ""))
    access_key, region, service = scope.groups() if scope else (None, default_region, "")
    target = headers.get("x-amz-target", "")
    if target:
        prefix, _, operation = target.rpartition(".")
        service = service or _TARGET_SERVICES.get(prefix, "")
        if not service or not operation:
            return None
        return ApiCall(service, operation, "json", region, access_key, _json(body))
    form = dict(parse_qsl(body.decode("utf-8", "replace"), keep_blank_values=True))
    if service and form.get("Action"):
        return ApiCall(service, form["Action"], "query", region, access_key, form)
    return None


def _json(body: bytes) -> Mapping[str, Any]:
    try:
        parsed = json.loads(body or b"{}")
    except ValueError:
        return {}
    return parsed if isinstance(parsed, dict) else {}


def needs_signature(service: str, operation: str) -> bool:
    """Whether AWS authenticates (and so authorises) this operation: botocore's
    model marks those it sends unsigned (`authtype: none`, e.g. Cognito's
    InitiateAuth, SignUp, GetUser: public app-client calls, see Cognito's
    "signed versus unsigned APIs")."""
    return operation not in _unsigned_operations(service)


@cache
def _unsigned_operations(service: str) -> frozenset[str]:
    import botocore.session
    from botocore.exceptions import UnknownServiceError

    try:
        model = botocore.session.get_session().get_service_model(service)
    except UnknownServiceError:
        return frozenset()
    unsigned = set()
    for name in model.operation_names:
        operation = model.operation_model(name)
        auth = getattr(operation, "auth", None) or ()
        if operation.auth_type == "none" or list(auth) == ["smithy.api#noAuth"]:
            unsigned.add(name)
    return frozenset(unsigned)
