"""Transport glue shared by the services. Never domain code."""

from service_kernel.app import LambdaHandler, create_app, lambda_handler
from service_kernel.errors import ApiError, error_body, error_response
from service_kernel.identity import Caller, CallerDep, get_caller
from service_kernel.log import get_logger
from service_kernel.request_context import current_request_id
from service_kernel.settings import SettingsError, load_settings

__all__ = [
    "ApiError",
    "Caller",
    "CallerDep",
    "LambdaHandler",
    "SettingsError",
    "create_app",
    "current_request_id",
    "error_body",
    "error_response",
    "get_caller",
    "get_logger",
    "lambda_handler",
    "load_settings",
]
