"""moto's cognito-idp, extended to run a pool's Lambda triggers as Cognito does.

```python
from cognito_emulator import install_triggers
install_triggers(lambda function_arn, event: my_runner(function_arn, event))
```

For a pool whose LambdaConfig names them, moto then runs PreSignUp on SignUp and
AdminCreateUser, and the DefineAuthChallenge / CreateAuthChallenge /
VerifyAuthChallengeResponse sequence on CUSTOM_AUTH, issuing moto's signed JWTs
when define says so, and CustomMessage before every message Cognito sends
(`sent_messages` reads what was sent). It also adds what moto lacks for a real client: RevokeToken,
checked sign-up confirmation codes, and Cognito's password-policy messages.
"""

from cognito_emulator.install import install_triggers, uninstall_triggers
from cognito_emulator.state import STATE, Clock, Invoke, SentMessage


def sign_up_code(user_pool_id: str, user_sub: str) -> str | None:
    """The confirmation code Cognito would have sent the user after SignUp
    (None once confirmed, or when no code was sent)."""
    return STATE.sign_up_codes.get(user_pool_id, user_sub)


def sent_messages(user_pool_id: str | None = None) -> list[SentMessage]:
    """Every message Cognito would have sent for the pool (every pool's when
    None), oldest first: only those its CustomMessage trigger let through."""
    return STATE.outbox.of(user_pool_id)


__all__ = [
    "Clock",
    "Invoke",
    "SentMessage",
    "install_triggers",
    "sent_messages",
    "sign_up_code",
    "uninstall_triggers",
]
