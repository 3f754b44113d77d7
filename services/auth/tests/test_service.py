"""The service functions on an in-memory IdentityProvider: the rules that
keep accounts from being enumerated, and what each use case asks of the
provider, with no Cognito and no HTTP."""

from __future__ import annotations

import uuid
from dataclasses import dataclass

import pytest

from auth import service, timing
from auth.identity_provider import (
    AlreadySignedOut,
    CannotUseCodes,
    Channel,
    CodeRateLimited,
    CodeSent,
    IdentityError,
    NewUser,
    SessionExpired,
    Throttled,
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

PHONE = "+15550100001"
EMAIL = "ada@example.com"
CODE = "123456"


@dataclass
class User:
    password: str | None  # None: a code-only user
    confirmed: bool = True


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

    def refuse(self, method: str, error: IdentityError) -> None:
        self.refusals[method] = error

    def _call(self, method: str) -> None:
        self.calls.append(method)
        if method in self.refusals:
            raise self.refusals[method]

    def create_passwordless_user(self, username: str, channel: Channel) -> None:
        self._call("create_passwordless_user")
        if username in self.users:
            raise UserAlreadyExists
        self.users[username] = User(password=None)

    def start_code_sign_in(self, username: str, channel: Channel) -> CodeSent:
        self._call("start_code_sign_in")
        user = self.users.get(username)
        if user is None or not user.confirmed:
            raise CannotUseCodes
        self.sent.append((username, channel))
        session = f"session-{uuid.uuid4()}"
        self.sessions[session] = username
        return CodeSent(session=session, dev_otp=CODE)

    def answer_code(self, username: str, session: str, code: str) -> Tokens:
        self._call("answer_code")
        if self.sessions.pop(session, None) != username or code != CODE:
            raise SessionExpired
        return tokens(username)

    def sign_up(self, email: str, password: str) -> NewUser:
        self._call("sign_up")
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


@pytest.fixture
def provider() -> MemoryIdentityProvider:
    return MemoryIdentityProvider()


@pytest.fixture
def sleeps(monkeypatch: pytest.MonkeyPatch) -> list[float]:
    """The equal-time floors, made visible: what each call slept to reach them."""
    monkeypatch.setattr(timing, "START_FLOOR_SECONDS", 5.0)
    monkeypatch.setattr(timing, "SIGN_UP_FLOOR_SECONDS", 5.0)
    slept: list[float] = []
    monkeypatch.setattr(timing, "sleep", slept.append)
    return slept


def start(
    provider: MemoryIdentityProvider, *, production: bool = False, **to: str
) -> StartResponse:
    return service.start(provider, StartRequest(**to), production=production)


# --- start ------------------------------------------------------------------


def test_a_new_phone_gets_a_code_only_account_and_an_sms(
    provider: MemoryIdentityProvider,
) -> None:
    answer = start(provider, phone=PHONE)
    assert provider.users[PHONE] == User(password=None)
    assert provider.sent == [(PHONE, "sms")]
    assert (answer.phone, answer.email, answer.delivery) == (PHONE, None, "sms")
    assert answer.session in provider.sessions


def test_an_email_is_sent_its_code_by_email(provider: MemoryIdentityProvider) -> None:
    answer = start(provider, email=EMAIL)
    assert provider.sent == [(EMAIL, "email")]
    assert (answer.phone, answer.email, answer.delivery) == (None, EMAIL, "email")


def test_a_known_user_is_left_as_it_is_and_answered_like_a_new_one(
    provider: MemoryIdentityProvider,
) -> None:
    provider.users[EMAIL] = User(password="their own")
    known = start(provider, email=EMAIL)
    assert provider.users[EMAIL] == User(password="their own")
    new = start(provider, email="grace@example.com")
    assert known.model_dump().keys() == new.model_dump().keys()
    assert (known.delivery, known.dev_otp) == (new.delivery, new.dev_otp)


def test_a_user_who_cannot_use_codes_gets_a_decoy_session_and_no_code(
    provider: MemoryIdentityProvider,
) -> None:
    provider.users[EMAIL] = User(password="pw", confirmed=False)
    first, second = start(provider, email=EMAIL), start(provider, email=EMAIL)
    assert provider.sent == []
    assert first.dev_otp is None
    assert first.session != second.session
    # Shaped like a Cognito session (hundreds of characters), not a marker.
    assert len(first.session) > 800
    with pytest.raises(SessionExpired):
        service.verify(provider, VerifyRequest(email=EMAIL, otp=CODE, session=first.session))


def test_only_the_production_flag_decides_whether_the_code_is_passed_on(
    provider: MemoryIdentityProvider,
) -> None:
    assert start(provider, phone=PHONE, production=True).dev_otp is None
    assert start(provider, phone=PHONE, production=False).dev_otp == CODE


def test_a_rate_limited_destination_is_the_routes_to_answer(
    provider: MemoryIdentityProvider,
) -> None:
    provider.refuse("start_code_sign_in", CodeRateLimited(120))
    with pytest.raises(CodeRateLimited):
        start(provider, phone=PHONE)


@pytest.mark.parametrize("known", [None, User(password=None), User("pw", confirmed=False)])
def test_start_takes_the_same_floor_for_new_known_and_unusable_users(
    provider: MemoryIdentityProvider, sleeps: list[float], known: User | None
) -> None:
    if known is not None:
        provider.users[EMAIL] = known
    start(provider, email=EMAIL)
    assert len(sleeps) == 1
    assert 4.9 < sleeps[0] <= 5.0


def test_start_keeps_the_floor_when_it_fails(
    provider: MemoryIdentityProvider, sleeps: list[float]
) -> None:
    provider.refuse("start_code_sign_in", Throttled(60))
    with pytest.raises(Throttled):
        start(provider, phone=PHONE)
    assert len(sleeps) == 1


# --- verify -----------------------------------------------------------------


def test_verify_exchanges_the_code_of_that_session_for_tokens(
    provider: MemoryIdentityProvider,
) -> None:
    session = start(provider, phone=PHONE).session
    answer = VerifyRequest(phone=PHONE, otp=CODE, session=session)
    assert service.verify(provider, answer) == tokens(PHONE)


# --- signup, confirm, login -------------------------------------------------


def test_a_new_email_signs_up_as_the_provider_says(provider: MemoryIdentityProvider) -> None:
    answer = service.signup(
        provider, Credentials(email=EMAIL, password="Passw0rd!"), auto_confirm=False
    )
    assert (answer.user_sub, answer.confirmed) == (f"sub-of-{EMAIL}", False)


@pytest.mark.parametrize("auto_confirm", [False, True])
def test_an_existing_email_is_answered_as_a_new_one_would_be(
    provider: MemoryIdentityProvider, auto_confirm: bool
) -> None:
    provider.users[EMAIL] = User(password="theirs")
    credentials = Credentials(email=EMAIL, password="Passw0rd!")
    first = service.signup(provider, credentials, auto_confirm=auto_confirm)
    second = service.signup(provider, credentials, auto_confirm=auto_confirm)
    assert first.confirmed is second.confirmed is auto_confirm
    assert first.user_sub != second.user_sub
    assert uuid.UUID(first.user_sub)
    assert provider.users[EMAIL] == User(password="theirs")


def test_signup_takes_the_same_floor_for_new_and_existing_emails(
    provider: MemoryIdentityProvider, sleeps: list[float]
) -> None:
    credentials = Credentials(email=EMAIL, password="Passw0rd!")
    service.signup(provider, credentials, auto_confirm=False)
    service.signup(provider, credentials, auto_confirm=False)
    assert len(sleeps) == 2
    assert all(4.9 < seconds <= 5.0 for seconds in sleeps)


def test_a_weak_password_is_the_routes_to_answer(provider: MemoryIdentityProvider) -> None:
    with pytest.raises(WeakPassword):
        service.signup(provider, Credentials(email=EMAIL, password="short"), auto_confirm=True)


def test_confirm_and_login_are_the_providers_calls(provider: MemoryIdentityProvider) -> None:
    credentials = Credentials(email=EMAIL, password="Passw0rd!")
    service.signup(provider, credentials, auto_confirm=False)
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


def test_me_is_the_callers_claims() -> None:
    caller = Caller(
        sub="sub-1",
        username="sub-1",
        groups=("admins",),
        claims={"email": EMAIL, "phone_number": PHONE, "scope": "openid"},
    )
    me = service.me(caller)
    assert (me.sub, me.username, me.email, me.phone, me.groups) == (
        "sub-1",
        "sub-1",
        EMAIL,
        PHONE,
        ["admins"],
    )
