"""What the routes are given: the identity provider and the settings, as
`Annotated` dependencies (tests may override them)."""

from __future__ import annotations

from functools import cache
from typing import Annotated

from fastapi import Depends

from auth.cognito_identity_provider import CognitoIdentityProvider
from auth.identity_provider import IdentityProvider
from auth.settings import Settings, settings
from service_kernel.aws import client


@cache
def get_identity_provider() -> IdentityProvider:
    # Built on first use, once per process, like the client it wraps.
    return CognitoIdentityProvider(
        client("cognito-idp"), settings.user_pool_id, settings.user_pool_client_id
    )


def get_settings() -> Settings:
    return settings


IdentityProviderDep = Annotated[IdentityProvider, Depends(get_identity_provider)]
SettingsDep = Annotated[Settings, Depends(get_settings)]
