"""What the console prints of the messages the system sent: here, those
Cognito sends itself (the cognito emulator's outbox), such as a sign-up's
confirmation code on a stack that confirms sign-ups by code."""

from __future__ import annotations

from cognito_emulator import SentMessage
from local_runtime.console import Console
from local_runtime.outbox import OutboxWatcher
from tests.support import Captured


def confirmation(code: str) -> SentMessage:
    return SentMessage(
        user_pool_id="us-east-1_pool",
        user_sub="sub-1",
        username="ada@example.com",
        trigger_source="CustomMessage_SignUp",
        channel="email",
        destination="ada@example.com",
        code=code,
        subject="Confirm your Acme sign-up",
        body=f"Your Acme confirmation code is {code}.",
    )


def test_a_message_cognito_sent_is_printed_once_with_its_code() -> None:
    output = Captured()
    sent: list[SentMessage] = []
    watcher = OutboxWatcher(Console(output), "us-east-1", cognito_messages=lambda: list(sent))

    sent.append(confirmation("123456"))
    watcher.poll()
    watcher.poll()
    sent.append(confirmation("654321"))
    watcher.poll()

    text = output.text()
    assert text.count("E-mail to ada@example.com: Confirm your Acme sign-up") == 2
    assert text.count("Your Acme confirmation code is 123456.") == 1
    assert "Your Acme confirmation code is 654321." in text
