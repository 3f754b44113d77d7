"""Every SMS and e-mail the system sent, read from moto's SNS and SES backends
and from the cognito emulator's outbox (the messages Cognito sends itself, such
as a sign-up's confirmation code, once the pool's CustomMessage trigger let
them go).

moto and the emulator keep what they "sent" in memory in this process. After each call the
emulator answers (`Emulator.after_each_call`), the new messages are printed
once, so one-time codes are on the console before the request that sent them
has its answer.
"""

from __future__ import annotations

import email
import email.policy
import threading
from collections.abc import Callable, Iterator
from typing import Any

from moto.ses.models import ses_backends
from moto.sns.models import sns_backends

from cognito_emulator import SentMessage, sent_messages
from local_runtime.console import Console

ACCOUNT_ID = "123456789012"


def sent_sms(region: str) -> list[tuple[str, str, str]]:
    """(message id, phone, text) in the order sent."""
    backend = sns_backends[ACCOUNT_ID][region]
    return [(mid, phone, text) for mid, (phone, text) in list(backend.sms_messages.items())]


def sent_email(region: str) -> list[tuple[str, list[str], str, str]]:
    """(message id, destinations, subject, body) in the order sent."""
    backend = ses_backends[ACCOUNT_ID][region]
    return [_describe(message) for message in list(backend.sent_messages)]


def _describe(message: Any) -> tuple[str, list[str], str, str]:
    if hasattr(message, "raw_data"):
        parsed = email.message_from_string(message.raw_data, policy=email.policy.default)
        text = parsed.get_body(preferencelist=("plain", "html"))
        body = text.get_content() if text is not None else ""
        return message.id, list(message.destinations), str(parsed["subject"] or ""), str(body)
    destinations = message.destinations
    if isinstance(destinations, dict):
        destinations = [
            a for key in ("ToAddresses", "CcAddresses") for a in destinations.get(key, [])
        ]
    return message.id, list(destinations), str(message.subject), str(message.body)


class OutboxWatcher:
    def __init__(
        self,
        console: Console,
        region: str,
        cognito_messages: Callable[[], list[SentMessage]] = sent_messages,
    ) -> None:
        self._console = console
        self._region = region
        self._cognito_messages = cognito_messages
        # Message ids (SNS, SES), and Cognito's messages themselves (frozen).
        self._seen: set[object] = set()
        self._lock = threading.Lock()  # calls are answered on many threads

    def poll(self) -> None:
        with self._lock:
            for message_id, printer in list(self._new()):
                self._seen.add(message_id)
                printer()

    def _new(self) -> Iterator[tuple[object, Any]]:
        for message_id, phone, text in sent_sms(self._region):
            if message_id not in self._seen:
                yield message_id, lambda p=phone, t=text: self._console.sms(p, t)
        for message_id, destinations, subject, body in sent_email(self._region):
            if message_id not in self._seen:
                yield (
                    message_id,
                    lambda d=destinations, s=subject, b=body: self._console.email(d, s, b),
                )
        for message in self._cognito_messages():
            if message in self._seen:
                continue
            if message.channel == "sms":
                yield message, lambda m=message: self._console.sms(m.destination, m.body)
            else:
                yield (
                    message,
                    lambda m=message: self._console.email([m.destination], m.subject or "", m.body),
                )
