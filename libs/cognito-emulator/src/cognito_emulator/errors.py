"""The Cognito errors moto has no class for, named and worded as Cognito answers them."""

from __future__ import annotations

from moto.core.exceptions import JsonRESTError


class CognitoError(JsonRESTError):
    """A Cognito error: `error_type` is the `__type` the SDK raises as `Error.Code`."""

    code = 400


def user_lambda_validation(trigger: str, detail: str) -> CognitoError:
    # Cognito wraps a trigger's own error: "<Trigger> failed with error <message>."
    return CognitoError("UserLambdaValidationException", f"{trigger} failed with error {detail}.")


def invalid_lambda_response(trigger: str) -> CognitoError:
    return CognitoError(
        "InvalidLambdaResponseException", f"Invalid lambda response from the {trigger} trigger."
    )


def not_authorized(message: str) -> CognitoError:
    return CognitoError("NotAuthorizedException", message)


def invalid_parameter(message: str) -> CognitoError:
    return CognitoError("InvalidParameterException", message)
