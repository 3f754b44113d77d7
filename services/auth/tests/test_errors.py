"""One table answers every refusal of the identity provider that a route
lets through, in the contract's envelope."""

from __future__ import annotations

from typing import Any

import pytest
from fastapi.testclient import TestClient

from auth import identity_provider
from auth.abuse import SendRefused, TooManyAttempts
from auth.counters import CountersUnavailable
from auth.errors import ANSWERS, install_auth_errors
from auth.identity_provider import (
    AlreadySignedOut,
    CannotUseCodes,
    CodeRateLimited,
    IdentityError,
    InvalidCode,
    Throttled,
    Unconfirmed,
    UnusableDestination,
    UnusableEmailAddress,
    UserAlreadyExists,
)
from auth.service import UnsupportedDestination
from service_kernel import create_app

# The service turns these into ordinary answers; they never reach a client.
HANDLED_BY_THE_SERVICE = {UserAlreadyExists, CannotUseCodes, Unconfirmed, AlreadySignedOut}


def test_every_provider_error_a_route_may_see_has_an_answer() -> None:
    errors = {
        value
        for value in vars(identity_provider).values()
        if isinstance(value, type) and issubclass(value, IdentityError)
    }
    abstract = {IdentityError, UnusableDestination}
    # The service's own refusals, before the provider is asked anything.
    rules = {UnsupportedDestination, SendRefused, TooManyAttempts, CountersUnavailable}
    assert (errors - abstract - HANDLED_BY_THE_SERVICE) | rules == set(ANSWERS)


def answer_to(error: Exception) -> Any:
    app = create_app("auth-errors-test", "0")
    install_auth_errors(app)

    @app.get("/fail")
    def fail() -> None:
        raise error

    return TestClient(app).get("/fail")


@pytest.mark.parametrize(
    ("error", "retry_after", "code"),
    [
        (CodeRateLimited(120), "120", "too_many_requests"),
        (Throttled(60), "60", "too_many_requests"),
        (SendRefused("source", 300), "300", "too_many_requests"),
        (TooManyAttempts(86000), "86000", "too_many_attempts"),
    ],
)
def test_a_429_says_when_to_retry(error: Exception, retry_after: str, code: str) -> None:
    response = answer_to(error)
    assert response.status_code == 429
    assert response.headers["retry-after"] == retry_after
    assert response.json()["error"] == code


def test_an_unsupported_destination_is_422_and_says_why() -> None:
    response = answer_to(UnsupportedDestination("not a mobile number"))
    assert response.status_code == 422
    body = response.json()
    assert body["error"] == "unsupported_destination"
    assert body["details"][0]["msg"] == "not a mobile number"


def test_counters_out_of_reach_are_503_not_500() -> None:
    response = answer_to(CountersUnavailable("EndpointConnectionError"))
    assert response.status_code == 503
    assert response.json()["error"] == "service_unavailable"


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
