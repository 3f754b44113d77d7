"""One table answers every refusal of the identity provider that a route
lets through, in the contract's envelope."""

from __future__ import annotations

from typing import Any

import pytest
from fastapi.testclient import TestClient

from auth import identity_provider
from auth.errors import ANSWERS, install_auth_errors
from auth.identity_provider import (
    AlreadySignedOut,
    CannotUseCodes,
    CodeRateLimited,
    IdentityError,
    InvalidCode,
    Throttled,
    UnusableDestination,
    UnusableEmailAddress,
    UserAlreadyExists,
)
from service_kernel import create_app

# The service turns these into ordinary answers; they never reach a client.
HANDLED_BY_THE_SERVICE = {UserAlreadyExists, CannotUseCodes, AlreadySignedOut}


def test_every_provider_error_a_route_may_see_has_an_answer() -> None:
    errors = {
        value
        for value in vars(identity_provider).values()
        if isinstance(value, type) and issubclass(value, IdentityError)
    }
    abstract = {IdentityError, UnusableDestination}
    assert errors - abstract - HANDLED_BY_THE_SERVICE == set(ANSWERS)


def answer_to(error: Exception) -> Any:
    app = create_app("auth-errors-test", "0")
    install_auth_errors(app)

    @app.get("/fail")
    def fail() -> None:
        raise error

    return TestClient(app).get("/fail")


@pytest.mark.parametrize(
    ("error", "retry_after"), [(CodeRateLimited(120), "120"), (Throttled(60), "60")]
)
def test_a_429_says_when_to_retry(error: Exception, retry_after: str) -> None:
    response = answer_to(error)
    assert response.status_code == 429
    assert response.headers["retry-after"] == retry_after
    assert response.json()["error"] == "too_many_requests"


def test_a_wrong_code_carries_the_attempts_left_and_the_new_session() -> None:
    response = answer_to(InvalidCode(2, "session-2"))
    assert response.status_code == 401
    assert response.json() == {
        "error": "invalid_code",
        "message": "The code is not right.",
        "request_id": response.headers["x-request-id"],
        "attempts_left": 2,
        "session": "session-2",
    }


def test_an_unusable_destination_names_its_field() -> None:
    response = answer_to(UnusableEmailAddress())
    assert response.status_code == 422
    assert response.json()["message"] == "This e-mail address cannot be used."
    assert response.json()["details"] == [
        {"loc": ["body", "email"], "msg": "not accepted by the user pool", "type": "value_error"}
    ]


def test_the_exceptions_own_text_is_never_answered() -> None:
    response = answer_to(identity_provider.IdentityUnavailable("InternalErrorException"))
    assert response.status_code == 503
    assert "InternalErrorException" not in response.text
