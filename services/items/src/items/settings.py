from __future__ import annotations

from pydantic import Field

from service_kernel import ServiceSettings, load_settings


class Settings(ServiceSettings):
    table_name: str = Field(min_length=1)
    # The SSM SecureString parameter (`<name>:<version>`) holding the key that signs
    # pagination cursors: a stack secret the platform generates (`${secret.itemsCursorKey}`).
    # The key itself is read at first use (items.signing_key), never from the environment.
    cursor_signing_key_parameter: str = Field(min_length=1)
    # How long a next_cursor stays usable (the stack config bounds it: items.cursorTtlSeconds).
    cursor_ttl_seconds: int = Field(default=3600, gt=0)


settings = load_settings(Settings)
