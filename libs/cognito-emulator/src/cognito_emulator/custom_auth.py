"""The CUSTOM_AUTH flow, sequenced as the developer guide's "Custom
authentication challenge Lambda triggers" describes it:

InitiateAuth → define (empty session) → create → CUSTOM_CHALLENGE + Session;
RespondToAuthChallenge → verify → the answer appended to the session list →
define → tokens, a failure, or create again with a new Session.
"""

from __future__ import annotations

from typing import Any

from moto.cognitoidp.models import (
    CognitoIdpUser,
    CognitoIdpUserPool,
    CognitoIdpUserPoolClient,
    UserStatus,
    cognitoidp_backends,
)

from cognito_emulator import errors, events
from cognito_emulator.client_secrets import require_secret_hash
from cognito_emulator.state import STATE, CustomAuthSession
from cognito_emulator.triggers import backend_of, invoke, user_attributes

CUSTOM_CHALLENGE = "CUSTOM_CHALLENGE"
# Cognito answers every failed custom sign-in with the same message, whatever
# the reason, so the answer never tells whether the user exists.
SIGN_IN_FAILED = "Incorrect username or password."


def initiate(
    pool: CognitoIdpUserPool,
    client_id: str,
    auth_parameters: dict[str, str],
    client_metadata: dict[str, str],
) -> dict[str, Any]:
    client = _client(pool, client_id)
    if not _custom_auth_allowed(client):
        raise errors.invalid_parameter("Auth flow not enabled for this client")
    login_name = auth_parameters.get("USERNAME")
    if not login_name:
        raise errors.invalid_parameter("Missing required parameter USERNAME")
    require_secret_hash(client, login_name, auth_parameters.get("SECRET_HASH"))
    # moto types _get_user as never None; it returns None for an unknown name.
    user: CognitoIdpUser | None = pool._get_user(login_name)
    if user is None and not _prevents_user_existence_errors(client):
        raise errors.CognitoError("UserNotFoundException", "User does not exist.")
    if user is not None:
        if not user.enabled:
            raise errors.not_authorized("User is disabled.")
        if user.status == UserStatus.UNCONFIRMED:
            raise errors.CognitoError("UserNotConfirmedException", "User is not confirmed.")
    session = CustomAuthSession(
        account_id=pool.account_id,
        region=pool.region,
        user_pool_id=pool.id,
        client_id=client.id,
        login_name=login_name,
        # With PreventUserExistenceErrors ENABLED an unknown user still runs
        # the triggers, with userNotFound = true.
        user_found=user is not None,
        client_metadata=client_metadata,
        expires_at=0.0,
    )
    return _next_step(pool, client, session, user)


def respond(
    client_id: str,
    session_id: str,
    challenge_responses: dict[str, str],
    client_metadata: dict[str, str],
) -> dict[str, Any]:
    session = STATE.sessions.take(session_id, STATE.installed.clock())
    if session.client_id != client_id:
        raise errors.not_authorized("Invalid session for the user.")
    pool = cognitoidp_backends[session.account_id][session.region].user_pools.get(
        session.user_pool_id
    )
    if pool is None:
        raise errors.not_authorized("Invalid session for the user.")
    client = _client(pool, client_id)
    username = challenge_responses.get("USERNAME")
    if not username:
        raise errors.invalid_parameter("Missing required parameter USERNAME")
    require_secret_hash(client, username, challenge_responses.get("SECRET_HASH"))
    answer = challenge_responses.get("ANSWER")
    if answer is None:
        raise errors.invalid_parameter("Missing required parameter ANSWER")
    user: CognitoIdpUser | None = pool._get_user(session.login_name) if session.user_found else None
    same_user = (
        pool._get_user(username) is user if user is not None else username == session.login_name
    )
    if (session.user_found and user is None) or not same_user:
        raise errors.not_authorized(SIGN_IN_FAILED)

    base = events.common(
        "VerifyAuthChallengeResponse_Authentication",
        pool.region,
        pool.id,
        _user_name(session, user),
        client.id,
    )
    verdict = invoke(
        pool,
        "VerifyAuthChallengeResponse",
        events.verify_auth_challenge_response(
            base,
            user_attributes(user),
            session.private_parameters,
            answer,
            client_metadata,
            user_not_found=not session.user_found,
        ),
    )
    result: dict[str, Any] = {
        "challengeName": CUSTOM_CHALLENGE,
        "challengeResult": verdict.get("answerCorrect") is True,
    }
    if session.challenge_metadata is not None:
        result["challengeMetadata"] = session.challenge_metadata
    session.challenges.append(result)
    session.client_metadata = client_metadata
    return _next_step(pool, client, session, user)


def _next_step(
    pool: CognitoIdpUserPool,
    client: CognitoIdpUserPoolClient,
    session: CustomAuthSession,
    user: CognitoIdpUser | None,
) -> dict[str, Any]:
    user_name = _user_name(session, user)
    attributes = user_attributes(user)
    not_found = not session.user_found
    define_base = events.common(
        "DefineAuthChallenge_Authentication", pool.region, pool.id, user_name, client.id
    )
    decision = invoke(
        pool,
        "DefineAuthChallenge",
        events.define_auth_challenge(
            define_base,
            attributes,
            [dict(entry) for entry in session.challenges],
            session.client_metadata,
            not_found,
        ),
    )
    if decision.get("failAuthentication") is True:
        raise errors.not_authorized(SIGN_IN_FAILED)
    if decision.get("issueTokens") is True:
        if user is None:
            raise errors.not_authorized(SIGN_IN_FAILED)
        tokens: dict[str, Any] = backend_of(pool)._log_user_in(pool, client, session.login_name)
        return tokens
    if decision.get("challengeName") != CUSTOM_CHALLENGE:
        # Cognito also lets define ask for SRP/password challenges; this
        # emulator covers the custom challenge only, and says so.
        raise errors.CognitoError(
            "InvalidLambdaResponseException",
            "cognito-emulator supports only CUSTOM_CHALLENGE from DefineAuthChallenge.",
        )

    create_base = events.common(
        "CreateAuthChallenge_Authentication", pool.region, pool.id, user_name, client.id
    )
    created = invoke(
        pool,
        "CreateAuthChallenge",
        events.create_auth_challenge(
            create_base,
            attributes,
            CUSTOM_CHALLENGE,
            [dict(entry) for entry in session.challenges],
            session.client_metadata,
            not_found,
        ),
    )
    session.private_parameters = _strings(created.get("privateChallengeParameters"))
    metadata = created.get("challengeMetadata")
    session.challenge_metadata = str(metadata) if metadata is not None else None
    session.expires_at = STATE.installed.clock() + _session_ttl(client)
    session_id = STATE.sessions.open(session)
    parameters = _strings(created.get("publicChallengeParameters"))
    parameters["USERNAME"] = user_name
    return {
        "ChallengeName": CUSTOM_CHALLENGE,
        "Session": session_id,
        "ChallengeParameters": parameters,
    }


def _client(pool: CognitoIdpUserPool, client_id: str) -> CognitoIdpUserPoolClient:
    client = pool.clients.get(client_id)
    if client is None:
        raise errors.CognitoError(
            "ResourceNotFoundException", f"Client {client_id} does not exist."
        )
    return client


def _custom_auth_allowed(client: CognitoIdpUserPoolClient) -> bool:
    flows = client.extended_config.get("ExplicitAuthFlows")
    if not flows:  # moto's default client: every flow
        return True
    return bool({"ALLOW_CUSTOM_AUTH", "CUSTOM_AUTH_FLOW_ONLY"} & set(flows))


def _prevents_user_existence_errors(client: CognitoIdpUserPoolClient) -> bool:
    return client.extended_config.get("PreventUserExistenceErrors") == "ENABLED"


def _session_ttl(client: CognitoIdpUserPoolClient) -> float:
    configured = STATE.installed.session_ttl_seconds
    if configured is not None:
        return configured
    # AuthSessionValidity: minutes a session lives (3 to 15; Cognito's default 3).
    return float(client.extended_config.get("AuthSessionValidity") or 3) * 60


def _user_name(session: CustomAuthSession, user: CognitoIdpUser | None) -> str:
    return str(user.username) if user is not None else session.login_name


def _strings(value: Any) -> dict[str, str]:
    if not isinstance(value, dict):
        return {}
    return {str(k): str(v) for k, v in value.items() if v is not None}
