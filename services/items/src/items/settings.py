from __future__ import annotations

from pydantic import BaseModel, Field, SecretStr, field_validator

from service_kernel import load_settings

# HMAC-SHA256 keys shorter than its block of output are guessable sooner.
MIN_CURSOR_KEY_BYTES = 32


class Settings(BaseModel):
    stage: str = Field(min_length=1)
    table_name: str = Field(min_length=1)
    # Signs pagination cursors; a per-stack secret the platform supplies.
    cursor_signing_key: SecretStr
    # How long a next_cursor stays usable.
    cursor_ttl_seconds: int = Field(default=3600, ge=1, le=7 * 24 * 3600)
    # <package version>+<content digest>, set by the platform; the package version when unset.
    service_version: str | None = None
    enable_docs: bool = False

    @field_validator("cursor_signing_key")
    @classmethod
    def _long_enough(cls, key: SecretStr) -> SecretStr:
        if len(key.get_secret_value().encode()) < MIN_CURSOR_KEY_BYTES:
            # The message never carries the key itself.
            raise ValueError(f"must be at least {MIN_CURSOR_KEY_BYTES} bytes")
        return key


settings = load_settings(Settings)
