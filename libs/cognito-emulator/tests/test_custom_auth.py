"""CUSTOM_AUTH runs define → create → verify → define as Cognito sequences them."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest
from botocore.exceptions import ClientError
from joserfc import jwt
from joserfc.jwk import KeySet
from moto.utilities.utils import load_resource

from cognito_emulator import install_triggers
from cognito_emulator.testing import InProcessInvoker, ManualClock


def start(pool: Any, username: str, **metadata: str) -> dict[str, Any]:
    return pool.cognito.initiate_auth(  # type: ignore[no-any-return]
        ClientId=pool.client_id,
        AuthFlow="CUSTOM_AUTH",
        AuthParameters={"USERNAME": username},
        ClientMetadata=metadata,
    )


def answer(pool: Any, session: str, username: str, code: str) -> dict[str, Any]:
    return pool.cognito.respond_to_auth_challenge(  # type: ignore[no-any-return]
        ClientId=pool.client_id,
        ChallengeName="CUSTOM_CHALLENGE",
        Session=session,
        ChallengeResponses={"USERNAME": username, "ANSWER": code},
    )


def error_code(exc: pytest.ExceptionInfo[ClientError]) -> str:
    return str(exc.value.response["Error"]["Code"])


def test_initiate_runs_define_then_create_and_returns_the_public_challenge(
    pool: Any, lambdas: InProcessInvoker
) -> None:
    pool.confirmed_user("ada@example.com")
    result = start(pool, "ada@example.com", channel="email")

    assert result["ChallengeName"] == "CUSTOM_CHALLENGE"
    assert result["Session"]
    user_name = result["ChallengeParameters"]["USERNAME"]
    assert result["ChallengeParameters"] == {"hint": "six digits", "USERNAME": user_name}
    assert lambdas.sources()[-2:] == [
        "DefineAuthChallenge_Authentication",
        "CreateAuthChallenge_Authentication",
    ]
    define = lambdas.events("DefineAuthChallenge")[0]
    assert define["request"]["session"] == []
    assert define["request"]["userNotFound"] is False
    assert define["request"]["clientMetadata"] == {"channel": "email"}
    assert define["request"]["userAttributes"]["email"] == "ada@example.com"
    assert define["userName"] == user_name
    assert define["userPoolId"] == pool.pool_id
    assert define["callerContext"]["clientId"] == pool.client_id
    create = lambdas.events("CreateAuthChallenge")[0]
    assert create["request"]["challengeName"] == "CUSTOM_CHALLENGE"
    assert create["request"]["session"] == []


def test_a_right_answer_issues_moto_signed_tokens(pool: Any, lambdas: InProcessInvoker) -> None:
    pool.confirmed_user("ada@example.com")
    challenge = start(pool, "ada@example.com")
    result = answer(pool, challenge["Session"], "ada@example.com", "123456")

    tokens = result["AuthenticationResult"]
    assert tokens["TokenType"] == "Bearer"
    assert tokens["RefreshToken"]
    # The key set moto serves at the pool's /.well-known/jwks.json.
    jwks = load_resource("cognitoidp/resources/jwks-public.json")
    claims = jwt.decode(tokens["AccessToken"], KeySet.import_key_set(jwks)).claims
    assert claims["token_use"] == "access"
    assert claims["client_id"] == pool.client_id
    assert claims["iss"].endswith(pool.pool_id)
    verify = lambdas.events("VerifyAuthChallengeResponse")[0]
    assert verify["triggerSource"] == "VerifyAuthChallengeResponse_Authentication"
    assert verify["request"]["challengeAnswer"] == "123456"
    assert verify["request"]["privateChallengeParameters"] == {"answer": "123456"}
    last_define = lambdas.events("DefineAuthChallenge")[-1]
    assert last_define["request"]["session"] == [
        {
            "challengeName": "CUSTOM_CHALLENGE",
            "challengeResult": True,
            "challengeMetadata": "ROUND-1",
        }
    ]


def test_a_wrong_answer_gets_a_new_session_and_the_old_one_is_spent(
    pool: Any, lambdas: InProcessInvoker
) -> None:
    pool.confirmed_user("ada@example.com")
    first = start(pool, "ada@example.com")
    retry = answer(pool, first["Session"], "ada@example.com", "000000")

    assert retry["ChallengeName"] == "CUSTOM_CHALLENGE"
    assert retry["Session"] != first["Session"]
    create = lambdas.events("CreateAuthChallenge")[-1]
    assert create["request"]["session"] == [
        {
            "challengeName": "CUSTOM_CHALLENGE",
            "challengeResult": False,
            "challengeMetadata": "ROUND-1",
        }
    ]
    with pytest.raises(ClientError) as spent:
        answer(pool, first["Session"], "ada@example.com", "123456")
    assert error_code(spent) == "NotAuthorizedException"
    assert "AuthenticationResult" in answer(pool, retry["Session"], "ada@example.com", "123456")


def test_fail_authentication_is_not_authorized(pool: Any) -> None:
    pool.confirmed_user("ada@example.com")
    session = start(pool, "ada@example.com")["Session"]
    session = answer(pool, session, "ada@example.com", "1")["Session"]
    session = answer(pool, session, "ada@example.com", "2")["Session"]
    with pytest.raises(ClientError) as failed:
        answer(pool, session, "ada@example.com", "3")
    assert error_code(failed) == "NotAuthorizedException"
    assert failed.value.response["Error"]["Message"] == "Incorrect username or password."


def test_a_session_dies_after_its_validity(pool: Any, clock: ManualClock) -> None:
    pool.confirmed_user("ada@example.com")
    session = start(pool, "ada@example.com")["Session"]
    clock.advance(3 * 60)  # the client's AuthSessionValidity: 3 minutes
    with pytest.raises(ClientError) as expired:
        answer(pool, session, "ada@example.com", "123456")
    assert error_code(expired) == "NotAuthorizedException"
    assert "expired" in expired.value.response["Error"]["Message"]


def test_the_session_ttl_is_settable(
    make_pool: Callable[..., Any], lambdas: InProcessInvoker, clock: ManualClock
) -> None:
    install_triggers(lambdas, session_ttl_seconds=5, clock=clock)
    pool = make_pool()
    pool.confirmed_user("ada@example.com")
    session = start(pool, "ada@example.com")["Session"]
    clock.advance(6)
    with pytest.raises(ClientError):
        answer(pool, session, "ada@example.com", "123456")


def test_an_unknown_user_runs_the_triggers_with_user_not_found(
    pool: Any, lambdas: InProcessInvoker
) -> None:
    result = start(pool, "nobody@example.com")
    assert result["ChallengeName"] == "CUSTOM_CHALLENGE"
    define = lambdas.events("DefineAuthChallenge")[0]
    assert define["request"]["userNotFound"] is True
    assert define["request"]["userAttributes"] == {}
    with pytest.raises(ClientError) as failed:
        answer(pool, result["Session"], "nobody@example.com", "123456")
    assert error_code(failed) == "NotAuthorizedException"


def test_an_unknown_user_is_reported_when_the_client_allows_it(
    make_pool: Callable[..., Any],
) -> None:
    pool = make_pool(PreventUserExistenceErrors="LEGACY")
    with pytest.raises(ClientError) as missing:
        start(pool, "nobody@example.com")
    assert error_code(missing) == "UserNotFoundException"


def test_an_unconfirmed_user_cannot_use_custom_auth(pool: Any) -> None:
    pool.sign_up("ada@example.com")
    with pytest.raises(ClientError) as unconfirmed:
        start(pool, "ada@example.com")
    assert error_code(unconfirmed) == "UserNotConfirmedException"


def test_a_client_without_custom_auth_refuses_the_flow(make_pool: Callable[..., Any]) -> None:
    pool = make_pool(ExplicitAuthFlows=["ALLOW_USER_PASSWORD_AUTH"])
    pool.confirmed_user("ada@example.com")
    with pytest.raises(ClientError) as refused:
        start(pool, "ada@example.com")
    assert error_code(refused) == "InvalidParameterException"


def test_a_failing_trigger_is_user_lambda_validation(
    pool: Any, lambdas: InProcessInvoker, arn: Callable[[str], str]
) -> None:
    def broken(event: dict[str, Any], _: Any) -> dict[str, Any]:
        raise RuntimeError("rate limited")

    lambdas.handlers[arn("CreateAuthChallenge")] = broken
    pool.confirmed_user("ada@example.com")
    with pytest.raises(ClientError) as failed:
        start(pool, "ada@example.com")
    assert error_code(failed) == "UserLambdaValidationException"
    assert failed.value.response["Error"]["Message"] == (
        "CreateAuthChallenge failed with error rate limited."
    )


def test_a_response_without_response_object_is_invalid(
    pool: Any, lambdas: InProcessInvoker, arn: Callable[[str], str]
) -> None:
    lambdas.handlers[arn("DefineAuthChallenge")] = lambda event, _: {}
    pool.confirmed_user("ada@example.com")
    with pytest.raises(ClientError) as failed:
        start(pool, "ada@example.com")
    assert error_code(failed) == "InvalidLambdaResponseException"


def test_admin_initiate_and_respond_run_the_same_sequence(pool: Any) -> None:
    pool.confirmed_user("+15550100001")
    challenge = pool.cognito.admin_initiate_auth(
        UserPoolId=pool.pool_id,
        ClientId=pool.client_id,
        AuthFlow="CUSTOM_AUTH",
        AuthParameters={"USERNAME": "+15550100001"},
    )
    result = pool.cognito.admin_respond_to_auth_challenge(
        UserPoolId=pool.pool_id,
        ClientId=pool.client_id,
        ChallengeName="CUSTOM_CHALLENGE",
        Session=challenge["Session"],
        ChallengeResponses={"USERNAME": "+15550100001", "ANSWER": "123456"},
    )
    assert result["AuthenticationResult"]["AccessToken"]


def test_answering_for_another_user_is_refused(pool: Any) -> None:
    pool.confirmed_user("ada@example.com")
    pool.confirmed_user("bob@example.com")
    session = start(pool, "ada@example.com")["Session"]
    with pytest.raises(ClientError) as refused:
        answer(pool, session, "bob@example.com", "123456")
    assert error_code(refused) == "NotAuthorizedException"


def test_other_flows_are_moto_s_own(pool: Any, lambdas: InProcessInvoker) -> None:
    pool.confirmed_user("ada@example.com")
    result = pool.cognito.initiate_auth(
        ClientId=pool.client_id,
        AuthFlow="USER_PASSWORD_AUTH",
        AuthParameters={"USERNAME": "ada@example.com", "PASSWORD": "Passw0rd!"},
    )
    assert result["AuthenticationResult"]["AccessToken"]
    assert lambdas.events("DefineAuthChallenge") == []


def test_a_client_with_a_secret_needs_the_secret_hash(make_pool: Callable[..., Any]) -> None:
    pool = make_pool(GenerateSecret=True)
    pool.confirmed_user("ada@example.com")
    with pytest.raises(ClientError) as unsigned:
        start(pool, "ada@example.com")
    assert error_code(unsigned) == "NotAuthorizedException"


def test_a_client_with_a_secret_signs_in_with_the_secret_hash(
    make_pool: Callable[..., Any],
) -> None:
    import base64
    import hashlib
    import hmac

    pool = make_pool(GenerateSecret=True)
    pool.confirmed_user("ada@example.com")
    secret = pool.cognito.describe_user_pool_client(
        UserPoolId=pool.pool_id, ClientId=pool.client_id
    )["UserPoolClient"]["ClientSecret"]
    mac = hmac.new(secret.encode(), f"ada@example.com{pool.client_id}".encode(), hashlib.sha256)
    secret_hash = base64.b64encode(mac.digest()).decode()
    challenge = pool.cognito.initiate_auth(
        ClientId=pool.client_id,
        AuthFlow="CUSTOM_AUTH",
        AuthParameters={"USERNAME": "ada@example.com", "SECRET_HASH": secret_hash},
    )
    result = pool.cognito.respond_to_auth_challenge(
        ClientId=pool.client_id,
        ChallengeName="CUSTOM_CHALLENGE",
        Session=challenge["Session"],
        ChallengeResponses={
            "USERNAME": "ada@example.com",
            "ANSWER": "123456",
            "SECRET_HASH": secret_hash,
        },
    )
    assert result["AuthenticationResult"]["AccessToken"]
