"""Transport glue shared by the services. Never domain code.

The names below load lazily, so a Lambda that needs only `settings` or `aws`
(a Cognito trigger, say) never imports FastAPI.
"""

from __future__ import annotations

from importlib import import_module
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from service_kernel.app import LambdaHandler, create_app, lambda_handler
    from service_kernel.errors import (
        RETRY_AFTER,
        ApiError,
        ErrorBody,
        ErrorCatalogue,
        ErrorRow,
        error_body,
        error_response,
        error_responses,
    )
    from service_kernel.identity import Caller, CallerDep, get_caller
    from service_kernel.invocation import lambda_function
    from service_kernel.log import get_logger
    from service_kernel.openapi import AnswerBody
    from service_kernel.parameters import secret_value
    from service_kernel.request_context import current_request_id
    from service_kernel.settings import ServiceSettings, SettingsError, load_settings

_HOMES = {
    "LambdaHandler": "app",
    "create_app": "app",
    "lambda_handler": "app",
    "ApiError": "errors",
    "error_body": "errors",
    "error_response": "errors",
    "Caller": "identity",
    "CallerDep": "identity",
    "get_caller": "identity",
    "lambda_function": "invocation",
    "get_logger": "log",
    "AnswerBody": "openapi",
    "ErrorBody": "errors",
    "ErrorCatalogue": "errors",
    "ErrorRow": "errors",
    "RETRY_AFTER": "errors",
    "error_responses": "errors",
    "secret_value": "parameters",
    "ServiceSettings": "settings",
    "current_request_id": "request_context",
    "SettingsError": "settings",
    "load_settings": "settings",
}

__all__ = [
    "RETRY_AFTER",
    "AnswerBody",
    "ApiError",
    "Caller",
    "CallerDep",
    "ErrorBody",
    "ErrorCatalogue",
    "ErrorRow",
    "LambdaHandler",
    "ServiceSettings",
    "SettingsError",
    "create_app",
    "current_request_id",
    "error_body",
    "error_response",
    "error_responses",
    "get_caller",
    "get_logger",
    "lambda_function",
    "lambda_handler",
    "load_settings",
    "secret_value",
]


def __getattr__(name: str) -> Any:
    home = _HOMES.get(name)
    if home is None:
        raise AttributeError(f"module 'service_kernel' has no attribute {name!r}")
    return getattr(import_module(f"service_kernel.{home}"), name)
