"""The scheduled cleanup: users that never proved their destination do not
linger (issue 10, items 1 and 4), against moto with the real triggers."""

from __future__ import annotations

import time
from typing import Any

import pytest
from botocore.exceptions import ClientError
from fastapi.testclient import TestClient

from auth import cleanup

PHONES = ["+12025550111", "+12025550112", "+12025550113"]


@pytest.fixture
def run_cleanup(aws: Any, monkeypatch: pytest.MonkeyPatch) -> Any:
    monkeypatch.setattr(cleanup.settings, "user_pool_id", aws.pool_id)

    def run(at: float) -> dict[str, int]:
        monkeypatch.setattr(cleanup, "now", lambda: at)
        return cleanup.handler({}, None)

    return run


def users(aws: Any) -> list[dict[str, Any]]:
    return aws.cognito.list_users(UserPoolId=aws.pool_id)["Users"]  # type: ignore[no-any-return]


def phone_of(user: dict[str, Any]) -> str:
    return str(next(a["Value"] for a in user["Attributes"] if a["Name"] == "phone_number"))


def test_a_pumping_run_leaves_no_users_behind(
    client: TestClient, aws: Any, run_cleanup: Any
) -> None:
    for phone in PHONES:
        assert client.post("/auth/start", json={"phone": phone}).status_code == 200
    assert len(users(aws)) == 3
    # Before the code and its session ran out, nobody is touched.
    assert run_cleanup(aws.clock() + 300) == {"unproved_deleted": 0, "unconfirmed_deleted": 0}
    assert run_cleanup(aws.clock() + 360)["unproved_deleted"] == 3
    assert users(aws) == []
    assert aws.table_items("AUTH#PENDING") == []


def test_a_user_who_proved_the_code_stays(client: TestClient, aws: Any, run_cleanup: Any) -> None:
    for phone in PHONES[:2]:
        started = client.post("/auth/start", json={"phone": phone}).json()
    verified = client.post(
        "/auth/verify",
        json={"phone": PHONES[1], "otp": started["dev_otp"], "session": started["session"]},
    )
    assert verified.status_code == 200
    run_cleanup(aws.clock() + 3600)
    assert [phone_of(user) for user in users(aws)] == [PHONES[1]]


def test_the_pending_record_names_the_user_by_sub_only(client: TestClient, aws: Any) -> None:
    client.post("/auth/start", json={"phone": PHONES[0]})
    (record,) = aws.table_items("AUTH#PENDING")
    assert record["SK"]["S"] == aws.user(PHONES[0])["Username"]
    assert "2025550111" not in str(record)
    assert int(record["expires_at"]["N"]) > int(record["due"]["N"])


def test_an_unconfirmed_sign_up_expires_after_a_day(aws: Any, run_cleanup: Any) -> None:
    # Made straight at Cognito (no ticket: its code is never sent), as a
    # squatter holding the client's secret would; Cognito keeps the user.
    with pytest.raises(ClientError, match="no valid ticket from the API"):
        aws.cognito.sign_up(
            ClientId=aws.client_id,
            SecretHash=aws.secret_hash("ada@example.com"),
            Username="ada@example.com",
            Password="Squatter1!",
            UserAttributes=[{"Name": "email", "Value": "ada@example.com"}],
        )
    assert run_cleanup(time.time() + 3600)["unconfirmed_deleted"] == 0
    assert len(users(aws)) == 1
    assert run_cleanup(time.time() + 24 * 3600 + 60)["unconfirmed_deleted"] == 1
    assert users(aws) == []
