"""What each auth route does, on any IdentityProvider. No HTTP and no
Cognito here: routes translate, the provider keeps the users.

The rules that keep accounts from being enumerated live here: new and known
users take the same path and at least the same time, and a user who cannot
sign in with a code gets the same answer as everyone else."""

from __future__ import annotations

import secrets
import time
import uuid
from collections.abc import Mapping
from contextlib import suppress
from dataclasses import dataclass

from auth import abuse, metrics, protocol, timing
from auth.abuse import Budget
from auth.counters import Counters
from auth.destinations import sms_refusal
from auth.identity_provider import (
    AlreadySignedOut,
    CannotUseCodes,
    Channel,
    CodeSent,
    IdentityProvider,
    InvalidCode,
    NewUser,
    SessionExpired,
    Unconfirmed,
    UserAlreadyExists,
)
from auth.metrics import BudgetName
from auth.models import (
    ConfirmRequest,
    Credentials,
    Destination,
    Me,
    SignupResponse,
    StartResponse,
    Tokens,
    VerifyRequest,
)
from auth.pending_users import PendingUsers
from auth.timing import at_least
from service_kernel import Caller

# How long the create trigger honours the API's ticket: the one InitiateAuth
# call it is made for.
TICKET_TTL_SECONDS = 30

now = time.time  # tests move it


class UnsupportedDestination(Exception):
    """SMS may not go to this number (its country or its type); `reason` says why."""

    def __init__(self, reason: str) -> None:
        super().__init__(reason)
        self.reason = reason


@dataclass(frozen=True)
class CodeRules:
    """What /auth/start and /auth/verify enforce before the identity provider
    is asked anything (auth/README.md, "Abuse model")."""

    counters: Counters
    # Stack secrets: destination hashes in the table, tickets to the trigger.
    destination_key: str
    ticket_key: str
    sms_regions: frozenset[str]
    test_destinations: tuple[str, ...]
    destination_budget: Budget
    source_budget: Budget
    # The whole stack's sends per hour, one budget per channel.
    stack_budgets: Mapping[Channel, Budget]
    # A destination that signed in by code this many days back is let past a
    # spent stack budget (still within its own).
    trusted_days: int
    # /auth/signup per source IP (issue 18, finding 5).
    signup_source_budget: Budget
    max_failed_codes: int
    # Users /auth/start creates are removed after this long unless proved.
    pending: PendingUsers
    pending_seconds: int

    def hashed(self, destination: str) -> str:
        return protocol.destination_hash(self.destination_key, destination)

    def source(self, source_ip: str) -> str:
        return abuse.source_hash(self.destination_key, source_ip)

    def counts_failures(self, destination: str, *, production: bool) -> bool:
        """Failed codes count against every destination but a test one off
        production: the smoke test's numbers are public, and locking them
        would stop every deploy."""
        return production or not protocol.is_test_destination(destination, self.test_destinations)


def start(
    provider: IdentityProvider,
    rules: CodeRules,
    to: Destination,
    *,
    source_ip: str,
    production: bool,
) -> StartResponse:
    """Send a one-time code; an unknown phone or e-mail gets an account first.

    Before anything is created or sent: the destination must be one SMS may
    go to, must not be locked by failed codes, and every send budget
    (destination, source IP, the whole stack) must have room. Test
    destinations are sent nothing, so no budget counts them.
    The answer, and the time it takes, are the same whether or not the user
    existed or can sign in with a code."""
    channel = channel_of(to)
    address = to.username
    # On production the test destinations are ordinary numbers here: the smoke
    # test signs them in through IAM only (auth.triggers.create_auth_challenge).
    test = not production and protocol.is_test_destination(address, rules.test_destinations)
    if channel == "sms" and not test:
        refusal = sms_refusal(address, rules.sms_regions)
        if refusal is not None:
            raise UnsupportedDestination(refusal)
    moment = now()
    hashed = rules.hashed(address)
    if rules.counts_failures(address, production=production):
        abuse.check_not_locked(
            rules.counters, hashed, rules.max_failed_codes, moment, source=rules.source(source_ip)
        )
    if not test:
        budgets: list[tuple[BudgetName, str, Budget]] = [
            ("destination", abuse.destination_send_key(hashed), rules.destination_budget),
            (
                "source",
                abuse.source_send_key(rules.destination_key, source_ip),
                rules.source_budget,
            ),
            ("stack", abuse.stack_send_key(channel), rules.stack_budgets[channel]),
        ]
        abuse.spend(rules.counters, budgets, moment, trusted=abuse.trusted_key(hashed))
    ticket = protocol.ticket(rules.ticket_key, address, channel, int(moment) + TICKET_TTL_SECONDS)
    due = int(moment) + rules.pending_seconds
    with at_least(timing.START_FLOOR_SECONDS):
        sent = _send_code(provider, rules.pending, due, address, channel, ticket)
    return StartResponse(
        session=sent.session,
        phone=to.phone,
        email=to.email,
        delivery=channel,
        # Only a stack that echoes codes has one; a production one never passes it on.
        dev_otp=None if production else sent.dev_otp,
    )


def _send_code(
    provider: IdentityProvider,
    pending: PendingUsers,
    due: int,
    address: str,
    channel: Channel,
    ticket: str,
) -> CodeSent:
    _create(provider, pending, due, address, channel)
    try:
        return provider.start_code_sign_in(address, channel, ticket)
    except Unconfirmed:
        # Someone's sign-up that never proved this destination (possibly a
        # squatter's, made with a stranger's address): the code goes to the
        # destination itself, so its owner gets a user only it can sign in to.
        provider.delete_unconfirmed_user(address)
        _create(provider, pending, due, address, channel)
        try:
            return provider.start_code_sign_in(address, channel, ticket)
        except CannotUseCodes:
            return CodeSent(session=decoy_session())
    except CannotUseCodes:
        # Disabled: sent nothing, answered like everyone else.
        return CodeSent(session=decoy_session())


def _create(
    provider: IdentityProvider, pending: PendingUsers, due: int, address: str, channel: Channel
) -> None:
    """A new user, pending until a right code proves the destination (the
    verify trigger clears it; auth.cleanup deletes it at `due` otherwise).
    A known user is left exactly as it is, and takes the same path from here."""
    with suppress(UserAlreadyExists):
        pending.add(provider.create_passwordless_user(address, channel), due)


def verify(
    provider: IdentityProvider,
    rules: CodeRules,
    answer: VerifyRequest,
    *,
    source_ip: str,
    production: bool,
) -> Tokens:
    """Tokens for the right code, unless the destination had its failed codes
    for the window (the verify trigger counts every wrong answer, and refuses
    them all while locked), or this source waits out its backoff for it: then
    not even the right one. A failure counts against this source; a right
    code clears the source's count and trusts the destination."""
    hashed = rules.hashed(answer.username)
    counted = rules.counts_failures(answer.username, production=production)
    source = rules.source(source_ip)
    if counted:
        abuse.check_not_locked(rules.counters, hashed, rules.max_failed_codes, now(), source=source)
    try:
        tokens = provider.answer_code(answer.username, answer.session, answer.otp)
    except (InvalidCode, SessionExpired):
        if counted:
            abuse.count_failed_code_from(rules.counters, hashed, source, now())
            # This failure may have been the last one the window allows.
            abuse.check_not_locked(rules.counters, hashed, rules.max_failed_codes, now())
        raise
    if counted:
        abuse.forget_source_failures(rules.counters, hashed, source)
    abuse.trust(rules.counters, hashed, rules.trusted_days, now())
    metrics.signed_in("code")
    return tokens


def signup(
    provider: IdentityProvider,
    rules: CodeRules,
    credentials: Credentials,
    *,
    source_ip: str,
    auto_confirm: bool,
) -> SignupResponse:
    """An e-mail already registered gets the answer a new one would, in the
    same time (the pool prevents user-existence errors elsewhere). Each
    sign-up may make Cognito e-mail a confirmation code: before it is asked,
    the source's sign-ups, the destination's sends and the stack's e-mails
    are spent together, and the custom message trigger lets the code go only
    with this request's ticket (issue 18, finding 5)."""
    moment = now()
    hashed = rules.hashed(credentials.email)
    budgets: list[tuple[BudgetName, str, Budget]] = [
        (
            "source",
            abuse.signup_source_key(rules.destination_key, source_ip),
            rules.signup_source_budget,
        ),
        # A confirmation is a send to the address, and one of the stack's e-mails.
        ("destination", abuse.destination_send_key(hashed), rules.destination_budget),
        ("stack", abuse.stack_send_key("email"), rules.stack_budgets["email"]),
    ]
    abuse.spend(rules.counters, budgets, moment, trusted=abuse.trusted_key(hashed))
    ticket = protocol.sign_up_ticket(
        rules.ticket_key, credentials.email, int(moment) + TICKET_TTL_SECONDS
    )
    try:
        with at_least(timing.SIGN_UP_FLOOR_SECONDS):
            user = _sign_up(provider, credentials, ticket)
    except UserAlreadyExists:
        return SignupResponse(user_sub=str(uuid.uuid4()), confirmed=auto_confirm)
    return SignupResponse(user_sub=user.user_sub, confirmed=user.confirmed)


def _sign_up(provider: IdentityProvider, credentials: Credentials, ticket: str) -> NewUser:
    """A sign-up nobody confirmed proved nothing (possibly a stranger's, made
    with this address): it is replaced, so the address's owner is sent a
    code for their own password, never a silent answer and no e-mail."""
    try:
        return provider.sign_up(credentials.email, credentials.password, ticket)
    except UserAlreadyExists:
        if not provider.delete_unconfirmed_user(credentials.email):
            raise
    return provider.sign_up(credentials.email, credentials.password, ticket)


def confirm(provider: IdentityProvider, confirmation: ConfirmRequest) -> None:
    provider.confirm_sign_up(confirmation.email, confirmation.code)


def login(provider: IdentityProvider, credentials: Credentials) -> Tokens:
    tokens = provider.password_sign_in(credentials.email, credentials.password)
    metrics.signed_in("password")
    return tokens


def refresh(provider: IdentityProvider, refresh_token: str) -> Tokens:
    """New access and ID tokens; the refresh token stays the client's own."""
    return provider.refresh(refresh_token).model_copy(update={"refresh_token": None})


def logout(
    provider: IdentityProvider, *, access_token: str | None, refresh_token: str | None
) -> None:
    """Sign out everywhere, then revoke the refresh token given. Idempotent:
    what is already ended is not an error."""
    if access_token:
        # First: signing out needs an access token that revoking may end.
        with suppress(AlreadySignedOut):
            provider.sign_out(access_token)
    if refresh_token:
        with suppress(AlreadySignedOut):
            provider.revoke(refresh_token)


def me(provider: IdentityProvider, caller: Caller, access_token: str | None) -> Me:
    """Who the caller is; its e-mail and phone from the pool itself (GetUser
    with the caller's token), since access tokens do not carry them."""
    contact = provider.contact(access_token) if access_token else None
    return Me(
        sub=caller.sub,
        username=caller.username,
        email=contact.email if contact else caller.claims.get("email"),
        phone=contact.phone if contact else caller.claims.get("phone_number"),
        groups=list(caller.groups),
    )


def channel_of(to: Destination) -> Channel:
    return "sms" if to.phone else "email"


def decoy_session() -> str:
    # Shaped like a Cognito session; /auth/verify with it is session_expired.
    return secrets.token_urlsafe(680)
