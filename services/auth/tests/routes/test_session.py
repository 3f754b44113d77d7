"""POST /auth/refresh, /auth/logout and GET /auth/me."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from fastapi.testclient import TestClient

from service_kernel.testing import AsAuthorizedBy, access_claims, id_token_claims

PHONE = "+12025550101"


def sign_in(client: TestClient) -> dict[str, Any]:
    started = client.post("/auth/start", json={"phone": PHONE}).json()
    response = client.post(
        "/auth/verify",
        json={"phone": PHONE, "otp": started["dev_otp"], "session": started["session"]},
    )
    return response.json()  # type: ignore[no-any-return]


def as_caller(tokens: dict[str, Any]) -> TestClient:
    """What the gateway forwards: the claims it checked and the header itself."""
    from auth.app import app

    return TestClient(
        AsAuthorizedBy(app, access_claims("user-1")),
        headers={"authorization": f"Bearer {tokens['access_token']}"},
    )


def refresh(client: TestClient, refresh_token: str) -> Any:
    return client.post("/auth/refresh", json={"refresh_token": refresh_token})


def test_refresh_returns_new_tokens_without_a_refresh_token(client: TestClient, aws: Any) -> None:
    tokens = sign_in(client)
    response = refresh(client, tokens["refresh_token"])
    assert response.status_code == 200
    assert set(response.json()) == {"access_token", "id_token", "expires_in", "token_type"}


def test_refresh_with_an_unknown_token_is_401(client: TestClient, aws: Any) -> None:
    response = refresh(client, "not-a-refresh-token")
    assert response.status_code == 401
    assert response.json()["error"] == "unauthorized"


def test_refresh_after_logout_is_401(client: TestClient, aws: Any) -> None:
    tokens = sign_in(client)
    response = as_caller(tokens).post(
        "/auth/logout", json={"refresh_token": tokens["refresh_token"]}
    )
    assert response.status_code == 204
    assert refresh(client, tokens["refresh_token"]).status_code == 401


def test_logout_without_a_body_signs_out_every_session(client: TestClient, aws: Any) -> None:
    first, second = sign_in(client), sign_in(client)
    assert as_caller(first).post("/auth/logout").status_code == 204
    assert refresh(client, first["refresh_token"]).status_code == 401
    assert refresh(client, second["refresh_token"]).status_code == 401


def test_logout_twice_is_still_204(client: TestClient, aws: Any) -> None:
    tokens = sign_in(client)
    caller = as_caller(tokens)
    body = {"refresh_token": tokens["refresh_token"]}
    assert caller.post("/auth/logout", json=body).status_code == 204
    assert caller.post("/auth/logout", json=body).status_code == 204


def test_logout_needs_a_caller(client: TestClient) -> None:
    response = client.post("/auth/logout", json={})
    assert response.status_code == 401
    assert response.json()["error"] == "unauthorized"


def test_me_reads_the_authorizer_claims(user_client: Callable[..., TestClient]) -> None:
    caller = user_client(
        "sub-1", username="sub-1", email="ada@example.com", **{"cognito:groups": "[admins staff]"}
    )
    response = caller.get("/auth/me")
    assert response.status_code == 200
    assert response.json() == {
        "sub": "sub-1",
        "username": "sub-1",
        "email": "ada@example.com",
        "groups": ["admins", "staff"],
    }


def test_me_with_a_phone_claim_and_no_groups(user_client: Callable[..., TestClient]) -> None:
    body = user_client("sub-2", phone_number=PHONE).get("/auth/me").json()
    assert body == {"sub": "sub-2", "username": "sub-2", "phone": PHONE, "groups": []}


def test_me_refuses_an_id_token() -> None:
    from auth.app import app

    response = TestClient(AsAuthorizedBy(app, id_token_claims("sub-1"))).get("/auth/me")
    assert response.status_code == 401


def test_logout_with_a_bare_token_signs_out_too(client: TestClient, aws: Any) -> None:
    """The gateway's JWT authorizer takes `Authorization: <token>` without
    `Bearer ` too (issue 10, item 5): logout must not answer 204 and skip
    GlobalSignOut then."""
    from auth.app import app

    tokens = sign_in(client)
    bare = TestClient(
        AsAuthorizedBy(app, access_claims("user-1")),
        headers={"authorization": tokens["access_token"]},
    )
    assert bare.post("/auth/logout").status_code == 204
    assert refresh(client, tokens["refresh_token"]).status_code == 401


def test_me_has_the_users_phone_from_the_pool_not_the_token(client: TestClient, aws: Any) -> None:
    # Access tokens carry no phone_number or email claim (issue 10, item 8).
    tokens = sign_in(client)
    body = as_caller(tokens).get("/auth/me").json()
    assert body["phone"] == PHONE
