from __future__ import annotations

import json
import time
from collections.abc import Mapping
from typing import Any

import jwt
import pytest
from cryptography.hazmat.primitives.asymmetric import rsa
from jwt.algorithms import RSAAlgorithm

from local_runtime.jwt_authorizer import (
    JwksCache,
    Unauthorized,
    authorize,
    claims_as_strings,
    token_from,
)
from local_runtime.model import JwtAuthorizer

ISSUER = "https://cognito-idp.eu-west-1.amazonaws.com/eu-west-1_pool"
AUTHORIZER = JwtAuthorizer(name="cognito", issuer=ISSUER, audiences=("client-1",))
KEY = rsa.generate_private_key(public_exponent=65537, key_size=2048)
OTHER_KEY = rsa.generate_private_key(public_exponent=65537, key_size=2048)


def jwks(*pairs: tuple[str, Any]) -> dict[str, Any]:
    keys = []
    for kid, key in pairs:
        entry = json.loads(RSAAlgorithm.to_jwk(key.public_key()))
        keys.append({**entry, "kid": kid, "alg": "RS256", "use": "sig"})
    return {"keys": keys}


class Fetcher:
    def __init__(self, document: Mapping[str, Any]) -> None:
        self.document = document
        self.calls: list[str] = []

    def __call__(self, issuer: str) -> Mapping[str, Any]:
        self.calls.append(issuer)
        return self.document


def access_token(key: Any = KEY, kid: str = "k1", **changes: Any) -> str:
    now = int(time.time())
    claims = {
        "iss": ISSUER,
        "sub": "user-1",
        "client_id": "client-1",
        "token_use": "access",
        "scope": "aws.cognito.signin.user.admin",
        "iat": now,
        "exp": now + 3600,
        "username": "user-1",
    }
    claims.update(changes)
    claims = {k: v for k, v in claims.items() if v is not None}
    return jwt.encode(claims, key, algorithm="RS256", headers={"kid": kid})


def check(token: str, scopes: tuple[str, ...] = ()) -> Mapping[str, str]:
    cache = JwksCache(Fetcher(jwks(("k1", KEY))))
    return authorize(AUTHORIZER, token, scopes, cache).claims


def test_a_valid_access_token_passes_with_claims_as_strings() -> None:
    claims = check(access_token())
    assert claims["sub"] == "user-1"
    assert claims["exp"].isdigit()
    assert all(isinstance(value, str) for value in claims.values())


def test_an_id_token_passes_on_its_audience() -> None:
    token = access_token(client_id=None, aud="client-1", token_use="id")
    assert check(token)["token_use"] == "id"  # refusing it is the services' job


@pytest.mark.parametrize(
    "token",
    [
        pytest.param("garbage", id="garbage"),
        pytest.param(access_token(key=OTHER_KEY), id="foreign key under the real kid"),
        pytest.param(access_token(kid="unknown"), id="unknown kid"),
        pytest.param(access_token(exp=int(time.time()) - 1), id="expired"),
        pytest.param(access_token(nbf=int(time.time()) + 300), id="nbf in the future"),
        pytest.param(access_token(iat=int(time.time()) + 300), id="iat in the future"),
        pytest.param(access_token(iss=ISSUER + "x"), id="wrong issuer"),
        pytest.param(access_token(client_id="client-2"), id="wrong client"),
        pytest.param(access_token(client_id=None), id="no audience at all"),
        pytest.param(access_token(exp=None), id="no exp"),
        pytest.param(
            jwt.encode({"iss": ISSUER}, "s" * 32, algorithm="HS256", headers={"kid": "k1"}),
            id="HS256",
        ),
    ],
)
def test_refusals(token: str) -> None:
    with pytest.raises(Unauthorized):
        check(token)


def test_a_tampered_payload_is_refused() -> None:
    header, _, signature = access_token().split(".")
    other = access_token(sub="someone-else").split(".")[1]
    with pytest.raises(Unauthorized):
        check(f"{header}.{other}.{signature}")


def test_alg_none_is_refused() -> None:
    token = jwt.encode({"iss": ISSUER, "client_id": "client-1"}, "", algorithm="none")
    with pytest.raises(Unauthorized):
        check(token)


def test_scopes_reach_the_function_only_on_a_route_that_declares_some() -> None:
    """A Cognito access token carries `scope`, yet the event's
    `authorizer.jwt.scopes` is null on a route without authorization scopes
    (aws/aws-lambda-go#317: "scopes": null with a stock Cognito authorizer)."""
    cache = JwksCache(Fetcher(jwks(("k1", KEY))))
    token = access_token(scope="aws.cognito.signin.user.admin items/read")
    assert authorize(AUTHORIZER, token, (), cache).scopes is None
    on_scoped_route = authorize(AUTHORIZER, token, ("items/read",), cache)
    assert on_scoped_route.scopes == ("aws.cognito.signin.user.admin", "items/read")


def test_route_scopes_need_one_of_them_in_the_token() -> None:
    assert check(access_token(scope="items/read openid"), scopes=("items/read",))
    with pytest.raises(Unauthorized):
        check(access_token(scope="openid"), scopes=("items/read", "items/write"))


def test_the_jwks_is_fetched_once_and_again_for_a_new_kid() -> None:
    fetcher = Fetcher(jwks(("k1", KEY)))
    cache = JwksCache(fetcher)
    authorize(AUTHORIZER, access_token(), (), cache)
    authorize(AUTHORIZER, access_token(), (), cache)
    assert fetcher.calls == [ISSUER]
    fetcher.document = jwks(("k1", KEY), ("k2", OTHER_KEY))
    with pytest.raises(Unauthorized):  # too soon after the last fetch: no refetch storm
        authorize(AUTHORIZER, access_token(key=OTHER_KEY, kid="k2"), (), cache)


def test_the_token_comes_from_the_identity_source_with_or_without_bearer() -> None:
    headers = {"authorization": "Bearer abc.def.ghi"}
    assert token_from(AUTHORIZER, lambda name: headers.get(name.lower())) == "abc.def.ghi"
    headers = {"authorization": "abc.def.ghi"}
    assert token_from(AUTHORIZER, lambda name: headers.get(name.lower())) == "abc.def.ghi"
    with pytest.raises(Unauthorized):
        token_from(AUTHORIZER, lambda name: None)
    with pytest.raises(Unauthorized):
        token_from(AUTHORIZER, lambda name: "Bearer ")


def test_claims_take_the_gateways_string_form() -> None:
    assert claims_as_strings(
        {"groups": ["admin", "users"], "verified": True, "n": 5, "obj": {"a": 1}}
    ) == {"groups": "[admin users]", "verified": "true", "n": "5", "obj": '{"a":1}'}
