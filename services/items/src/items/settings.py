from __future__ import annotations

from pydantic import Field, SecretStr, field_validator

from service_kernel import ServiceSettings, load_settings

# HMAC-SHA256 keys shorter than its block of output are guessable sooner.
MIN_CURSOR_KEY_BYTES = 32


class Settings(ServiceSettings):
    table_name: str = Field(min_length=1)
    # Signs pagination cursors; a per-stack secret the platform supplies.
    cursor_signing_key: SecretStr
    # How long a next_cursor stays usable (the stack config bounds it: items.cursorTtlSeconds).
    cursor_ttl_seconds: int = Field(default=3600, gt=0)

    @field_validator("cursor_signing_key")
    @classmethod
    def _long_enough(cls, key: SecretStr) -> SecretStr:
        if len(key.get_secret_value().encode()) < MIN_CURSOR_KEY_BYTES:
            # The message never carries the key itself.
            raise ValueError(f"must be at least {MIN_CURSOR_KEY_BYTES} bytes")
        return key


settings = load_settings(Settings)
