"""The API function's settings (the triggers have their own, in auth.triggers.config)."""

from __future__ import annotations

from pydantic import Field

from service_kernel import ServiceSettings, load_settings


class Settings(ServiceSettings):
    # The pool /auth/start creates passwordless users in (AdminCreateUser).
    user_pool_id: str = Field(min_length=1)
    user_pool_client_id: str = Field(min_length=1)
    # Whether this stack confirms password sign-ups at once: an existing
    # e-mail is answered as a new one would be.
    auto_confirm: bool = False


settings = load_settings(Settings)
