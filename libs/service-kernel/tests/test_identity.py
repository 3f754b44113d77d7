"""The caller comes from the authorizer's claims, and only from an access token."""

from __future__ import annotations

import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient

from service_kernel.errors import ApiError
from service_kernel.identity import caller_from_claims, parse_claim_list
from service_kernel.testing import AsAuthorizedBy, access_claims, id_token_claims


def test_access_token_claims_make_a_caller() -> None:
    caller = caller_from_claims(access_claims("abc", **{"cognito:groups": "[admins editors]"}))
    assert caller.sub == "abc"
    assert caller.username == "abc"
    assert caller.groups == ("admins", "editors")
    assert caller.scopes == ("aws.cognito.signin.user.admin",)


@pytest.mark.parametrize(
    ("raw", "parsed"),
    [("[a b]", ("a", "b")), ("[]", ()), ("", ()), ("[solo]", ("solo",)), ("plain", ("plain",))],
)
def test_array_claims_arrive_as_bracketed_strings(raw: str, parsed: tuple[str, ...]) -> None:
    assert parse_claim_list(raw) == parsed


def test_no_authorizer_context_is_401(client: TestClient) -> None:
    response = client.get("/me")
    assert response.status_code == 401
    assert response.json()["error"] == "unauthorized"


def test_an_id_token_is_refused(app: FastAPI) -> None:
    response = TestClient(AsAuthorizedBy(app, id_token_claims("abc"))).get("/me")
    assert response.status_code == 401
    assert response.json()["error"] == "unauthorized"


def test_claims_without_sub_are_refused() -> None:
    claims = access_claims("x")
    del claims["sub"]
    with pytest.raises(ApiError) as raised:
        caller_from_claims(claims)
    assert raised.value.status == 401


def test_the_caller_reaches_the_route(user_client: TestClient) -> None:
    assert user_client.get("/me").json() == {"sub": "user-1", "username": "user-1"}
