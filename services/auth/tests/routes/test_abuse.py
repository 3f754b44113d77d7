"""Issue 10 through the app, the emulator and the real trigger code: toll
fraud, code guessing across sessions, direct Cognito calls that skip the
API, and errors that must not lie."""

from __future__ import annotations

from typing import Any

import boto3
import pytest
from botocore.config import Config
from botocore.exceptions import ClientError
from fastapi.testclient import TestClient

from auth import abuse, protocol
from auth.app import app
from auth.cognito_identity_provider import CognitoIdentityProvider
from auth.deps import get_identity_provider
from auth.dynamodb_counters import DynamoDbCounters
from auth.settings import settings
from cognito_emulator import sent_messages
from tests.requests import start, verify, wrong

PHONE = "+12025550101"
OTHER = "+12025550102"
TEST_PHONE = "+15555550100"


# ---- item 1: where SMS may go, and how many ----


@pytest.mark.parametrize(
    "phone",
    [
        "+1\uff15\uff15\uff155550100",  # fullwidth digits: the same number spelt otherwise
        "+1 202 555 \uff10\uff11\uff10\uff11",
        "+\u0661\u0662\u0660\u0662\u0665\u0665\u0665\u0660\u0661\u0660\u0661",  # Arabic-Indic
    ],
)
def test_a_phone_number_in_other_than_ascii_digits_is_422(
    client: TestClient, aws: Any, phone: str
) -> None:
    response = start(client, phone=phone)
    assert response.status_code == 422
    assert response.json()["error"] == "validation_error"
    assert aws.sms() == []


@pytest.mark.parametrize(
    "phone",
    [
        "+882161234567",  # international networks: no country at all
        "+8835100123456",
        "+97912345678",  # international premium rate
        "+33612345678",  # France is not on this stack's list
        "+19005550123",  # US premium rate
    ],
)
def test_a_destination_outside_the_countries_or_mobile_ranges_is_unsupported(
    client: TestClient, aws: Any, phone: str
) -> None:
    response = start(client, phone=phone)
    assert response.status_code == 422
    assert response.json()["error"] == "unsupported_destination"
    assert aws.sms() == []
    assert aws.cognito.list_users(UserPoolId=aws.pool_id)["Users"] == []


def test_a_number_is_answered_and_keyed_in_e164(client: TestClient, aws: Any) -> None:
    response = start(client, phone="+1 (202) 555-0101")
    assert response.json()["phone"] == PHONE
    for _ in range(4):
        start(client, phone=PHONE)
    # One destination whatever its spelling: the sixth send is refused.
    assert start(client, phone="+1 202-555-0101").status_code == 429


def test_an_email_is_keyed_in_one_spelling(client: TestClient, aws: Any) -> None:
    assert start(client, email="Ada@Example.COM").json()["email"] == "ada@example.com"
    for _ in range(4):
        start(client, email="ada@example.com")
    assert start(client, email="ADA@example.com").status_code == 429


def test_one_source_cannot_pump_many_destinations(
    client: TestClient, aws: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(settings, "source_send_limit", 3)
    _rebuild_rules()
    for number in range(3):
        assert start(client, phone=f"+120255501{number:02d}").status_code == 200
    refused = start(client, phone="+12025550199")
    assert refused.status_code == 429
    assert refused.json()["error"] == "too_many_requests"
    assert int(refused.headers["retry-after"]) == 3600
    assert len(aws.sms()) == 3
    # Refused before anything was created.
    assert len(aws.cognito.list_users(UserPoolId=aws.pool_id)["Users"]) == 3


def test_the_stack_wide_hourly_budget_holds_whatever_the_source(
    aws: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(settings, "stack_sms_per_hour", 2)
    _rebuild_rules()
    for number in range(2):
        client = TestClient(app, client=(f"198.51.100.{number}", 5000))
        assert start(client, phone=f"+120255501{number:02d}").status_code == 200
    late = TestClient(app, client=("198.51.100.9", 5000))
    refused = start(late, phone="+12025550199")
    assert refused.status_code == 429
    assert refused.headers["retry-after"] == "3600"
    aws.clock.advance(3600)
    assert start(late, phone="+12025550199").status_code == 200


def test_the_budget_tables_hold_no_number_and_no_address(client: TestClient, aws: Any) -> None:
    start(client, phone=PHONE)
    keys = [item["PK"]["S"] for item in aws.table_items()]
    assert keys
    assert all(key.startswith("AUTH#") for key in keys)
    assert "2025550101" not in str(aws.table_items())
    # Keyed with the stack secret, not the (public) pool id.
    assert (
        abuse.destination_send_key(protocol.destination_hash("test-destination-key", PHONE)) in keys
    )


def _rebuild_rules() -> None:
    """The app's code rules from the (patched) settings."""
    from auth.deps import code_rules, get_code_rules
    from auth.dynamodb_pending_users import DynamoDbPendingUsers
    from service_kernel.aws import client as kernel_client

    dynamodb = kernel_client("dynamodb")
    rules = code_rules(
        settings,
        DynamoDbCounters(dynamodb, "app-table"),
        DynamoDbPendingUsers(dynamodb, "app-table"),
        destination_key="test-destination-key",
        ticket_key="test-ticket-key",
    )
    app.dependency_overrides[get_code_rules] = lambda: rules


# ---- the bypass: InitiateAuth straight to Cognito ----


def test_a_direct_initiate_auth_sends_nothing(client: TestClient, aws: Any) -> None:
    """Issue 10 then 18 (findings 1 and 6): the app client's id is in every
    access token, so anyone can call InitiateAuth(CUSTOM_AUTH) with it. Cognito
    refuses every call without the client's SECRET_HASH, which only the API
    can make; and a call that got through without the API's ticket all the
    same (the trigger's defence in depth) is sent nothing and told nothing."""
    started = start(client, phone=PHONE).json()
    assert verify(client, started["session"], started["dev_otp"], phone=PHONE).status_code == 200
    sent = len(aws.sms())
    for _ in range(10):
        with pytest.raises(ClientError) as refused:
            aws.cognito.initiate_auth(
                ClientId=aws.client_id, AuthFlow="CUSTOM_AUTH", AuthParameters={"USERNAME": PHONE}
            )
        assert refused.value.response["Error"]["Code"] == "NotAuthorizedException"
    forged = aws.cognito.initiate_auth(
        ClientId=aws.client_id,
        AuthFlow="CUSTOM_AUTH",
        AuthParameters={"USERNAME": PHONE, "SECRET_HASH": aws.secret_hash(PHONE)},
        ClientMetadata={"delivery": "sms", "ticket": "9999999999.forged"},
    )
    assert forged["ChallengeName"] == "CUSTOM_CHALLENGE"
    assert "dev_otp" not in forged["ChallengeParameters"]
    assert len(aws.sms()) == sent


def test_nobody_locks_a_destination_without_the_api(client: TestClient, aws: Any) -> None:
    """Issue 18, finding 1: sign-ins started straight at Cognito, answered wrong
    ten times, locked the victim out for 24 hours, for free. Unsigned, Cognito
    refuses them; signed but without the API's ticket, the challenge names no
    destination, so no answer is counted and none succeeds."""
    for _ in range(4):
        with pytest.raises(ClientError):
            aws.cognito.initiate_auth(
                ClientId=aws.client_id, AuthFlow="CUSTOM_AUTH", AuthParameters={"USERNAME": PHONE}
            )
    signed = {"USERNAME": PHONE, "SECRET_HASH": aws.secret_hash(PHONE)}
    for _ in range(4):
        session = aws.cognito.initiate_auth(
            ClientId=aws.client_id, AuthFlow="CUSTOM_AUTH", AuthParameters=signed
        )["Session"]
        for answer in ("000000", "123456", "999999"):
            try:
                session = aws.cognito.respond_to_auth_challenge(
                    ClientId=aws.client_id,
                    ChallengeName="CUSTOM_CHALLENGE",
                    Session=session,
                    ChallengeResponses={**signed, "ANSWER": answer},
                )["Session"]
            except aws.cognito.exceptions.NotAuthorizedException:
                break
    assert aws.table_items("AUTH#FAILED#") == []
    started = start(client, phone=PHONE).json()
    assert verify(client, started["session"], started["dev_otp"], phone=PHONE).status_code == 200


def test_known_and_unknown_accounts_get_the_same_challenge(client: TestClient, aws: Any) -> None:
    """Issue 18, finding 6: the challenge's public parameters said `delivery=email`
    for a known e-mail user and `sms` for an unknown one. Now they are the same."""
    started = start(client, email="ada@example.com").json()
    assert verify(client, started["session"], started["dev_otp"], email="ada@example.com")

    def parameters(username: str) -> dict[str, str]:
        answer = aws.cognito.initiate_auth(
            ClientId=aws.client_id,
            AuthFlow="CUSTOM_AUTH",
            AuthParameters={"USERNAME": username, "SECRET_HASH": aws.secret_hash(username)},
        )
        return {k: v for k, v in answer["ChallengeParameters"].items() if k != "USERNAME"}

    assert (
        parameters("ada@example.com") == parameters("nobody@example.com") == {"attempts_left": "3"}
    )


# ---- item 2: failed codes across sessions ----


def test_failed_codes_are_counted_across_sessions_and_lock_even_the_right_code(
    client: TestClient, aws: Any
) -> None:
    """Guessing spread over many sources, each staying under its own backoff,
    still stops at the destination's ceiling (MAX_FAILED_CODES: 10 here)."""
    failures = 0
    for number in range(4):
        guesser = TestClient(app, client=(f"198.51.100.{number}", 5000))
        started = start(guesser, phone=PHONE).json()
        session = started["session"]
        for _ in range(3):
            answer = verify(guesser, session, wrong(started["dev_otp"]), phone=PHONE)
            failures += 1
            session = answer.json().get("session", session)
            if failures == 10:
                break
    assert answer.status_code == 429
    assert answer.json()["error"] == "too_many_attempts"
    assert 0 < int(answer.headers["retry-after"]) <= 24 * 3600
    owner = TestClient(app, client=("203.0.113.50", 5000))
    again = start(owner, phone=PHONE)
    assert again.status_code == 429
    assert again.json()["error"] == "too_many_attempts"
    # Another destination is not affected; the lock lifts with the window.
    assert start(owner, phone=OTHER).status_code == 200
    aws.clock.advance(24 * 3600)
    started = start(owner, phone=PHONE).json()
    assert verify(owner, started["session"], started["dev_otp"], phone=PHONE).status_code == 200


def test_a_strangers_wrong_codes_do_not_lock_the_owner_out(client: TestClient, aws: Any) -> None:
    """Issue 18, finding 1: ten wrong answers from one client locked the
    destination for 24 h, the owner's right code included. Now that client
    backs off (a minute after three, then doubling) and the owner, answering
    from elsewhere, signs in while the stranger keeps guessing."""
    stranger = TestClient(app, client=("198.51.100.66", 5000))
    owner = TestClient(app, client=("203.0.113.50", 5000))
    refused = 0
    for _ in range(10):
        started = start(stranger, phone=PHONE)
        if started.status_code == 429:
            assert started.json()["error"] == "too_many_attempts"
            refused += 1
            aws.clock.advance(int(started.headers["retry-after"]))
            continue
        body = started.json()
        session = body["session"]
        for _ in range(3):
            answer = verify(stranger, session, wrong(body["dev_otp"]), phone=PHONE)
            if answer.status_code != 401:
                break
            session = answer.json().get("session", session)
        mine = start(owner, phone=PHONE).json()
        assert verify(owner, mine["session"], mine["dev_otp"], phone=PHONE).status_code == 200
        aws.clock.advance(900)  # out of the destination's send window
    assert refused > 0


def test_answers_sent_straight_to_cognito_are_counted_too(client: TestClient, aws: Any) -> None:
    """RespondToAuthChallenge with a session /auth/start handed out skips the
    API's check (signed here as only the API can sign: Cognito refuses it
    unsigned): the verify trigger counts and refuses there."""
    for _ in range(4):
        started = start(client, phone=PHONE).json()
        session = started["session"]
        for _ in range(3):
            try:
                answer = aws.cognito.respond_to_auth_challenge(
                    ClientId=aws.client_id,
                    ChallengeName="CUSTOM_CHALLENGE",
                    Session=session,
                    ChallengeResponses={
                        "USERNAME": PHONE,
                        "ANSWER": wrong(started["dev_otp"]),
                        "SECRET_HASH": aws.secret_hash(PHONE),
                    },
                )
                session = answer["Session"]
            except aws.cognito.exceptions.NotAuthorizedException:
                break
        aws.clock.advance(300)
    locked = start(client, phone=PHONE)
    assert locked.status_code == 429
    assert locked.json()["error"] == "too_many_attempts"


def test_a_right_code_clears_the_failed_count(client: TestClient, aws: Any) -> None:
    """Of the source that answered it: the destination's ceiling counts on."""
    for _ in range(2):
        started = start(client, phone=PHONE).json()
        first = verify(client, started["session"], wrong(started["dev_otp"]), phone=PHONE).json()
        assert verify(client, first["session"], started["dev_otp"], phone=PHONE).status_code == 200
    hashed = protocol.destination_hash("test-destination-key", PHONE)
    source = abuse.source_hash("test-destination-key", "testclient")
    counters = DynamoDbCounters(boto3.client("dynamodb", region_name="us-east-1"), "app-table")
    assert counters.window(abuse.source_failed_codes_key(hashed, source), aws.clock()) is None
    assert counters.window(abuse.source_backoff_key(hashed, source), aws.clock()) is None


# ---- issue 18: budgets spend only what they grant ----


def test_a_refused_request_leaves_the_victims_budget_as_it_was(
    aws: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Finding 3: a client whose own source budget was spent still burnt any
    victim's destination budget with requests refused at once."""
    monkeypatch.setattr(settings, "source_send_limit", 1)
    _rebuild_rules()
    pumping = TestClient(app, client=("198.51.100.66", 5000))
    assert start(pumping, phone=OTHER).status_code == 200
    before = aws.table_items()
    for _ in range(10):
        refused = start(pumping, phone=PHONE)
        assert refused.status_code == 429
        assert refused.json()["error"] == "too_many_requests"
    assert aws.table_items() == before
    # The victim, never sent a code, still has its whole destination budget.
    for number in range(5):
        victim = TestClient(app, client=(f"203.0.113.{number}", 5000))
        assert start(victim, phone=PHONE).status_code == 200


def test_spent_emails_never_stop_sms(aws: Any, monkeypatch: pytest.MonkeyPatch) -> None:
    """Finding 4: one hourly counter for SMS and e-mail together; throw-away
    addresses switched code sign-in off for everyone."""
    monkeypatch.setattr(settings, "stack_emails_per_hour", 2)
    _rebuild_rules()
    for number in range(2):
        sender = TestClient(app, client=(f"198.51.100.{number}", 5000))
        assert start(sender, email=f"throwaway{number}@example.com").status_code == 200
    late = TestClient(app, client=("198.51.100.9", 5000))
    refused = start(late, email="another@example.com")
    assert refused.status_code == 429
    assert refused.json()["error"] == "too_many_requests"
    assert start(late, phone=PHONE).status_code == 200
    assert len(aws.sms()) == 1


def test_a_destination_that_signed_in_lately_still_gets_its_code(
    aws: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(settings, "stack_emails_per_hour", 2)
    _rebuild_rules()
    owner = TestClient(app, client=("203.0.113.50", 5000))
    started = start(owner, email="ada@example.com").json()
    assert (
        verify(owner, started["session"], started["dev_otp"], email="ada@example.com").status_code
        == 200
    )
    sender = TestClient(app, client=("198.51.100.1", 5000))
    assert start(sender, email="throwaway@example.com").status_code == 200
    assert start(sender, email="another@example.com").status_code == 429
    again = start(owner, email="ada@example.com")
    assert again.status_code == 200
    assert (
        verify(
            owner, again.json()["session"], again.json()["dev_otp"], email="ada@example.com"
        ).status_code
        == 200
    )


def test_one_mailbox_under_many_spellings_has_one_budget(client: TestClient, aws: Any) -> None:
    """Finding 8: plus-tags and dots gave one Gmail mailbox new keys (6 codes
    in one window against a limit of 5). The address typed is kept."""
    spellings = [
        "ada.lovelace@gmail.com",
        "adalovelace+1@gmail.com",
        "a.da.love.lace@googlemail.com",
        "AdaLovelace+x@GMAIL.com",
        "ada.lovelace+y@gmail.com",
    ]
    for spelling in spellings:
        answer = start(client, email=spelling)
        assert answer.status_code == 200
        assert answer.json()["email"] == spelling.lower()
    assert start(client, email="adalovelace@gmail.com").status_code == 429
    assert [m.destinations["ToAddresses"] for m in aws.emails()] == [[s.lower()] for s in spellings]


# ---- item 3: test destinations ----


def test_a_test_destination_is_sent_nothing_and_echoed_on_a_deployed_dev_stack(
    client: TestClient, aws: Any, no_dev_echo: None
) -> None:
    started = start(client, phone=TEST_PHONE).json()
    assert aws.sms() == []
    tokens = verify(client, started["session"], started["dev_otp"], phone=TEST_PHONE)
    assert tokens.status_code == 200


def test_wrong_codes_never_lock_a_test_destination_off_production(
    aws: Any, no_dev_echo: None
) -> None:
    """Issue 18, finding 2: the test destinations are public; five starts and
    ten wrong answers a day locked the smoke test out, and with it every
    promotion to prod. Off production no wrong answer counts against them."""
    for number in range(8):
        guesser = TestClient(app, client=(f"198.51.100.{number}", 5000))
        started = start(guesser, phone=TEST_PHONE).json()
        session = started["session"]
        for _ in range(3):
            answer = verify(guesser, session, wrong(started["dev_otp"]), phone=TEST_PHONE)
            assert answer.status_code == 401
            session = answer.json().get("session", session)
    smoke = TestClient(app, client=("198.51.100.0", 5000))
    started = start(smoke, phone=TEST_PHONE).json()
    signed_in = verify(smoke, started["session"], started["dev_otp"], phone=TEST_PHONE)
    assert signed_in.status_code == 200
    assert aws.table_items("AUTH#FAILED#") == []
    assert aws.table_items("AUTH#BACKOFF#") == []


def test_a_real_destination_gets_no_dev_otp_on_a_deployed_stack(
    client: TestClient, aws: Any, no_dev_echo: None
) -> None:
    assert "dev_otp" not in start(client, phone=PHONE).json()
    assert len(aws.sms()) == 1


# ---- item 7: errors that must not lie ----


def test_cognito_unreachable_is_503_not_500(client: TestClient, aws: Any) -> None:
    dead = boto3.client(
        "cognito-idp",
        region_name="us-east-1",
        endpoint_url="http://127.0.0.1:9",  # the discard port: nothing listens
        config=Config(connect_timeout=0.5, retries={"max_attempts": 1}),
    )
    provider = CognitoIdentityProvider(dead, aws.pool_id, aws.client_id)
    app.dependency_overrides[get_identity_provider] = lambda: provider
    for path, body in (
        ("/auth/start", {"phone": PHONE}),
        ("/auth/login", {"email": "ada@example.com", "password": "Passw0rd!"}),
        ("/auth/refresh", {"refresh_token": "r"}),
    ):
        response = client.post(path, json=body)
        assert response.status_code == 503, path
        assert response.json()["error"] == "service_unavailable"


# ---- issue 18, finding 5: the messages Cognito sends itself ----

ADA = "ada@example.com"
PASSWORD = "Passw0rd!"


def sign_up(client: TestClient, email: str = ADA) -> Any:
    return client.post("/auth/signup", json={"email": email, "password": PASSWORD})


def test_a_sign_ups_confirmation_goes_with_the_triggers_text_and_counts_as_a_send(
    client: TestClient, aws: Any
) -> None:
    assert sign_up(client).status_code == 201
    (sent,) = sent_messages(aws.pool_id)
    assert (sent.trigger_source, sent.channel, sent.destination) == (
        "CustomMessage_SignUp",
        "email",
        ADA,
    )
    assert sent.subject == "Confirm your Acme sign-up"
    assert sent.body.startswith(f"Your Acme confirmation code is {sent.code}. ")
    hashed = protocol.destination_hash("test-destination-key", ADA)
    counted = {item["PK"]["S"]: item["count"]["N"] for item in aws.table_items("AUTH#")}
    # The API's budget and the trigger's own count: one send each.
    assert counted[abuse.destination_send_key(hashed)] == "1"
    assert counted[abuse.destination_sent_key(hashed)] == "1"
    assert counted[abuse.stack_sent_key("email")] == "1"


def test_a_sign_up_straight_to_cognito_sends_nothing(client: TestClient, aws: Any) -> None:
    """Even holding the client's secret (say it leaked), a SignUp without the
    API's ticket gets no confirmation sent: a script cannot mail any address."""
    with pytest.raises(ClientError, match="no valid ticket from the API"):
        aws.cognito.sign_up(
            ClientId=aws.client_id,
            SecretHash=aws.secret_hash(ADA),
            Username=ADA,
            Password=PASSWORD,
            UserAttributes=[{"Name": "email", "Value": ADA}],
            ClientMetadata={"ticket": protocol.ticket("test-ticket-key", ADA, "email", 2**40)},
        )
    assert sent_messages(aws.pool_id) == []


def test_no_message_the_api_never_asks_for_is_sent_even_with_the_clients_secret(
    client: TestClient, aws: Any
) -> None:
    """Resend and forgot password send a code straight to an account's address
    on anyone's request: refused by the custom message trigger, and forgot
    password by the pool itself (account recovery admin_only)."""
    assert sign_up(client).status_code == 201  # one confirmation, through the API
    with pytest.raises(ClientError, match="CustomMessage failed with error"):
        aws.cognito.resend_confirmation_code(
            ClientId=aws.client_id, SecretHash=aws.secret_hash(ADA), Username=ADA
        )
    started = start(client, email="bob@example.com").json()
    signed_in = verify(client, started["session"], started["dev_otp"], email="bob@example.com")
    assert signed_in.status_code == 200
    with pytest.raises(ClientError) as refused:
        aws.cognito.forgot_password(
            ClientId=aws.client_id,
            SecretHash=aws.secret_hash("bob@example.com"),
            Username="bob@example.com",
        )
    assert refused.value.response["Error"]["Code"] == "NotAuthorizedException"
    assert [m.trigger_source for m in sent_messages(aws.pool_id)] == ["CustomMessage_SignUp"]


def test_a_signed_in_user_cannot_have_codes_sent_to_any_address(
    client: TestClient, aws: Any, auto_confirm: None
) -> None:
    """Where sign-ups are auto-confirmed (dev), anyone may sign up a victim's
    address and sign in: their access token alone (no secret) asks Cognito
    for the address's verification code, or to change the address and code
    the new one. Each is refused and nothing is sent; the address stays."""
    assert sign_up(client).status_code == 201
    signed_in = client.post("/auth/login", json={"email": ADA, "password": PASSWORD})
    access_token = signed_in.json()["access_token"]
    for _ in range(3):
        with pytest.raises(ClientError, match="CustomMessage failed with error"):
            aws.cognito.get_user_attribute_verification_code(
                AccessToken=access_token, AttributeName="email"
            )
    with pytest.raises(ClientError, match="CustomMessage failed with error"):
        aws.cognito.update_user_attributes(
            AccessToken=access_token,
            UserAttributes=[{"Name": "email", "Value": "victim@example.org"}],
        )
    assert sent_messages(aws.pool_id) == []
    attributes = {a["Name"]: a["Value"] for a in aws.user(ADA)["UserAttributes"]}
    assert attributes["email"] == ADA


def test_the_triggers_own_count_refuses_a_sign_up_past_the_apis_budgets(
    client: TestClient, aws: Any
) -> None:
    """Behind the API's budgets the trigger keeps its own count: when it is
    spent, Cognito sends nothing and the API answers 429 with the wait."""
    aws.configure("CustomMessage", stack_emails_per_hour=1)
    assert sign_up(client, "a@example.com").status_code == 201
    refused = sign_up(client, "b@example.com")
    assert refused.status_code == 429
    assert refused.json()["error"] == "too_many_requests"
    assert refused.headers["retry-after"] == "3600"
    assert [m.destination for m in sent_messages(aws.pool_id)] == ["a@example.com"]
