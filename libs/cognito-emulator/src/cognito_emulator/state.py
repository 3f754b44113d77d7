"""What the emulator keeps between calls: the invoker and its options, the
custom-auth sessions in flight, the codes it issued and the messages it "sent"."""

from __future__ import annotations

import secrets
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from cognito_emulator import errors

Invoke = Callable[[str, dict[str, Any]], dict[str, Any]]
Clock = Callable[[], float]


@dataclass
class Options:
    invoke: Invoke
    # None: the app client's AuthSessionValidity (minutes, Cognito's default 3).
    session_ttl_seconds: float | None = None
    clock: Clock = time.time


@dataclass
class CustomAuthSession:
    """One CUSTOM_AUTH sign-in in progress, as Cognito keeps it server-side."""

    account_id: str
    region: str
    user_pool_id: str
    client_id: str
    # The USERNAME the client sent; tokens are issued for it, as moto does.
    login_name: str
    user_found: bool
    client_metadata: dict[str, str]
    expires_at: float
    challenges: list[dict[str, Any]] = field(default_factory=list)
    private_parameters: dict[str, str] = field(default_factory=dict)
    challenge_metadata: str | None = None


class Sessions:
    """Session ids are single-use: every answer gets a new one (Cognito's rule)."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._sessions: dict[str, CustomAuthSession] = {}

    def open(self, session: CustomAuthSession) -> str:
        session_id = secrets.token_urlsafe(48)
        with self._lock:
            self._sessions[session_id] = session
        return session_id

    def take(self, session_id: str, now: float) -> CustomAuthSession:
        """The session for this id, which can no longer be used."""
        with self._lock:
            session = self._sessions.pop(session_id, None)
        if session is None:
            raise errors.not_authorized("Invalid session for the user.")
        if now >= session.expires_at:
            raise errors.not_authorized("Invalid session for the user, session is expired.")
        return session

    def clear(self) -> None:
        with self._lock:
            self._sessions.clear()


def new_code() -> str:
    """A 6-digit code, as Cognito sends."""
    return f"{secrets.randbelow(1_000_000):06d}"


class SignUpCodes:
    """Confirmation codes Cognito would have e-mailed or texted after SignUp."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._codes: dict[tuple[str, str], str] = {}

    def issue(self, user_pool_id: str, user_sub: str, code: str | None = None) -> str:
        code = code or new_code()
        with self._lock:
            self._codes[(user_pool_id, user_sub)] = code
        return code

    def get(self, user_pool_id: str, user_sub: str) -> str | None:
        with self._lock:
            return self._codes.get((user_pool_id, user_sub))

    def discard(self, user_pool_id: str, user_sub: str) -> None:
        with self._lock:
            self._codes.pop((user_pool_id, user_sub), None)

    def clear(self) -> None:
        with self._lock:
            self._codes.clear()


@dataclass(frozen=True)
class SentMessage:
    """One message Cognito would have sent: the text as the user gets it."""

    user_pool_id: str
    user_sub: str
    username: str
    trigger_source: str
    channel: str  # "email" or "sms"
    destination: str
    code: str
    subject: str | None
    body: str


class Outbox:
    """Every message sent, in order."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._sent: list[SentMessage] = []

    def record(self, message: SentMessage) -> None:
        with self._lock:
            self._sent.append(message)

    def of(self, user_pool_id: str | None) -> list[SentMessage]:
        with self._lock:
            return [m for m in self._sent if user_pool_id in (None, m.user_pool_id)]

    def clear(self) -> None:
        with self._lock:
            self._sent.clear()


@dataclass(frozen=True)
class AttributeCode:
    """A code sent to verify an attribute; `value` is the value it proves (a
    pending new e-mail or phone number, or the current one)."""

    code: str
    value: str
    pending: bool


class AttributeCodes:
    """Codes from GetUserAttributeVerificationCode and UpdateUserAttributes."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._codes: dict[tuple[str, str, str], AttributeCode] = {}

    def issue(self, user_pool_id: str, user_sub: str, attribute: str, code: AttributeCode) -> None:
        with self._lock:
            self._codes[(user_pool_id, user_sub, attribute)] = code

    def get(self, user_pool_id: str, user_sub: str, attribute: str) -> AttributeCode | None:
        with self._lock:
            return self._codes.get((user_pool_id, user_sub, attribute))

    def discard(self, user_pool_id: str, user_sub: str, attribute: str) -> None:
        with self._lock:
            self._codes.pop((user_pool_id, user_sub, attribute), None)

    def clear(self) -> None:
        with self._lock:
            self._codes.clear()


class State:
    def __init__(self) -> None:
        self.options: Options | None = None
        self.sessions = Sessions()
        self.sign_up_codes = SignUpCodes()
        self.attribute_codes = AttributeCodes()
        self.outbox = Outbox()

    @property
    def installed(self) -> Options:
        if self.options is None:
            raise RuntimeError("cognito_emulator triggers are not installed")
        return self.options


STATE = State()
