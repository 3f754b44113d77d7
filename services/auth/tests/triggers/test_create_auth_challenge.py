from __future__ import annotations

from collections.abc import Callable
from typing import Any

import boto3
import pytest

from auth import abuse, protocol
from auth.protocol import retry_after
from auth.triggers import otp
from auth.triggers.sends import RateLimitedError

Event = Callable[[str], dict[str, Any]]
Handler = Callable[[dict[str, Any], Any], dict[str, Any]]
PHONE = "+12025550101"
TICKET_KEY = "test-ticket-key"
HASHED = protocol.destination_hash("test-destination-key", PHONE)


def items() -> list[dict[str, Any]]:
    return boto3.client("dynamodb").scan(TableName="app-table")["Items"]  # type: ignore[no-any-return]


def vouched(event: dict[str, Any], now: float, *, key: str = TICKET_KEY) -> dict[str, Any]:
    """The event as Cognito passes it when the API asked: with its ticket."""
    request = event["request"]
    attributes = request["userAttributes"]
    channel = request["clientMetadata"].get("delivery", "sms")
    address = attributes["email"] if channel == "email" else attributes["phone_number"]
    request["clientMetadata"]["ticket"] = protocol.ticket(key, address, channel, int(now) + 30)
    return event


@pytest.fixture
def handler(aws: Any) -> Handler:
    """The create trigger as the pool runs it (on moto's table, the test's clock)."""
    return aws.trigger("CreateAuthChallenge")  # type: ignore[no-any-return]


@pytest.fixture
def first(trigger_event: Event, aws: Any) -> Callable[[], dict[str, Any]]:
    """The first round of a sign-in the API vouched for."""
    return lambda: vouched(trigger_event("create_auth_challenge_first"), aws.clock())


def test_the_first_round_sends_a_fresh_code_by_sms(handler: Handler, first: Any, aws: Any) -> None:
    response = handler(first(), None)["response"]

    code = response["publicChallengeParameters"]["dev_otp"]
    assert len(code) == 6
    assert code.isdigit()
    assert response["publicChallengeParameters"] == {"dev_otp": code, "attempts_left": "3"}
    challenge = otp.Challenge.from_private_parameters(response["privateChallengeParameters"])
    assert challenge == otp.Challenge(otp.digest(code), int(aws.clock()) + 300, HASHED, "sms")
    assert response["challengeMetadata"] == challenge.metadata()
    assert aws.sms() == [(PHONE, f"Your Acme sign-in code is {code}. It expires in 5 minutes.")]


def test_two_sign_ins_get_different_codes(handler: Handler, first: Any, aws: Any) -> None:
    codes = {
        handler(first(), None)["response"]["publicChallengeParameters"]["dev_otp"] for _ in range(5)
    }
    assert len(codes) > 1


def test_its_own_counters_are_under_the_service_prefix_and_hold_no_phone_number(
    handler: Handler, first: Any, aws: Any
) -> None:
    handler(first(), None)
    keys = sorted(item["PK"]["S"] for item in items())
    assert keys == sorted([abuse.destination_sent_key(HASHED), abuse.stack_sent_key("sms")])
    for item in items():
        assert item["SK"]["S"] == "COUNT"
        assert item["count"]["N"] == "1"
        assert "2025550101" not in str(item)
    sent = next(i for i in items() if i["PK"]["S"] == abuse.destination_sent_key(HASHED))
    assert int(sent["expires_at"]["N"]) == int(aws.clock()) + 900


def test_email_is_used_when_asked_for_and_present(
    handler: Handler, trigger_event: Event, aws: Any
) -> None:
    event = trigger_event("create_auth_challenge_first")
    event["request"]["userAttributes"]["email"] = "ada@example.com"
    event["request"]["clientMetadata"] = {"delivery": "email"}
    handler(vouched(event, aws.clock()), None)
    (message,) = aws.emails()
    assert message.destinations["ToAddresses"] == ["ada@example.com"]
    assert aws.sms() == []


def test_a_retry_reuses_the_code_and_sends_nothing(
    handler: Handler, first: Any, trigger_event: Event, aws: Any
) -> None:
    sent = handler(first(), None)["response"]
    event = first()
    event["request"]["session"] = [
        {
            "challengeName": "CUSTOM_CHALLENGE",
            "challengeResult": False,
            "challengeMetadata": sent["challengeMetadata"],
        }
    ]
    retry = handler(event, None)["response"]
    assert retry["publicChallengeParameters"] == {"attempts_left": "2"}
    assert retry["privateChallengeParameters"] == sent["privateChallengeParameters"]
    assert len(aws.sms()) == 1


def test_an_unknown_user_gets_a_challenge_and_no_message(
    handler: Handler, first: Any, aws: Any
) -> None:
    event = first()
    event["request"]["userNotFound"] = True
    response = handler(event, None)["response"]
    assert "dev_otp" not in response["publicChallengeParameters"]
    assert aws.sms() == []
    assert items() == []


# ---- the API's ticket: a direct InitiateAuth sends nothing ----


def _with_ticket(event: dict[str, Any], ticket: str) -> dict[str, Any]:
    event["request"]["clientMetadata"]["ticket"] = ticket
    return event


@pytest.mark.parametrize(
    "ticket",
    [
        pytest.param(None, id="none"),
        pytest.param("", id="empty"),
        pytest.param("1800000030.00", id="forged"),
        pytest.param("other-key", id="signed with another key"),
        pytest.param("expired", id="expired"),
        pytest.param("email", id="for the other channel"),
        pytest.param("other", id="for another destination"),
    ],
)
def test_without_a_valid_ticket_the_challenge_runs_and_nothing_is_sent(
    handler: Handler, trigger_event: Event, aws: Any, ticket: str | None
) -> None:
    now = int(aws.clock())
    made = {
        "other-key": protocol.ticket("not-the-key", PHONE, "sms", now + 30),
        "expired": protocol.ticket(TICKET_KEY, PHONE, "sms", now),
        "email": protocol.ticket(TICKET_KEY, PHONE, "email", now + 30),
        "other": protocol.ticket(TICKET_KEY, "+12025550102", "sms", now + 30),
    }
    event = trigger_event("create_auth_challenge_first")
    if ticket is not None:
        _with_ticket(event, made.get(ticket, ticket))
    response = handler(event, None)["response"]
    # The same shape of answer: a challenge, attempts, no code.
    assert response["publicChallengeParameters"] == {"attempts_left": "3"}
    # ... but one no answer meets, counted against nobody (issue 18, finding 1).
    challenge = otp.Challenge.from_private_parameters(response["privateChallengeParameters"])
    assert challenge == otp.Challenge("", int(aws.clock()) + 300, "")
    assert not any(otp.matches(f"{n:06d}", challenge.code_digest) for n in (0, 123456))
    assert aws.sms() == []
    assert items() == []


# ---- its own limits, behind the API's budgets ----


def test_the_sixth_send_to_a_destination_in_the_window_is_refused(
    handler: Handler, first: Any, aws: Any
) -> None:
    for _ in range(5):
        handler(first(), None)
    aws.clock.advance(100)
    with pytest.raises(RateLimitedError) as refused:
        handler(first(), None)
    assert refused.value.retry_after == 800
    # Cognito passes the function's error text to the API, which reads it back.
    assert retry_after(f"CreateAuthChallenge failed with error {refused.value}.") == 800
    assert len(aws.sms()) == 5


def test_the_stack_wide_hourly_limit_holds_across_destinations(
    handler: Handler, trigger_event: Event, aws: Any
) -> None:
    aws.configure("CreateAuthChallenge", stack_sms_per_hour=3)
    for number in range(3):
        event = trigger_event("create_auth_challenge_first")
        event["request"]["userAttributes"]["phone_number"] = f"+120255501{number:02d}"
        handler(vouched(event, aws.clock()), None)
    event = trigger_event("create_auth_challenge_first")
    event["request"]["userAttributes"]["phone_number"] = "+12025550109"
    with pytest.raises(RateLimitedError) as refused:
        handler(vouched(event, aws.clock()), None)
    assert refused.value.retry_after == 3600
    assert len(aws.sms()) == 3


def test_spent_sms_never_stop_emails(handler: Handler, trigger_event: Event, aws: Any) -> None:
    """Issue 18, finding 4: each channel has its own stack-wide count."""
    aws.configure("CreateAuthChallenge", stack_sms_per_hour=1)
    handler(vouched(trigger_event("create_auth_challenge_first"), aws.clock()), None)
    event = trigger_event("create_auth_challenge_first")
    event["request"]["userAttributes"]["email"] = "ada@example.com"
    event["request"]["clientMetadata"] = {"delivery": "email"}
    handler(vouched(event, aws.clock()), None)
    assert len(aws.emails()) == 1
    event = trigger_event("create_auth_challenge_first")
    event["request"]["userAttributes"]["phone_number"] = "+12025550109"
    with pytest.raises(RateLimitedError):
        handler(vouched(event, aws.clock()), None)


def test_a_trusted_destination_is_sent_its_code_past_the_spent_stack_count(
    handler: Handler, trigger_event: Event, aws: Any
) -> None:
    """The API let it past its own spent stack budget (it signed in lately):
    the trigger's count behind it does too, within the destination's count."""
    aws.configure("CreateAuthChallenge", stack_sms_per_hour=1)
    event = trigger_event("create_auth_challenge_first")
    event["request"]["userAttributes"]["phone_number"] = "+12025550109"
    handler(vouched(event, aws.clock()), None)
    abuse.trust(aws.deps["CreateAuthChallenge"].counters, HASHED, 30, aws.clock())
    for _ in range(5):
        handler(vouched(trigger_event("create_auth_challenge_first"), aws.clock()), None)
    with pytest.raises(RateLimitedError) as refused:
        handler(vouched(trigger_event("create_auth_challenge_first"), aws.clock()), None)
    assert refused.value.retry_after == 900  # its own destination count, not the stack's
    assert len(aws.sms()) == 6


def test_an_expired_counter_dynamodb_has_not_deleted_yet_is_ignored(
    handler: Handler, first: Any, aws: Any
) -> None:
    boto3.client("dynamodb").put_item(
        TableName="app-table",
        Item={
            "PK": {"S": abuse.destination_sent_key(HASHED)},
            "SK": {"S": "COUNT"},
            "count": {"N": "5"},
            "expires_at": {"N": str(int(aws.clock()) - 1)},
        },
    )
    handler(first(), None)
    sent = next(i for i in items() if i["PK"]["S"] == abuse.destination_sent_key(HASHED))
    assert sent["count"]["N"] == "1"
    assert len(aws.sms()) == 1


def test_no_code_reaches_the_logs(
    handler: Handler, first: Any, aws: Any, caplog: pytest.LogCaptureFixture
) -> None:
    response = handler(first(), None)["response"]
    logs = " ".join(str(record.__dict__) for record in caplog.records)
    assert "code sent" in logs
    assert response["publicChallengeParameters"]["dev_otp"] not in logs
    assert PHONE not in logs


# ---- echo: every code under make dev only; test destinations on non-production stacks ----


def test_on_a_deployed_stack_a_real_destinations_code_is_only_sent(
    handler: Handler, first: Any, aws: Any, no_dev_echo: None
) -> None:
    response = handler(first(), None)["response"]
    assert "dev_otp" not in response["publicChallengeParameters"]
    assert len(aws.sms()) == 1


def test_the_local_runtimes_echo_never_reaches_a_production_stack(
    handler: Handler, first: Any, aws: Any
) -> None:
    aws.configure("CreateAuthChallenge", production=True)
    response = handler(first(), None)["response"]
    assert "dev_otp" not in response["publicChallengeParameters"]


@pytest.mark.parametrize("address", ["+15555550100", "smoke@example.test"])
def test_a_test_destination_is_sent_nothing_and_its_code_echoed_off_production(
    handler: Handler, trigger_event: Event, aws: Any, no_dev_echo: None, address: str
) -> None:
    event = trigger_event("create_auth_challenge_first")
    channel = "email" if "@" in address else "sms"
    event["request"]["userAttributes"] = {
        "email" if channel == "email" else "phone_number": address
    }
    event["request"]["clientMetadata"] = {"delivery": channel}
    response = handler(vouched(event, aws.clock()), None)["response"]
    code = response["publicChallengeParameters"]["dev_otp"]
    assert otp.matches(code, response["privateChallengeParameters"]["code_digest"])
    assert aws.sms() == []
    assert aws.emails() == []
    assert items() == []  # sent nothing, so counted nothing
    # Issue 18, finding 2: its wrong answers count against nothing either.
    assert response["privateChallengeParameters"]["destination_hash"] == ""


def test_on_production_a_test_destinations_code_is_fixed_by_the_secret_and_never_echoed(
    handler: Handler, trigger_event: Event, aws: Any
) -> None:
    """The smoke test's own path: its ticket is made with the test-code secret,
    which only the deploy role reads (AdminInitiateAuth, issue 18 finding 2)."""
    aws.configure("CreateAuthChallenge", production=True)
    event = trigger_event("create_auth_challenge_first")
    event["request"]["userAttributes"]["phone_number"] = "+15555550100"
    response = handler(vouched(event, aws.clock(), key="test-code-key"), None)["response"]
    assert "dev_otp" not in response["publicChallengeParameters"]
    expected = protocol.code_for_test_destination("test-code-key", "+15555550100")
    assert otp.matches(expected, response["privateChallengeParameters"]["code_digest"])
    assert aws.sms() == []
    # Counted like any destination's on production: its code is a secret to guess.
    hashed = protocol.destination_hash("test-destination-key", "+15555550100")
    assert response["privateChallengeParameters"]["destination_hash"] == hashed
    assert items() == []


def test_on_production_the_apis_test_destination_is_an_ordinary_number(
    handler: Handler, trigger_event: Event, aws: Any
) -> None:
    """Issue 18, finding 2: with the API's ticket a production stack's test
    destination gets no fixed code and no pass: sent and counted like any number."""
    aws.configure("CreateAuthChallenge", production=True)
    event = trigger_event("create_auth_challenge_first")
    event["request"]["userAttributes"]["phone_number"] = "+15555550100"
    response = handler(vouched(event, aws.clock()), None)["response"]
    fixed = protocol.code_for_test_destination("test-code-key", "+15555550100")
    assert not otp.matches(fixed, response["privateChallengeParameters"]["code_digest"])
    assert len(aws.sms()) == 1
    assert items() != []


def test_a_test_code_ticket_is_nothing_off_production_or_for_another_number(
    handler: Handler, trigger_event: Event, aws: Any
) -> None:
    event = trigger_event("create_auth_challenge_first")  # dev; a real number
    response = handler(vouched(event, aws.clock(), key="test-code-key"), None)["response"]
    assert response["privateChallengeParameters"]["code_digest"] == ""
    assert aws.sms() == []
