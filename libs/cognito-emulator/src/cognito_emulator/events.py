"""Trigger events in the shapes Cognito sends (developer guide, "Lambda trigger
parameters": the common fields plus each trigger's `request` and `response`)."""

from __future__ import annotations

from typing import Any

# Cognito reports the SDK that made the call; any stable string will do here.
SDK_VERSION = "aws-sdk-unknown-unknown"


def common(
    trigger_source: str, region: str, user_pool_id: str, user_name: str, client_id: str
) -> dict[str, Any]:
    return {
        "version": "1",
        "triggerSource": trigger_source,
        "region": region,
        "userPoolId": user_pool_id,
        "userName": user_name,
        "callerContext": {"awsSdkVersion": SDK_VERSION, "clientId": client_id},
    }


def pre_sign_up(
    base: dict[str, Any],
    user_attributes: dict[str, str],
    validation_data: dict[str, str],
    client_metadata: dict[str, str],
) -> dict[str, Any]:
    return {
        **base,
        "request": {
            "userAttributes": user_attributes,
            "validationData": validation_data,
            "clientMetadata": client_metadata,
        },
        "response": {"autoConfirmUser": False, "autoVerifyEmail": False, "autoVerifyPhone": False},
    }


def define_auth_challenge(
    base: dict[str, Any],
    user_attributes: dict[str, str],
    session: list[dict[str, Any]],
    client_metadata: dict[str, str],
    user_not_found: bool,
) -> dict[str, Any]:
    return {
        **base,
        "request": {
            "userAttributes": user_attributes,
            "session": session,
            "clientMetadata": client_metadata,
            "userNotFound": user_not_found,
        },
        "response": {"challengeName": None, "issueTokens": False, "failAuthentication": False},
    }


def create_auth_challenge(
    base: dict[str, Any],
    user_attributes: dict[str, str],
    challenge_name: str,
    session: list[dict[str, Any]],
    client_metadata: dict[str, str],
    user_not_found: bool,
) -> dict[str, Any]:
    return {
        **base,
        "request": {
            "userAttributes": user_attributes,
            "challengeName": challenge_name,
            "session": session,
            "clientMetadata": client_metadata,
            "userNotFound": user_not_found,
        },
        "response": {
            "publicChallengeParameters": {},
            "privateChallengeParameters": {},
            "challengeMetadata": None,
        },
    }


def verify_auth_challenge_response(
    base: dict[str, Any],
    user_attributes: dict[str, str],
    private_challenge_parameters: dict[str, str],
    challenge_answer: str,
    client_metadata: dict[str, str],
    user_not_found: bool,
) -> dict[str, Any]:
    return {
        **base,
        "request": {
            "userAttributes": user_attributes,
            "privateChallengeParameters": private_challenge_parameters,
            "challengeAnswer": challenge_answer,
            "clientMetadata": client_metadata,
            "userNotFound": user_not_found,
        },
        "response": {"answerCorrect": False},
    }


# The placeholders Cognito hands a custom message trigger (developer guide,
# "Custom message Lambda trigger"): the message it returns must keep the code's.
CODE_PARAMETER = "{####}"
LINK_PARAMETER = "{##Click Here##}"
USERNAME_PARAMETER = "{username}"


def custom_message(
    base: dict[str, Any],
    user_attributes: dict[str, str],
    client_metadata: dict[str, str],
    username_parameter: str | None,
) -> dict[str, Any]:
    """usernameParameter is set for CustomMessage_AdminCreateUser only."""
    return {
        **base,
        "request": {
            "userAttributes": user_attributes,
            "codeParameter": CODE_PARAMETER,
            "linkParameter": LINK_PARAMETER,
            "usernameParameter": username_parameter,
            "clientMetadata": client_metadata,
        },
        "response": {"smsMessage": None, "emailMessage": None, "emailSubject": None},
    }
