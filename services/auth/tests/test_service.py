"""The service functions on an in-memory IdentityProvider: the rules that
keep accounts from being enumerated, and what each use case asks of the
provider, with no Cognito and no HTTP."""

from __future__ import annotations

import dataclasses
import uuid
from collections.abc import Sequence
from dataclasses import dataclass

import pytest

from auth import abuse, metrics, protocol, service, timing
from auth.abuse import Budget, SendRefused, TooManyAttempts
from auth.counters import LimitReached, Take, Window
from auth.identity_provider import (
    AlreadySignedOut,
    CannotUseCodes,
    Channel,
    CodeRateLimited,
    CodeSent,
    Contact,
    IdentityError,
    NewUser,
    SessionExpired,
    Throttled,
    Unconfirmed,
    UserAlreadyExists,
    WeakPassword,
)
from auth.models import (
    ConfirmRequest,
    Credentials,
    StartRequest,
    StartResponse,
    Tokens,
    VerifyRequest,
)
from service_kernel import Caller

PHONE = "+12025550101"
EMAIL = "ada@example.com"
CODE = "123456"
TEST_PHONE = "+15555550100"
SOURCE = "203.0.113.10"
NOW = 1_800_000_000.0


@dataclass
class User:
    password: str | None  # None: a code-only user
    confirmed: bool = True
    disabled: bool = False


class MemoryIdentityProvider:
    """Enough of a user pool to state the service's rules: users by name,
    one code per sign-in, and any call made to fail on demand."""

    def __init__(self) -> None:
        self.users: dict[str, User] = {}
        self.sent: list[tuple[str, Channel]] = []
        self.sessions: dict[str, str] = {}
        self.ended: set[str] = set()
        self.calls: list[str] = []
        self.refusals: dict[str, IdentityError] = {}
        self.tickets: list[str] = []

    def refuse(self, method: str, error: IdentityError) -> None:
        self.refusals[method] = error

    def _call(self, method: str) -> None:
        self.calls.append(method)
        if method in self.refusals:
            raise self.refusals[method]

    def create_passwordless_user(self, username: str, channel: Channel) -> str:
        self._call("create_passwordless_user")
        if username in self.users:
            raise UserAlreadyExists
        self.users[username] = User(password=None)
        return f"sub-of-{username}"

    def start_code_sign_in(self, username: str, channel: Channel, ticket: str) -> CodeSent:
        self._call("start_code_sign_in")
        self.tickets.append(ticket)
        user = self.users.get(username)
        if user is not None and not user.confirmed:
            raise Unconfirmed
        if user is None or user.disabled:
            raise CannotUseCodes
        self.sent.append((username, channel))
        session = f"session-{uuid.uuid4()}"
        self.sessions[session] = username
        return CodeSent(session=session, dev_otp=CODE)

    def delete_unconfirmed_user(self, username: str) -> bool:
        self._call("delete_unconfirmed_user")
        if username in self.users and not self.users[username].confirmed:
            del self.users[username]
            return True
        return False

    def contact(self, access_token: str) -> Contact:
        self._call("contact")
        return Contact(email=EMAIL, phone=PHONE)

    def answer_code(self, username: str, session: str, code: str) -> Tokens:
        self._call("answer_code")
        if self.sessions.pop(session, None) != username or code != CODE:
            raise SessionExpired
        return tokens(username)

    def sign_up(self, email: str, password: str, ticket: str) -> NewUser:
        self._call("sign_up")
        self.tickets.append(ticket)
        if email in self.users:
            raise UserAlreadyExists
        if len(password) < 8:
            raise WeakPassword("Password not long enough")
        self.users[email] = User(password=password, confirmed=False)
        return NewUser(user_sub=f"sub-of-{email}", confirmed=False)

    def confirm_sign_up(self, email: str, code: str) -> None:
        self._call("confirm_sign_up")
        self.users[email].confirmed = True

    def password_sign_in(self, email: str, password: str) -> Tokens:
        self._call("password_sign_in")
        return tokens(email)

    def refresh(self, refresh_token: str) -> Tokens:
        self._call("refresh")
        return tokens(refresh_token)

    def sign_out(self, access_token: str) -> None:
        self._call("sign_out")
        self._end(access_token)

    def revoke(self, refresh_token: str) -> None:
        self._call("revoke")
        self._end(refresh_token)

    def _end(self, token: str) -> None:
        if token in self.ended:
            raise AlreadySignedOut
        self.ended.add(token)


def tokens(owner: str) -> Tokens:
    return Tokens(
        access_token=f"access-{owner}",
        id_token=f"id-{owner}",
        refresh_token=f"refresh-{owner}",
        expires_in=3600,
    )


class MemoryCounters:
    """The Counters port in a dict: fixed windows, as the DynamoDB adapter keeps them."""

    def __init__(self) -> None:
        self.windows: dict[str, Window] = {}

    def take_all(self, takes: Sequence[Take], now: float) -> None:
        full = [
            (take.key, window.retry_after(now))
            for take in takes
            if (window := self.window(take.key, now)) is not None and window.count >= take.limit
        ]
        if full:
            keys = tuple(key for key, _ in full)
            raise LimitReached(max(wait for _, wait in full), keys[0], keys)
        for take in takes:
            self.add(take.key, take.window_seconds, now)

    def add(self, key: str, window_seconds: int, now: float) -> int:
        window = self.window(key, now)
        if window is None:
            self.windows[key] = Window(1, int(now) + window_seconds)
        else:
            self.windows[key] = Window(window.count + 1, window.expires_at)
        return self.windows[key].count

    def give_back(self, key: str, now: float) -> None:
        window = self.window(key, now)
        if window is not None and window.count > 0:
            self.windows[key] = Window(window.count - 1, window.expires_at)

    def restart(self, key: str, window_seconds: int, now: float) -> None:
        self.windows[key] = Window(1, int(now) + window_seconds)

    def reset(self, key: str) -> None:
        self.windows.pop(key, None)

    def window(self, key: str, now: float) -> Window | None:
        window = self.windows.get(key)
        return window if window is not None and window.expires_at > int(now) else None


class MemoryPendingUsers:
    def __init__(self) -> None:
        self.due_at: dict[str, int] = {}

    def add(self, sub: str, due: int) -> None:
        self.due_at[sub] = due

    def remove(self, sub: str) -> None:
        self.due_at.pop(sub, None)

    def due(self, now: float) -> list[str]:
        return [sub for sub, due in self.due_at.items() if due <= now]


@pytest.fixture
def provider() -> MemoryIdentityProvider:
    return MemoryIdentityProvider()


@pytest.fixture
def counters(monkeypatch: pytest.MonkeyPatch) -> MemoryCounters:
    monkeypatch.setattr(service, "now", lambda: NOW)
    return MemoryCounters()


def make_rules(counters: MemoryCounters, **changes: object) -> service.CodeRules:
    rules = service.CodeRules(
        counters=counters,
        destination_key="destination-key",
        ticket_key="ticket-key",
        sms_regions=frozenset({"US", "GB"}),
        test_destinations=(TEST_PHONE, "@example.test"),
        destination_budget=Budget(5, 900),
        source_budget=Budget(8, 3600),
        stack_budgets={"sms": Budget(12, 3600), "email": Budget(12, 3600)},
        trusted_days=30,
        signup_source_budget=Budget(3, 3600),
        max_failed_codes=10,
        pending=MemoryPendingUsers(),
        pending_seconds=360,
    )
    return dataclasses.replace(rules, **changes)  # type: ignore[arg-type]


@pytest.fixture
def rules(counters: MemoryCounters) -> service.CodeRules:
    return make_rules(counters)


@pytest.fixture
def sleeps(monkeypatch: pytest.MonkeyPatch) -> list[float]:
    """The equal-time floors, made visible: what each call slept to reach them."""
    monkeypatch.setattr(timing, "START_FLOOR_SECONDS", 5.0)
    monkeypatch.setattr(timing, "SIGN_UP_FLOOR_SECONDS", 5.0)
    slept: list[float] = []
    monkeypatch.setattr(timing, "sleep", slept.append)
    return slept


def start(
    provider: MemoryIdentityProvider,
    rules: service.CodeRules,
    *,
    production: bool = False,
    source: str = SOURCE,
    **to: str,
) -> StartResponse:
    return service.start(
        provider, rules, StartRequest(**to), source_ip=source, production=production
    )


def verify(
    provider: MemoryIdentityProvider,
    rules: service.CodeRules,
    answer: VerifyRequest,
    *,
    production: bool = False,
    source: str = SOURCE,
) -> Tokens:
    return service.verify(provider, rules, answer, source_ip=source, production=production)


# --- start ------------------------------------------------------------------


def test_a_new_phone_gets_a_code_only_account_and_an_sms(
    provider: MemoryIdentityProvider, rules: service.CodeRules
) -> None:
    answer = start(provider, rules, phone=PHONE)
    assert provider.users[PHONE] == User(password=None)
    assert provider.sent == [(PHONE, "sms")]
    assert (answer.phone, answer.email, answer.delivery) == (PHONE, None, "sms")
    assert answer.session in provider.sessions


def test_a_new_user_is_pending_until_proved_and_a_known_one_is_not(
    provider: MemoryIdentityProvider, rules: service.CodeRules
) -> None:
    start(provider, rules, phone=PHONE)
    start(provider, rules, phone=PHONE)  # known now: not pending again
    assert rules.pending.due(NOW + 360) == [f"sub-of-{PHONE}"]
    assert rules.pending.due(NOW + 359) == []


def test_an_email_is_sent_its_code_by_email(
    provider: MemoryIdentityProvider, rules: service.CodeRules
) -> None:
    answer = start(provider, rules, email=EMAIL)
    assert provider.sent == [(EMAIL, "email")]
    assert (answer.phone, answer.email, answer.delivery) == (None, EMAIL, "email")


def test_the_send_carries_a_ticket_for_that_destination_and_channel(
    provider: MemoryIdentityProvider, rules: service.CodeRules
) -> None:
    start(provider, rules, phone=PHONE)
    (ticket,) = provider.tickets
    assert protocol.ticket_is_valid("ticket-key", ticket, PHONE, "sms", NOW)
    assert not protocol.ticket_is_valid("ticket-key", ticket, PHONE, "email", NOW)
    assert not protocol.ticket_is_valid("ticket-key", ticket, PHONE, "sms", NOW + 31)


def test_a_known_user_is_left_as_it_is_and_answered_like_a_new_one(
    provider: MemoryIdentityProvider, rules: service.CodeRules
) -> None:
    provider.users[EMAIL] = User(password="their own")
    known = start(provider, rules, email=EMAIL)
    assert provider.users[EMAIL] == User(password="their own")
    new = start(provider, rules, email="grace@example.com")
    assert known.model_dump().keys() == new.model_dump().keys()
    assert (known.delivery, known.dev_otp) == (new.delivery, new.dev_otp)


def test_a_never_confirmed_sign_up_is_replaced_and_the_destination_sent_a_code(
    provider: MemoryIdentityProvider, rules: service.CodeRules
) -> None:
    # A squatter's sign-up with someone else's address: it proved nothing.
    provider.users[EMAIL] = User(password="the squatter's", confirmed=False)
    answer = start(provider, rules, email=EMAIL)
    assert provider.users[EMAIL] == User(password=None)
    assert provider.sent == [(EMAIL, "email")]
    assert answer.session in provider.sessions


def test_a_disabled_user_gets_a_decoy_session_and_no_code(
    provider: MemoryIdentityProvider, rules: service.CodeRules
) -> None:
    provider.users[EMAIL] = User(password="pw", disabled=True)
    first, second = start(provider, rules, email=EMAIL), start(provider, rules, email=EMAIL)
    assert provider.sent == []
    assert first.dev_otp is None
    assert first.session != second.session
    # Shaped like a Cognito session (hundreds of characters), not a marker.
    assert len(first.session) > 800
    with pytest.raises(SessionExpired):
        verify(provider, rules, VerifyRequest(email=EMAIL, otp=CODE, session=first.session))


def test_only_the_production_flag_decides_whether_the_code_is_passed_on(
    provider: MemoryIdentityProvider, rules: service.CodeRules
) -> None:
    assert start(provider, rules, phone=PHONE, production=True).dev_otp is None
    assert start(provider, rules, phone=PHONE, production=False).dev_otp == CODE


def test_a_rate_limited_destination_is_the_routes_to_answer(
    provider: MemoryIdentityProvider, rules: service.CodeRules
) -> None:
    provider.refuse("start_code_sign_in", CodeRateLimited(120))
    with pytest.raises(CodeRateLimited):
        start(provider, rules, phone=PHONE)


@pytest.mark.parametrize(
    "known", [None, User(password=None), User("pw", confirmed=False), User("pw", disabled=True)]
)
def test_start_takes_the_same_floor_for_new_known_and_unusable_users(
    provider: MemoryIdentityProvider,
    rules: service.CodeRules,
    sleeps: list[float],
    known: User | None,
) -> None:
    if known is not None:
        provider.users[EMAIL] = known
    start(provider, rules, email=EMAIL)
    assert len(sleeps) == 1
    assert 4.9 < sleeps[0] <= 5.0


def test_start_keeps_the_floor_when_it_fails(
    provider: MemoryIdentityProvider, rules: service.CodeRules, sleeps: list[float]
) -> None:
    provider.refuse("start_code_sign_in", Throttled(60))
    with pytest.raises(Throttled):
        start(provider, rules, phone=PHONE)
    assert len(sleeps) == 1


# --- start: the abuse rules, before anything is created or sent --------------


@pytest.mark.parametrize(
    ("phone", "reason"),
    [
        ("+33612345678", "not a country this service sends SMS to"),  # FR, not on the list
        ("+882161234567", "not a country this service sends SMS to"),  # international network
        ("+19005550123", "not a mobile number"),  # US premium rate
        ("+442079460958", "not a mobile number"),  # GB fixed line
        ("+12025550", "not a number in service"),
    ],
)
def test_sms_only_goes_to_mobile_numbers_of_the_listed_countries(
    provider: MemoryIdentityProvider, rules: service.CodeRules, phone: str, reason: str
) -> None:
    with pytest.raises(service.UnsupportedDestination) as refused:
        start(provider, rules, phone=phone)
    assert refused.value.reason == reason
    assert provider.calls == []


def test_the_destination_budget_refuses_before_anything_is_created(
    provider: MemoryIdentityProvider, rules: service.CodeRules
) -> None:
    for _ in range(5):
        start(provider, rules, phone=PHONE)
    calls = len(provider.calls)
    with pytest.raises(SendRefused) as refused:
        start(provider, rules, phone=PHONE)
    assert (refused.value.budget, refused.value.retry_after) == ("destination", 900)
    assert len(provider.calls) == calls


def test_the_source_budget_spans_destinations(
    provider: MemoryIdentityProvider, rules: service.CodeRules
) -> None:
    for number in range(8):
        start(provider, rules, phone=f"+120255501{number:02d}")
    with pytest.raises(SendRefused) as refused:
        start(provider, rules, phone="+12025550199")
    assert refused.value.budget == "source"
    # Another source still gets its codes.
    start(provider, rules, phone="+12025550199", source="198.51.100.7")


def test_the_stack_budget_spans_sources(
    provider: MemoryIdentityProvider, rules: service.CodeRules
) -> None:
    for number in range(12):
        start(provider, rules, phone=f"+120255501{number:02d}", source=f"198.51.100.{number}")
    with pytest.raises(SendRefused) as refused:
        start(provider, rules, phone="+12025550199", source="198.51.100.99")
    assert refused.value.budget == "stack"
    assert len(provider.sent) == 12


def test_budget_keys_hold_keyed_hashes_never_the_number_or_the_address(
    provider: MemoryIdentityProvider, counters: MemoryCounters, rules: service.CodeRules
) -> None:
    start(provider, rules, phone=PHONE)
    keys = " ".join(counters.windows)
    assert all(key.startswith("AUTH#") for key in counters.windows)
    assert "2025550101" not in keys
    assert SOURCE not in keys
    hashed = protocol.destination_hash("destination-key", PHONE)
    assert abuse.destination_send_key(hashed) in counters.windows
    # Keyed with the stack's secret: another key gives other hashes.
    assert protocol.destination_hash("another-key", PHONE) != hashed


@pytest.mark.parametrize("destination", [{"phone": TEST_PHONE}, {"email": "smoke@example.test"}])
def test_test_destinations_skip_the_country_check_and_the_budgets(
    provider: MemoryIdentityProvider,
    counters: MemoryCounters,
    rules: service.CodeRules,
    destination: dict[str, str],
) -> None:
    for _ in range(7):
        service.start(
            provider, rules, StartRequest(**destination), source_ip=SOURCE, production=False
        )
    assert counters.windows == {}


def test_on_production_a_test_destination_is_an_ordinary_number(
    provider: MemoryIdentityProvider, counters: MemoryCounters, rules: service.CodeRules
) -> None:
    """Issue 18, finding 2: test destinations are public (the README, the stack
    files) and skipped every check, so anyone could use them. On a production
    stack the API refuses them as it refuses any number (here: not a mobile
    number of a listed country), and spends budgets for them like any other;
    the smoke test signs them in through IAM only."""
    with pytest.raises(service.UnsupportedDestination):
        start(provider, rules, phone=TEST_PHONE, production=True)
    start(provider, rules, email="smoke@example.test", production=True)
    assert counters.windows != {}


def test_a_locked_destination_gets_no_code(
    provider: MemoryIdentityProvider, counters: MemoryCounters, rules: service.CodeRules
) -> None:
    hashed = protocol.destination_hash("destination-key", PHONE)
    for _ in range(10):
        abuse.take_answer(counters, hashed, 10, NOW - 3600)
    with pytest.raises(TooManyAttempts) as locked:
        start(provider, rules, phone=PHONE)
    assert locked.value.retry_after == 24 * 3600 - 3600
    assert provider.calls == []


def test_a_refused_request_spends_no_budget(
    provider: MemoryIdentityProvider, counters: MemoryCounters, rules: service.CodeRules
) -> None:
    """Issue 18, finding 3: a client out of its own source budget asked for a
    victim's number again and again, and each refusal spent the victim's
    destination budget. Now all budgets are spent together or not at all."""
    pumping = make_rules(counters, source_budget=Budget(1, 3600))
    start(provider, pumping, phone="+12025550150")
    before = dict(counters.windows)
    for _ in range(10):
        with pytest.raises(SendRefused) as refused:
            start(provider, pumping, phone=PHONE)
        assert refused.value.budget == "source"
    assert counters.windows == before
    for _ in range(5):  # the victim's whole destination budget is left
        start(provider, rules, phone=PHONE, source="198.51.100.1")


def test_sms_and_email_have_their_own_stack_budgets(
    provider: MemoryIdentityProvider, counters: MemoryCounters, rules: service.CodeRules
) -> None:
    """Issue 18, finding 4: throw-away e-mails spent the one stack budget SMS
    shared. Running one channel's out never stops the other."""
    for number in range(12):
        start(provider, rules, email=f"u{number}@example.com", source=f"198.51.100.{number}")
    with pytest.raises(SendRefused) as refused:
        start(provider, rules, email="late@example.com", source="198.51.100.99")
    assert (refused.value.budget, refused.value.retry_after) == ("stack", 3600)
    start(provider, rules, phone=PHONE, source="198.51.100.99")
    assert provider.sent[-1] == (PHONE, "sms")


def test_a_destination_that_signed_in_lately_gets_its_code_past_a_spent_stack_budget(
    provider: MemoryIdentityProvider,
    counters: MemoryCounters,
    rules: service.CodeRules,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    spent: list[str] = []
    monkeypatch.setattr(metrics, "stack_budget_spent", lambda: spent.append("stack"))
    session = start(provider, rules, email=EMAIL).session
    verify(provider, rules, VerifyRequest(email=EMAIL, otp=CODE, session=session))
    for number in range(11):
        start(provider, rules, email=f"u{number}@example.com", source=f"198.51.100.{number}")
    # The stack's e-mails are spent: a stranger is refused, the trusted user is not.
    with pytest.raises(SendRefused):
        start(provider, rules, email="stranger@example.com", source="198.51.100.98")
    start(provider, rules, email=EMAIL, source="198.51.100.99")
    assert provider.sent[-1] == (EMAIL, "email")
    assert spent == ["stack", "stack"]  # both met the spent budget: the alarm counts both
    # Still within its own destination budget (5): one used above, one now.
    for _ in range(3):
        start(provider, rules, email=EMAIL, source="198.51.100.99")
    with pytest.raises(SendRefused) as refused:
        start(provider, rules, email=EMAIL, source="198.51.100.99")
    assert refused.value.budget == "destination"
    # Trust lasts `trusted_days` from the sign-in.
    monkeypatch.setattr(service, "now", lambda: NOW + 30 * 24 * 3600)
    for number in range(12):
        start(provider, rules, email=f"v{number}@example.com", source=f"198.51.100.{number}")
    with pytest.raises(SendRefused) as refused:
        start(provider, rules, email=EMAIL, source="198.51.100.99")
    assert refused.value.budget == "stack"


@pytest.mark.parametrize(
    "spelling",
    [
        "Ada.Lovelace@gmail.com",
        "adalovelace+news@gmail.com",
        "a.d.a.l.o.v.e.l.a.c.e@googlemail.com",
        "ADALOVELACE+x@GoogleMail.COM",
    ],
)
def test_an_email_budget_is_keyed_by_its_mailbox_not_its_spelling(
    provider: MemoryIdentityProvider, rules: service.CodeRules, spelling: str
) -> None:
    """Issue 18, finding 8: plus-tags and Gmail's dots gave one mailbox new
    budget keys. The user keeps the address they typed."""
    for _ in range(5):
        start(provider, rules, email="adalovelace@gmail.com")
    with pytest.raises(SendRefused) as refused:
        start(provider, rules, email=spelling)
    assert refused.value.budget == "destination"
    answer = start(provider, rules, email="ada+x@example.com", source="198.51.100.1")
    assert answer.email == "ada+x@example.com"
    assert provider.sent[-1] == ("ada+x@example.com", "email")


# --- verify -----------------------------------------------------------------


def test_verify_exchanges_the_code_of_that_session_for_tokens(
    provider: MemoryIdentityProvider, rules: service.CodeRules
) -> None:
    session = start(provider, rules, phone=PHONE).session
    answer = VerifyRequest(phone=PHONE, otp=CODE, session=session)
    assert verify(provider, rules, answer) == tokens(PHONE)


def test_a_locked_destination_is_refused_even_the_right_code(
    provider: MemoryIdentityProvider, counters: MemoryCounters, rules: service.CodeRules
) -> None:
    session = start(provider, rules, phone=PHONE).session
    hashed = protocol.destination_hash("destination-key", PHONE)
    for _ in range(10):
        abuse.take_answer(counters, hashed, 10, NOW)
    with pytest.raises(TooManyAttempts):
        verify(provider, rules, VerifyRequest(phone=PHONE, otp=CODE, session=session))
    assert "answer_code" not in provider.calls


def test_the_failure_that_reaches_the_limit_is_answered_as_the_lockout(
    provider: MemoryIdentityProvider, counters: MemoryCounters, rules: service.CodeRules
) -> None:
    hashed = protocol.destination_hash("destination-key", PHONE)
    for _ in range(9):
        abuse.take_answer(counters, hashed, 10, NOW)

    def wrong_and_counted(username: str, session: str, code: str) -> Tokens:
        abuse.take_answer(counters, hashed, 10, NOW)  # what the verify trigger does
        raise SessionExpired

    provider.answer_code = wrong_and_counted  # type: ignore[method-assign]
    with pytest.raises(TooManyAttempts):
        verify(provider, rules, VerifyRequest(phone=PHONE, otp=CODE, session="s" * 40))


def test_a_strangers_wrong_codes_back_off_the_stranger_and_not_the_owner(
    provider: MemoryIdentityProvider,
    counters: MemoryCounters,
    rules: service.CodeRules,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """Issue 18, finding 1: ten wrong answers locked the owner out for a day.
    Failures count per destination and source: past three, that source
    waits (a minute, then doubling); the owner, elsewhere, signs in."""
    stranger = "198.51.100.66"
    for _ in range(3):
        session = start(provider, rules, phone=PHONE, source=stranger).session
        with pytest.raises(SessionExpired):
            verify(
                provider,
                rules,
                VerifyRequest(phone=PHONE, otp="000000", session=session),
                source=stranger,
            )
    with pytest.raises(TooManyAttempts) as waits:
        start(provider, rules, phone=PHONE, source=stranger)
    assert waits.value.retry_after == 60
    session = start(provider, rules, phone=PHONE).session
    assert verify(provider, rules, VerifyRequest(phone=PHONE, otp=CODE, session=session)) == (
        tokens(PHONE)
    )
    # The stranger's next failure doubles its wait.
    monkeypatch.setattr(service, "now", lambda: NOW + 60)
    session = start(provider, rules, phone=PHONE, source=stranger).session
    with pytest.raises(SessionExpired):
        verify(
            provider,
            rules,
            VerifyRequest(phone=PHONE, otp="000000", session=session),
            source=stranger,
        )
    with pytest.raises(TooManyAttempts) as waits:
        start(provider, rules, phone=PHONE, source=stranger)
    assert waits.value.retry_after == 120


def test_a_right_code_clears_its_sources_failures(
    provider: MemoryIdentityProvider, counters: MemoryCounters, rules: service.CodeRules
) -> None:
    for _ in range(2):
        session = start(provider, rules, phone=PHONE).session
        with pytest.raises(SessionExpired):
            verify(provider, rules, VerifyRequest(phone=PHONE, otp="000000", session=session))
    session = start(provider, rules, phone=PHONE).session
    verify(provider, rules, VerifyRequest(phone=PHONE, otp=CODE, session=session))
    assert not any(key.startswith(("AUTH#FAILED#", "AUTH#BACKOFF#")) for key in counters.windows)


def test_failures_against_a_test_destination_never_lock_it_off_production(
    provider: MemoryIdentityProvider, counters: MemoryCounters, rules: service.CodeRules
) -> None:
    """Issue 18, finding 2: the smoke test's public numbers could be locked,
    stopping every deploy. Off production their failures count nowhere."""
    for _ in range(20):
        session = start(provider, rules, phone=TEST_PHONE).session
        with pytest.raises(SessionExpired):
            verify(provider, rules, VerifyRequest(phone=TEST_PHONE, otp="000000", session=session))
    hashed = protocol.destination_hash("destination-key", TEST_PHONE)
    for _ in range(10):  # even the trigger's ceiling, had it counted them, is not read
        abuse.take_answer(counters, hashed, 10, NOW)
    session = start(provider, rules, phone=TEST_PHONE).session
    verify(provider, rules, VerifyRequest(phone=TEST_PHONE, otp=CODE, session=session))
    # On production a test destination is an ordinary number through the API: this
    # one (555-01xx, in no numbering plan's service) is refused before any count.
    with pytest.raises(service.UnsupportedDestination):
        start(provider, rules, phone=TEST_PHONE, production=True)


# --- signup, confirm, login -------------------------------------------------


def test_a_new_email_signs_up_as_the_provider_says(
    provider: MemoryIdentityProvider, rules: service.CodeRules
) -> None:
    answer = service.signup(
        provider,
        rules,
        Credentials(email=EMAIL, password="Passw0rd!"),
        source_ip=SOURCE,
        auto_confirm=False,
    )
    assert (answer.user_sub, answer.confirmed) == (f"sub-of-{EMAIL}", False)


@pytest.mark.parametrize("auto_confirm", [False, True])
def test_an_existing_email_is_answered_as_a_new_one_would_be(
    provider: MemoryIdentityProvider, rules: service.CodeRules, auto_confirm: bool
) -> None:
    provider.users[EMAIL] = User(password="theirs")
    credentials = Credentials(email=EMAIL, password="Passw0rd!")
    first = service.signup(
        provider, rules, credentials, source_ip=SOURCE, auto_confirm=auto_confirm
    )
    second = service.signup(
        provider, rules, credentials, source_ip=SOURCE, auto_confirm=auto_confirm
    )
    assert first.confirmed is second.confirmed is auto_confirm
    assert first.user_sub != second.user_sub
    assert uuid.UUID(first.user_sub)
    assert provider.users[EMAIL] == User(password="theirs")


def test_signup_takes_the_same_floor_for_new_and_existing_emails(
    provider: MemoryIdentityProvider, rules: service.CodeRules, sleeps: list[float]
) -> None:
    credentials = Credentials(email=EMAIL, password="Passw0rd!")
    service.signup(provider, rules, credentials, source_ip=SOURCE, auto_confirm=False)
    service.signup(provider, rules, credentials, source_ip=SOURCE, auto_confirm=False)
    assert len(sleeps) == 2
    assert all(4.9 < seconds <= 5.0 for seconds in sleeps)


def test_sign_ups_from_one_source_are_budgeted(
    provider: MemoryIdentityProvider, counters: MemoryCounters, rules: service.CodeRules
) -> None:
    """Issue 18, finding 5: /auth/signup had no budget, and each sign-up may make
    Cognito e-mail a code. A source IP gets `auth.signupSourceLimit` of them."""
    for n in range(3):
        credentials = Credentials(email=f"user{n}@example.com", password="Passw0rd!")
        service.signup(provider, rules, credentials, source_ip=SOURCE, auto_confirm=False)
    credentials = Credentials(email="user9@example.com", password="Passw0rd!")
    with pytest.raises(SendRefused) as refused:
        service.signup(provider, rules, credentials, source_ip=SOURCE, auto_confirm=False)
    assert refused.value.budget == "source"
    assert "user9@example.com" not in provider.users
    # Another source has its own.
    service.signup(provider, rules, credentials, source_ip="198.51.100.9", auto_confirm=False)


def test_a_sign_up_spends_its_sources_its_destinations_and_the_stacks_email_budgets(
    provider: MemoryIdentityProvider, counters: MemoryCounters, rules: service.CodeRules
) -> None:
    """Issue 18, finding 5: the confirmation Cognito e-mails is under the same
    budgets as a sign-in code, and the custom message trigger lets it go only
    with this request's ticket."""
    credentials = Credentials(email=EMAIL, password="Passw0rd!")
    service.signup(provider, rules, credentials, source_ip=SOURCE, auto_confirm=False)
    hashed = rules.hashed(EMAIL)
    assert {key: window.count for key, window in counters.windows.items()} == {
        abuse.signup_source_key("destination-key", SOURCE): 1,
        abuse.destination_send_key(hashed): 1,
        abuse.stack_send_key("email"): 1,
    }
    (ticket,) = provider.tickets
    assert protocol.sign_up_ticket_is_valid("ticket-key", ticket, EMAIL, NOW)
    assert not protocol.ticket_is_valid("ticket-key", ticket, EMAIL, "email", NOW)


def test_sign_ups_to_one_mailbox_share_its_send_budget_and_a_refusal_spends_nothing(
    provider: MemoryIdentityProvider, counters: MemoryCounters, rules: service.CodeRules
) -> None:
    """A sign-up for a known address spends the same as a new one (no oracle),
    and a stranger cannot mail one inbox past its budget under many spellings."""
    for n, spelling in enumerate(("ada@example.com", "Ada@example.com", "ada+x@example.com")):
        credentials = Credentials(email=spelling, password="Passw0rd!")
        service.signup(
            provider, rules, credentials, source_ip=f"198.51.100.{n}", auto_confirm=False
        )
    start(provider, rules, email="ada@example.com", source="198.51.100.7")
    start(provider, rules, email="ada@example.com", source="198.51.100.8")
    before = dict(counters.windows)
    credentials = Credentials(email="ADA+y@example.com", password="Passw0rd!")
    with pytest.raises(SendRefused) as refused:
        service.signup(provider, rules, credentials, source_ip="198.51.100.9", auto_confirm=False)
    assert refused.value.budget == "destination"
    assert counters.windows == before


def test_a_never_confirmed_sign_up_is_replaced_by_the_next_one(
    provider: MemoryIdentityProvider, rules: service.CodeRules
) -> None:
    """Issue 18, finding 5: a stranger's sign-up for someone's address made
    that person's own sign-up a silent 201 with no e-mail. An unconfirmed
    sign-up proved nothing: the next one replaces it, and its code is sent."""
    provider.users[EMAIL] = User(password="strangers", confirmed=False)
    credentials = Credentials(email=EMAIL, password="Passw0rd!")
    made = service.signup(provider, rules, credentials, source_ip=SOURCE, auto_confirm=False)
    assert made.user_sub == f"sub-of-{EMAIL}"
    assert provider.users[EMAIL] == User(password="Passw0rd!", confirmed=False)
    assert provider.calls == ["sign_up", "delete_unconfirmed_user", "sign_up"]


def test_a_confirmed_account_is_never_replaced_by_a_sign_up(
    provider: MemoryIdentityProvider, rules: service.CodeRules
) -> None:
    provider.users[EMAIL] = User(password="theirs")
    credentials = Credentials(email=EMAIL, password="Passw0rd!")
    service.signup(provider, rules, credentials, source_ip=SOURCE, auto_confirm=False)
    assert provider.users[EMAIL] == User(password="theirs")
    assert provider.calls == ["sign_up", "delete_unconfirmed_user"]


def test_a_weak_password_is_the_routes_to_answer(
    provider: MemoryIdentityProvider, rules: service.CodeRules
) -> None:
    with pytest.raises(WeakPassword):
        service.signup(
            provider,
            rules,
            Credentials(email=EMAIL, password="short"),
            source_ip=SOURCE,
            auto_confirm=True,
        )


def test_confirm_and_login_are_the_providers_calls(
    provider: MemoryIdentityProvider, rules: service.CodeRules
) -> None:
    credentials = Credentials(email=EMAIL, password="Passw0rd!")
    service.signup(provider, rules, credentials, source_ip=SOURCE, auto_confirm=False)
    service.confirm(provider, ConfirmRequest(email=EMAIL, code="1"))
    assert provider.users[EMAIL].confirmed
    assert service.login(provider, credentials) == tokens(EMAIL)


# --- refresh, logout, me ----------------------------------------------------


def test_refresh_never_hands_out_a_refresh_token(provider: MemoryIdentityProvider) -> None:
    refreshed = service.refresh(provider, "refresh-1")
    assert refreshed.refresh_token is None
    assert refreshed.access_token == "access-refresh-1"


def test_logout_signs_out_first_then_revokes(provider: MemoryIdentityProvider) -> None:
    service.logout(provider, access_token="access-1", refresh_token="refresh-1")
    assert provider.calls == ["sign_out", "revoke"]


def test_logout_is_idempotent(provider: MemoryIdentityProvider) -> None:
    for _ in range(2):
        service.logout(provider, access_token="access-1", refresh_token="refresh-1")
    assert provider.ended == {"access-1", "refresh-1"}


def test_logout_calls_only_for_the_tokens_it_has(provider: MemoryIdentityProvider) -> None:
    service.logout(provider, access_token=None, refresh_token=None)
    service.logout(provider, access_token=None, refresh_token="refresh-1")
    assert provider.calls == ["revoke"]


def test_logout_lets_a_provider_failure_through(provider: MemoryIdentityProvider) -> None:
    provider.refuse("sign_out", Throttled(60))
    with pytest.raises(Throttled):
        service.logout(provider, access_token="access-1", refresh_token="refresh-1")


def test_me_asks_the_provider_for_the_contact_details(provider: MemoryIdentityProvider) -> None:
    # Access tokens carry no e-mail or phone number.
    caller = Caller(sub="sub-1", username="sub-1", groups=("admins",), claims={"scope": "x"})
    me = service.me(provider, caller, "access-1")
    assert provider.calls == ["contact"]
    assert (me.sub, me.username, me.email, me.phone, me.groups) == (
        "sub-1",
        "sub-1",
        EMAIL,
        PHONE,
        ["admins"],
    )
