"""The events Cognito sends the five triggers, as types (developer guide,
"Lambda trigger parameters": the common fields, then each trigger's `request`,
and the `response` the function fills in and returns).

A key Cognito may leave out (`clientMetadata` when the caller sent none,
`challengeMetadata` before a challenge set one) is `NotRequired`; the code
reads those with `.get`. Types only: nothing here runs at import but typing."""

from __future__ import annotations

from typing import NotRequired, TypedDict


class CallerContext(TypedDict):
    awsSdkVersion: str
    # The app client, or CLIENT_ID_NOT_APPLICABLE for an IAM call (AdminCreateUser).
    clientId: str


class _Common(TypedDict):
    version: str
    triggerSource: str
    region: str
    userPoolId: str
    userName: str
    callerContext: CallerContext


# ---- PreSignUp ----


class PreSignUpRequest(TypedDict):
    userAttributes: dict[str, str]
    # Whatever the caller of SignUp sent: never trusted.
    validationData: NotRequired[dict[str, str] | None]
    clientMetadata: NotRequired[dict[str, str]]


class PreSignUpResponse(TypedDict):
    autoConfirmUser: bool
    autoVerifyEmail: bool
    autoVerifyPhone: bool


class PreSignUpEvent(_Common):
    request: PreSignUpRequest
    response: PreSignUpResponse


# ---- the custom-auth triggers ----


class ChallengeResult(TypedDict):
    """One answered challenge of this sign-in, as the session list holds it."""

    challengeName: str
    challengeResult: bool
    challengeMetadata: NotRequired[str]


class DefineAuthChallengeRequest(TypedDict):
    userAttributes: dict[str, str]
    session: list[ChallengeResult]
    clientMetadata: NotRequired[dict[str, str]]
    userNotFound: NotRequired[bool]


class DefineAuthChallengeResponse(TypedDict):
    challengeName: NotRequired[str | None]
    issueTokens: bool
    failAuthentication: bool


class DefineAuthChallengeEvent(_Common):
    request: DefineAuthChallengeRequest
    response: DefineAuthChallengeResponse


class CreateAuthChallengeRequest(TypedDict):
    userAttributes: dict[str, str]
    challengeName: str
    session: list[ChallengeResult]
    clientMetadata: NotRequired[dict[str, str]]
    userNotFound: NotRequired[bool]


class CreateAuthChallengeResponse(TypedDict):
    # Sent to the client as ChallengeParameters (plus USERNAME).
    publicChallengeParameters: dict[str, str]
    # Kept by Cognito, handed to the verify trigger.
    privateChallengeParameters: dict[str, str]
    # Kept by Cognito in the session list, handed to the next define and create.
    challengeMetadata: str | None


class CreateAuthChallengeEvent(_Common):
    request: CreateAuthChallengeRequest
    response: CreateAuthChallengeResponse


class VerifyAuthChallengeRequest(TypedDict):
    userAttributes: dict[str, str]
    privateChallengeParameters: dict[str, str]
    challengeAnswer: str
    clientMetadata: NotRequired[dict[str, str]]
    userNotFound: NotRequired[bool]


class VerifyAuthChallengeResponse(TypedDict):
    answerCorrect: bool


class VerifyAuthChallengeEvent(_Common):
    request: VerifyAuthChallengeRequest
    response: VerifyAuthChallengeResponse


# ---- CustomMessage ----


class CustomMessageRequest(TypedDict):
    userAttributes: dict[str, str]
    # Placeholders Cognito replaces with the code (and, for an invitation,
    # the username) in the text the function answers.
    codeParameter: str
    linkParameter: NotRequired[str | None]
    usernameParameter: NotRequired[str | None]
    # What the caller of SignUp (and the other calls that send) passed.
    clientMetadata: NotRequired[dict[str, str]]


class CustomMessageResponse(TypedDict):
    # None: Cognito's own text.
    smsMessage: str | None
    emailMessage: str | None
    emailSubject: str | None


class CustomMessageEvent(_Common):
    request: CustomMessageRequest
    response: CustomMessageResponse
