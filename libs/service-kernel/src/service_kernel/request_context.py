"""The id of the request being served, readable from anywhere in that request."""

from __future__ import annotations

import re
import uuid
from collections.abc import Mapping
from contextvars import ContextVar
from typing import Any

_request_id: ContextVar[str] = ContextVar("request_id", default="")

# A client-sent id is echoed only when it is plain and short, so it can never
# inject into logs or headers.
SAFE_REQUEST_ID = re.compile(r"^[A-Za-z0-9._:-]{1,128}$")


def current_request_id() -> str:
    return _request_id.get()


def set_request_id(request_id: str) -> None:
    _request_id.set(request_id)


def choose_request_id(client_id: str, scope: Mapping[str, Any]) -> str:
    """The client's `x-request-id` if it sent a usable one, else the Lambda
    request id, else a fresh id (local ASGI use)."""
    if client_id and SAFE_REQUEST_ID.match(client_id):
        return client_id
    context = scope.get("aws.context")
    lambda_id = getattr(context, "aws_request_id", None)
    if isinstance(lambda_id, str) and lambda_id:
        return lambda_id
    return str(uuid.uuid4())
