"""The cursor-signing key: a stack secret, read from SSM at first use (not at import,
so a cold start that never pages does not pay for the call), then kept by the process."""

from __future__ import annotations

from botocore.exceptions import BotoCoreError, ClientError

from items.repository import StoreUnavailable
from service_kernel import secret_value

# HMAC-SHA256 keys shorter than its block of output are guessable sooner.
MIN_CURSOR_KEY_BYTES = 32


class WeakSigningKey(RuntimeError):
    """The parameter holds a key too short to sign with; the message never holds the key."""


def cursor_signing_key(parameter: str) -> bytes:
    try:
        key = secret_value(parameter).encode()
    except (BotoCoreError, ClientError) as exc:
        # Like a busy table: 503 and Retry-After, and the next request tries again.
        raise StoreUnavailable("read the cursor signing key") from exc
    if len(key) < MIN_CURSOR_KEY_BYTES:
        raise WeakSigningKey(
            f"the cursor signing key in {parameter} is shorter than {MIN_CURSOR_KEY_BYTES} bytes"
        )
    return key
