"""POST /auth/signup, /auth/confirm and /auth/login."""

from __future__ import annotations

from typing import Any

import pytest
from botocore.exceptions import ClientError
from fastapi.testclient import TestClient

from cognito_emulator import sent_messages, sign_up_code
from tests.requests import start, verify

EMAIL = "ada@example.com"
PASSWORD = "Passw0rd!"


def signup(client: TestClient, email: str = EMAIL, password: str = PASSWORD) -> Any:
    return client.post("/auth/signup", json={"email": email, "password": password})


def login(client: TestClient, email: str = EMAIL, password: str = PASSWORD) -> Any:
    return client.post("/auth/login", json={"email": email, "password": password})


def test_sign_up_confirm_and_log_in(client: TestClient, aws: Any) -> None:
    created = signup(client)
    assert created.status_code == 201
    body = created.json()
    assert body == {"user_sub": body["user_sub"], "confirmed": False}

    assert login(client).status_code == 403
    assert login(client).json()["error"] == "user_not_confirmed"

    code = sign_up_code(aws.pool_id, body["user_sub"])
    assert code is not None
    confirmed = client.post("/auth/confirm", json={"email": EMAIL, "code": code})
    assert confirmed.status_code == 204
    assert confirmed.content == b""

    tokens = login(client)
    assert tokens.status_code == 200
    assert set(tokens.json()) == {
        "access_token",
        "id_token",
        "refresh_token",
        "expires_in",
        "token_type",
    }


def test_a_stack_with_auto_confirm_confirms_at_once_and_verifies_nothing(
    client: TestClient, aws: Any, auto_confirm: None
) -> None:
    assert signup(client).json()["confirmed"] is True
    attributes = {a["Name"]: a["Value"] for a in aws.user(EMAIL)["UserAttributes"]}
    # Issue 18, finding 7: the sign-up proved nothing about the address.
    assert attributes.get("email_verified") != "true"
    assert login(client).status_code == 200


def test_a_strangers_password_never_opens_the_account_its_owner_proves(
    client: TestClient, aws: Any, auto_confirm: None
) -> None:
    """Issue 18, finding 7 (pre-account hijack where auto-confirm is on): a
    stranger signs up the victim's address with a password; the victim later
    signs in by code and lands in that account. The first code to the address
    proves it: the stranger's password and tokens stop working there."""
    assert signup(client, password="Stranger1!").status_code == 201
    stranger = login(client, password="Stranger1!").json()
    started = start(client, email=EMAIL).json()
    owner = verify(client, started["session"], started["dev_otp"], email=EMAIL)
    assert owner.status_code == 200

    assert login(client, password="Stranger1!").status_code == 401
    refreshed = client.post("/auth/refresh", json={"refresh_token": stranger["refresh_token"]})
    assert refreshed.status_code == 401
    attributes = {a["Name"]: a["Value"] for a in aws.user(EMAIL)["UserAttributes"]}
    assert attributes["email_verified"] == "true"
    # The owner's own sign-in works, and a second one changes nothing more.
    again = start(client, email=EMAIL).json()
    assert verify(client, again["session"], again["dev_otp"], email=EMAIL).status_code == 200


def test_a_wrong_confirmation_code_is_400(client: TestClient, aws: Any) -> None:
    sub = signup(client).json()["user_sub"]
    code = sign_up_code(aws.pool_id, sub)
    assert code is not None
    response = client.post("/auth/confirm", json={"email": EMAIL, "code": f"9{code}"})
    assert response.status_code == 400
    assert response.json()["error"] == "invalid_code"


def test_confirming_an_unknown_email_is_the_same_400(client: TestClient, aws: Any) -> None:
    response = client.post("/auth/confirm", json={"email": "nobody@example.com", "code": "1"})
    assert response.status_code == 400
    assert response.json()["error"] == "invalid_code"


@pytest.mark.parametrize(
    ("password", "rule"),
    [
        ("Sh0rt", "Password not long enough"),
        ("alllowercase1", "Password must have uppercase characters"),
        ("NoDigitsHere", "Password must have numeric characters"),
    ],
)
def test_a_weak_password_is_422_naming_the_rule(
    client: TestClient, aws: Any, password: str, rule: str
) -> None:
    response = signup(client, password=password)
    assert response.status_code == 422
    body = response.json()
    assert body["error"] == "validation_error"
    assert body["details"] == [
        {"loc": ["body", "password"], "msg": rule, "type": "password_policy"}
    ]
    assert aws.cognito.list_users(UserPoolId=aws.pool_id)["Users"] == []


def test_an_existing_email_gets_the_same_201_shape(client: TestClient, aws: Any) -> None:
    first = signup(client)
    second = signup(client, password="An0therPass")
    assert second.status_code == 201
    assert set(second.json()) == set(first.json())
    assert second.json()["confirmed"] is False


def test_unknown_user_and_wrong_password_are_indistinguishable(
    client: TestClient, aws: Any, auto_confirm: None
) -> None:
    signup(client)
    unknown = login(client, email="nobody@example.com")
    wrong = login(client, password="Wr0ngPassword")
    assert unknown.status_code == wrong.status_code == 401

    def without_request_id(body: dict[str, Any]) -> dict[str, Any]:
        return {k: v for k, v in body.items() if k != "request_id"}

    assert without_request_id(unknown.json()) == without_request_id(wrong.json())
    assert unknown.json()["error"] == "invalid_credentials"


def test_a_passwordless_user_has_no_usable_password(client: TestClient, aws: Any) -> None:
    client.post("/auth/start", json={"email": EMAIL})
    assert login(client).status_code == 401


def test_a_public_sign_up_cannot_confirm_itself(client: TestClient, aws: Any) -> None:
    """The old passwordless path trusted a client-set flag: anyone holding the
    client id could make a confirmed account, with a password of their own,
    for an address they do not own. The public SignUp now confirms no one on
    a stack without auto-confirm, whatever it carries."""
    # Straight at Cognito, with the client's secret (say it leaked) but no
    # ticket of the API's: its confirmation is never sent (the custom message
    # trigger refuses it), and Cognito keeps the user, unconfirmed.
    with pytest.raises(ClientError, match="no valid ticket from the API"):
        aws.cognito.sign_up(
            ClientId=aws.client_id,
            SecretHash=aws.secret_hash(EMAIL),
            Username=EMAIL,
            Password=PASSWORD,
            UserAttributes=[{"Name": "email", "Value": EMAIL}],
            ValidationData=[{"Name": "passwordless", "Value": "true"}],
            ClientMetadata={"passwordless": "true"},
        )
    assert aws.user(EMAIL)["UserStatus"] == "UNCONFIRMED"
    refused = login(client)
    assert refused.status_code == 403
    assert refused.json()["error"] == "user_not_confirmed"
    # /auth/start never confirms it: it replaces it with a code-only user,
    # whose code goes to the address itself, and the password dies with it.
    assert client.post("/auth/start", json={"email": EMAIL}).status_code == 200
    (message,) = aws.emails()
    assert message.destinations["ToAddresses"] == [EMAIL]
    assert login(client).status_code == 401


def test_a_strangers_unconfirmed_sign_up_never_silences_the_owners(
    client: TestClient, aws: Any
) -> None:
    """Issue 18, finding 5: a stranger's sign-up for someone's address made
    that person's own sign-up a silent 201 with no e-mail. The owner's sign-up
    replaces the unconfirmed one and is sent its own code; the stranger's
    password and code open nothing."""
    assert signup(client, password="Stranger1!").status_code == 201
    owners = signup(client)
    assert owners.status_code == 201
    strangers, sent = sent_messages(aws.pool_id)
    assert strangers.destination == sent.destination == EMAIL
    # A new user, the owner's: the stranger's was deleted, code and all.
    assert sent.user_sub == owners.json()["user_sub"] != strangers.user_sub
    refused = client.post("/auth/confirm", json={"email": EMAIL, "code": strangers.code})
    assert refused.status_code == 400
    confirmed = client.post("/auth/confirm", json={"email": EMAIL, "code": sent.code})
    assert confirmed.status_code == 204
    assert login(client).status_code == 200
    assert login(client, password="Stranger1!").status_code == 401


@pytest.mark.parametrize(
    "body",
    [{"email": EMAIL}, {"password": PASSWORD}, {"email": "x", "password": PASSWORD}],
)
def test_a_malformed_sign_up_is_422(client: TestClient, body: dict[str, Any]) -> None:
    assert client.post("/auth/signup", json=body).status_code == 422


def test_a_body_that_is_not_json_is_400(client: TestClient) -> None:
    response = client.post(
        "/auth/login", content=b"{nope", headers={"content-type": "application/json"}
    )
    assert response.status_code == 400
    assert response.json()["error"] == "invalid_json"


def test_a_source_gets_a_budget_of_sign_ups(client: TestClient, aws: Any) -> None:
    """Issue 18, finding 5: each sign-up may make Cognito e-mail a code, and
    /auth/signup had no budget. One source gets `auth.signupSourceLimit` (20 here)."""
    for n in range(20):
        assert signup(client, email=f"user{n}@example.com").status_code == 201
    refused = signup(client, email="one-more@example.com")
    assert refused.status_code == 429
    assert refused.json()["error"] == "too_many_requests"
    assert int(refused.headers["retry-after"]) > 0
