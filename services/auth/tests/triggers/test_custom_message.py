"""The custom message trigger: Cognito sends none of its own messages
without it (developer guide, "Custom message Lambda trigger": Cognito invokes
it before it sends, and a function error fails the call), so it holds them
to the API's word and to the create trigger's own counts (issue 18,
finding 5)."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import boto3
import pytest

from auth import abuse, protocol
from auth.protocol import retry_after
from auth.triggers import sends
from auth.triggers.custom_message import MessageRefused
from auth.triggers.sends import RateLimitedError
from service_kernel.testing import LambdaContext, emitted_metrics

Event = Callable[[str], dict[str, Any]]
Handler = Callable[[dict[str, Any], Any], dict[str, Any]]
EMAIL = "ada@example.com"
TICKET_KEY = "test-ticket-key"
HASHED = protocol.destination_hash("test-destination-key", EMAIL)


def counts() -> dict[str, int]:
    items = boto3.client("dynamodb").scan(TableName="app-table")["Items"]
    return {item["PK"]["S"]: int(item["count"]["N"]) for item in items}


@pytest.fixture
def handler(aws: Any) -> Handler:
    """The custom message trigger as the pool runs it (moto's table, the test's clock)."""
    return aws.trigger("CustomMessage")  # type: ignore[no-any-return]


@pytest.fixture
def sign_up(trigger_event: Event, aws: Any) -> Callable[..., dict[str, Any]]:
    """A sign-up's confirmation, as Cognito asks for its text: with the API's
    sign-up ticket for the address unless told otherwise."""

    def make(address: str = EMAIL, ticket: str | None = None) -> dict[str, Any]:
        event = trigger_event("custom_message_sign_up")
        event["request"]["userAttributes"]["email"] = address
        if ticket is None:
            ticket = protocol.sign_up_ticket(TICKET_KEY, address, int(aws.clock()) + 30)
        event["request"]["clientMetadata"] = {"ticket": ticket}
        return event

    return make


def test_a_vouched_sign_up_gets_its_text_with_cognitos_code_placeholder(
    handler: Handler, sign_up: Any
) -> None:
    response = handler(sign_up(), None)["response"]
    assert response["emailSubject"] == "Confirm your Acme sign-up"
    assert response["emailMessage"].startswith("Your Acme confirmation code is {####}. ")
    assert response["smsMessage"] is None


def test_a_vouched_sign_up_counts_as_one_send_to_its_destination_and_the_stacks_emails(
    handler: Handler, sign_up: Any
) -> None:
    handler(sign_up(), None)
    assert counts() == {abuse.destination_sent_key(HASHED): 1, abuse.stack_sent_key("email"): 1}


@pytest.mark.parametrize(
    "ticket",
    ["", "garbage", "sign-in", "other-address", "expired", "other-key"],
)
def test_without_the_apis_sign_up_ticket_nothing_is_sent_or_counted(
    handler: Handler, sign_up: Any, aws: Any, ticket: str
) -> None:
    """A SignUp that did not come through the API (only it holds the client's
    secret, but should one reach Cognito all the same)."""
    now = int(aws.clock())
    made = {
        # A sign-in ticket for the same address opens no sign-up message.
        "sign-in": protocol.ticket(TICKET_KEY, EMAIL, "email", now + 30),
        "other-address": protocol.sign_up_ticket(TICKET_KEY, "eve@example.com", now + 30),
        "expired": protocol.sign_up_ticket(TICKET_KEY, EMAIL, now),
        "other-key": protocol.sign_up_ticket("not-the-key", EMAIL, now + 30),
    }
    with pytest.raises(MessageRefused):
        handler(sign_up(ticket=made.get(ticket, ticket)), None)
    assert counts() == {}


@pytest.mark.parametrize(
    "source",
    [
        "CustomMessage_ResendCode",
        "CustomMessage_ForgotPassword",
        "CustomMessage_UpdateUserAttribute",
        "CustomMessage_VerifyUserAttribute",
        "CustomMessage_AdminCreateUser",
        "CustomMessage_Authentication",
    ],
)
def test_every_message_the_api_never_asks_for_is_refused_even_with_a_ticket(
    handler: Handler, sign_up: Any, source: str
) -> None:
    """Resend, forgot password, a changed or unverified address, an
    invitation, an MFA code: Cognito would send each straight to the address
    a caller names, outside every budget."""
    event = sign_up()
    event["triggerSource"] = source
    with pytest.raises(MessageRefused):
        handler(event, None)
    assert counts() == {}


def test_the_sixth_message_to_a_mailbox_in_the_window_is_refused_with_its_wait(
    handler: Handler, sign_up: Any, aws: Any
) -> None:
    """Sign-up confirmations and sign-in codes share the destination's count,
    keyed by the mailbox whatever the spelling."""
    for spelling in ("ada@example.com", "Ada@Example.com", "ada+1@example.com"):
        handler(sign_up(spelling), None)
    # A sign-in code the create trigger sent to the same mailbox.
    deps = aws.deps["CustomMessage"]
    sends.count_send(deps.counters, deps.settings, HASHED, "email", aws.clock())
    handler(sign_up(), None)
    aws.clock.advance(100)
    with pytest.raises(RateLimitedError) as refused:
        handler(sign_up(), None)
    assert refused.value.retry_after == 800
    # Cognito hands the error's text back inside UserLambdaValidationException.
    assert retry_after(f"CustomMessage failed with error {refused.value}.") == 800
    assert counts()[abuse.destination_sent_key(HASHED)] == 5


def test_the_stacks_hourly_emails_hold_across_addresses(
    handler: Handler, sign_up: Any, aws: Any
) -> None:
    aws.configure("CustomMessage", stack_emails_per_hour=2)
    handler(sign_up("a@example.com"), None)
    handler(sign_up("b@example.com"), None)
    with pytest.raises(RateLimitedError) as refused:
        handler(sign_up("c@example.com"), None)
    assert refused.value.retry_after == 3600


def test_a_refusal_counts_as_one_so_a_caller_cannot_fire_the_errors_alarm(
    handler: Handler, sign_up: Any, capsys: pytest.CaptureFixture[str]
) -> None:
    """Any signed-in user may ask Cognito for an attribute's code at will: its
    refusal is a function error on purpose (service_kernel.invocation.Refusal),
    which the function's Errors alarm subtracts, so nobody pages the team or
    rolls a release back by asking."""
    event = sign_up()
    event["triggerSource"] = "CustomMessage_VerifyUserAttribute"
    with pytest.raises(MessageRefused):
        handler(event, LambdaContext(function_name="auth-custom-message"))
    refusals = [m for m in emitted_metrics(capsys.readouterr().out) if m.name == "Refusals"]
    assert [(m.dimensions, m.value) for m in refusals] == [
        ({"function_name": "auth-custom-message"}, 1)
    ]
