"""Patching moto's cognito-idp request handlers in this process.

The patch sits where moto turns an API request into a backend call, so it
sees every parameter Cognito passes to triggers (ClientMetadata,
ValidationData), and works the same under `mock_aws` and `ThreadedMotoServer`.
Calls it does not change (other auth flows, other challenges) go to moto.
"""

from __future__ import annotations

import threading
from collections.abc import Callable
from dataclasses import replace
from typing import Any

from moto.cognitoidp.models import CognitoIdpBackend, CognitoIdpUserPool
from moto.cognitoidp.responses import CognitoIdpResponse
from moto.core.responses import ActionResult, EmptyResult

from cognito_emulator import attributes, custom_auth, errors, recovery, sign_up, tokens
from cognito_emulator.client_secrets import (
    CLIENT_SECRETS,
    descriptor,
    require_client_secret,
    require_secret_hash,
)
from cognito_emulator.state import STATE, Clock, Invoke, Options
from cognito_emulator.triggers import pool_for_client

Handler = Callable[[CognitoIdpResponse], Any]

_lock = threading.Lock()
_originals: dict[tuple[type, str], Any] = {}


def _original(name: str) -> Handler:
    handler: Handler = _originals[(CognitoIdpResponse, name)]
    return handler


def _mapping(value: Any) -> dict[str, str]:
    return {str(k): str(v) for k, v in value.items()} if isinstance(value, dict) else {}


def _name_values(value: Any) -> dict[str, str]:
    """ValidationData arrives as [{"Name", "Value"}]; triggers get a map."""
    if not isinstance(value, list):
        return {}
    return {str(item["Name"]): str(item.get("Value", "")) for item in value if "Name" in item}


def _client_of(self: CognitoIdpResponse) -> tuple[CognitoIdpUserPool, Any]:
    """The pool and app client a public call names."""
    client_id = self._get_param("ClientId")
    pool = pool_for_client(self.current_account, self.region, client_id)
    return pool, pool.clients[client_id]


def _signed(self: CognitoIdpResponse) -> CognitoIdpUserPool:
    """The pool of a public call for `Username`, once its SecretHash checks out."""
    pool, client = _client_of(self)
    require_secret_hash(
        client, str(self._get_param("Username") or ""), self._get_param("SecretHash")
    )
    return pool


def _sign_up(self: CognitoIdpResponse) -> ActionResult:
    client_id = self._get_param("ClientId")
    pool = _signed(self)
    return ActionResult(
        sign_up.sign_up(
            pool,
            client_id,
            self._get_param("Username"),
            self._get_param("Password"),
            self._get_param("UserAttributes", []),
            _name_values(self._get_param("ValidationData")),
            _mapping(self._get_param("ClientMetadata")),
        )
    )


def _confirm_sign_up(self: CognitoIdpResponse) -> EmptyResult:
    client_id = self._get_param("ClientId")
    pool = _signed(self)
    sign_up.confirm_sign_up(
        pool, client_id, self._get_param("Username"), str(self._get_param("ConfirmationCode"))
    )
    return EmptyResult()


def _admin_create_user(self: CognitoIdpResponse) -> ActionResult:
    pool = self.backend.describe_user_pool(self._get_param("UserPoolId"))
    request = sign_up.AdminCreateUserRequest(
        username=self._get_param("Username"),
        message_action=self._get_param("MessageAction"),
        temporary_password=self._get_param("TemporaryPassword"),
        attributes=self._get_param("UserAttributes", []),
        validation_data=_name_values(self._get_param("ValidationData")),
        client_metadata=_mapping(self._get_param("ClientMetadata")),
    )
    mediums = self._get_param("DesiredDeliveryMediums")
    if mediums:
        request = replace(request, desired_delivery_mediums=[str(m) for m in mediums])
    user = sign_up.admin_create_user(self.backend, pool, request)
    return ActionResult({"User": user.to_json(extended=True)})


def _resend_confirmation_code(self: CognitoIdpResponse) -> ActionResult:
    pool = _signed(self)
    return ActionResult(
        sign_up.resend_confirmation_code(
            pool,
            self._get_param("ClientId"),
            str(self._get_param("Username") or ""),
            _mapping(self._get_param("ClientMetadata")),
        )
    )


def _forgot_password(self: CognitoIdpResponse) -> Any:
    pool = _signed(self)
    answer = recovery.forgot_password(
        pool,
        self._get_param("ClientId"),
        str(self._get_param("Username") or ""),
        _mapping(self._get_param("ClientMetadata")),
    )
    return _original("forgot_password")(self) if answer is None else ActionResult(answer)


def _confirm_forgot_password(self: CognitoIdpResponse) -> Any:
    pool = _signed(self)
    recovery.require_reset_code(
        pool, str(self._get_param("Username") or ""), str(self._get_param("ConfirmationCode"))
    )
    return _original("confirm_forgot_password")(self)


def _update_user_attributes(self: CognitoIdpResponse) -> ActionResult:
    return ActionResult(
        attributes.update_user_attributes(
            str(self._get_param("AccessToken") or ""),
            self._get_param("UserAttributes", []),
            _mapping(self._get_param("ClientMetadata")),
        )
    )


def _get_user_attribute_verification_code(self: CognitoIdpResponse) -> ActionResult:
    """Missing in moto."""
    return ActionResult(
        attributes.get_user_attribute_verification_code(
            str(self._get_param("AccessToken") or ""),
            str(self._get_param("AttributeName") or ""),
            _mapping(self._get_param("ClientMetadata")),
        )
    )


def _verify_user_attribute(self: CognitoIdpResponse) -> EmptyResult:
    """Missing in moto."""
    attributes.verify_user_attribute(
        str(self._get_param("AccessToken") or ""),
        str(self._get_param("AttributeName") or ""),
        str(self._get_param("Code") or ""),
    )
    return EmptyResult()


def _initiate_auth(self: CognitoIdpResponse) -> Any:
    flow = self._get_param("AuthFlow")
    if flow in ("REFRESH_TOKEN_AUTH", "REFRESH_TOKEN"):
        pool, client = _client_of(self)
        parameters = _mapping(self._get_param("AuthParameters"))
        return ActionResult(
            tokens.refresh(pool, client, parameters.get("REFRESH_TOKEN", ""), parameters)
        )
    if flow != "CUSTOM_AUTH":
        pool, client = _client_of(self)
        parameters = _mapping(self._get_param("AuthParameters"))
        require_secret_hash(client, parameters.get("USERNAME", ""), parameters.get("SECRET_HASH"))
        return _original("initiate_auth")(self)
    client_id = self._get_param("ClientId")
    pool = pool_for_client(self.current_account, self.region, client_id)
    return ActionResult(
        custom_auth.initiate(
            pool,
            client_id,
            _mapping(self._get_param("AuthParameters")),
            _mapping(self._get_param("ClientMetadata")),
        )
    )


def _admin_initiate_auth(self: CognitoIdpResponse) -> Any:
    if self._get_param("AuthFlow") != "CUSTOM_AUTH":
        return _original("admin_initiate_auth")(self)
    pool = self.backend.describe_user_pool(self._get_param("UserPoolId"))
    return ActionResult(
        custom_auth.initiate(
            pool,
            self._get_param("ClientId"),
            _mapping(self._get_param("AuthParameters")),
            _mapping(self._get_param("ClientMetadata")),
        )
    )


def _respond(self: CognitoIdpResponse, original: str) -> Any:
    if self._get_param("ChallengeName") != custom_auth.CUSTOM_CHALLENGE:
        return _original(original)(self)
    return ActionResult(
        custom_auth.respond(
            self._get_param("ClientId"),
            str(self._get_param("Session") or ""),
            _mapping(self._get_param("ChallengeResponses")),
            _mapping(self._get_param("ClientMetadata")),
        )
    )


def _respond_to_auth_challenge(self: CognitoIdpResponse) -> Any:
    return _respond(self, "respond_to_auth_challenge")


def _admin_respond_to_auth_challenge(self: CognitoIdpResponse) -> Any:
    return _respond(self, "admin_respond_to_auth_challenge")


def _revoke_token(self: CognitoIdpResponse) -> EmptyResult:
    pool, client = _client_of(self)
    require_client_secret(client, self._get_param("ClientSecret"))
    tokens.revoke_token(pool, client.id, str(self._get_param("Token") or ""))
    return EmptyResult()


def _get_tokens_from_refresh_token(self: CognitoIdpResponse) -> ActionResult:
    """Missing in moto: the refresh that takes the client's secret itself."""
    pool, client = _client_of(self)
    require_client_secret(client, self._get_param("ClientSecret"))
    return ActionResult(
        tokens.refresh(pool, client, str(self._get_param("RefreshToken") or ""), None)
    )


def _pool_client(self: CognitoIdpResponse) -> Any:
    pool = self.backend.describe_user_pool(self._get_param("UserPoolId"))
    client = pool.clients.get(self._get_param("ClientId"))
    if client is None:
        raise errors.CognitoError(
            "ResourceNotFoundException", f"Client {self._get_param('ClientId')} does not exist."
        )
    return client


def _add_user_pool_client_secret(self: CognitoIdpResponse) -> ActionResult:
    supplied = self._get_param("ClientSecret")
    secret = CLIENT_SECRETS.add(_pool_client(self), supplied, STATE.installed.clock())
    # Cognito answers the value only when it made the secret itself.
    return ActionResult({"ClientSecretDescriptor": descriptor(secret, with_value=not supplied)})


def _list_user_pool_client_secrets(self: CognitoIdpResponse) -> ActionResult:
    return ActionResult(
        {"ClientSecrets": [descriptor(s) for s in CLIENT_SECRETS.of(_pool_client(self))]}
    )


def _delete_user_pool_client_secret(self: CognitoIdpResponse) -> EmptyResult:
    CLIENT_SECRETS.delete(_pool_client(self), str(self._get_param("ClientSecretId") or ""))
    return EmptyResult()


def _global_sign_out(self: CognitoIdpResponse) -> EmptyResult:
    """GlobalSignOut is unsigned, so moto's server cannot tell its region and
    looks in us-east-1 only: the pool is found by the access token instead,
    as moto already does for GetUser."""
    access_token = str(self._get_param("AccessToken") or "")
    backend = self._get_region_agnostic_backend()._find_backend_by_access_token(access_token)
    backend.global_sign_out(access_token)
    return EmptyResult()


def _validate_password(self: CognitoIdpBackend, user_pool_id: str, password: str) -> None:
    sign_up.validate_password(self, user_pool_id, password)


def _create_jwt(
    self: CognitoIdpUserPool,
    client_id: str,
    username: str,
    token_use: str,
    expires_in: int = 3600,
    extra_data: dict[str, Any] | None = None,
) -> tuple[str, int]:
    """moto's JWT, living as long as the app client declares (moto: one hour always)."""
    lifetime = tokens.token_lifetime(self, client_id, token_use)
    original: Callable[..., tuple[str, int]] = _originals[(CognitoIdpUserPool, "create_jwt")]
    return original(self, client_id, username, token_use, lifetime, extra_data)


def _sign_out(self: CognitoIdpUserPool, username: str) -> None:
    tokens.sign_out(self, username)


def _code_delivery_details(
    self: CognitoIdpBackend, recovery_settings: Any, user: Any, username: str
) -> dict[str, str]:
    """moto words SignUp's delivery from the pool's recovery setting and
    refuses there when it is admin_only; the emulator answers SignUp's
    delivery from the message it sent and refuses ForgotPassword itself."""
    mechanisms = (recovery_settings or {}).get("RecoveryMechanisms") or []
    if any(m.get("Name") == "admin_only" for m in mechanisms):
        return {}
    original: Callable[..., dict[str, str]] = _originals[
        (CognitoIdpBackend, "_get_code_delivery_details")
    ]
    return original(self, recovery_settings, user, username)


_PATCHES: dict[tuple[type, str], Any] = {
    (CognitoIdpResponse, "sign_up"): _sign_up,
    (CognitoIdpResponse, "confirm_sign_up"): _confirm_sign_up,
    (CognitoIdpResponse, "resend_confirmation_code"): _resend_confirmation_code,
    (CognitoIdpResponse, "forgot_password"): _forgot_password,
    (CognitoIdpResponse, "confirm_forgot_password"): _confirm_forgot_password,
    (CognitoIdpResponse, "admin_create_user"): _admin_create_user,
    (CognitoIdpResponse, "update_user_attributes"): _update_user_attributes,
    (
        CognitoIdpResponse,
        "get_user_attribute_verification_code",
    ): _get_user_attribute_verification_code,
    (CognitoIdpResponse, "verify_user_attribute"): _verify_user_attribute,
    (CognitoIdpResponse, "initiate_auth"): _initiate_auth,
    (CognitoIdpResponse, "admin_initiate_auth"): _admin_initiate_auth,
    (CognitoIdpResponse, "respond_to_auth_challenge"): _respond_to_auth_challenge,
    (CognitoIdpResponse, "admin_respond_to_auth_challenge"): _admin_respond_to_auth_challenge,
    (CognitoIdpResponse, "revoke_token"): _revoke_token,
    (CognitoIdpResponse, "get_tokens_from_refresh_token"): _get_tokens_from_refresh_token,
    (CognitoIdpResponse, "add_user_pool_client_secret"): _add_user_pool_client_secret,
    (CognitoIdpResponse, "list_user_pool_client_secrets"): _list_user_pool_client_secrets,
    (CognitoIdpResponse, "delete_user_pool_client_secret"): _delete_user_pool_client_secret,
    (CognitoIdpResponse, "global_sign_out"): _global_sign_out,
    (CognitoIdpBackend, "_validate_password"): _validate_password,
    (CognitoIdpBackend, "_get_code_delivery_details"): _code_delivery_details,
    (CognitoIdpUserPool, "create_jwt"): _create_jwt,
    (CognitoIdpUserPool, "sign_out"): _sign_out,
}


def install_triggers(
    invoke: Invoke,
    *,
    session_ttl_seconds: float | None = None,
    clock: Clock | None = None,
) -> None:
    """Make moto's cognito-idp in this process run the Lambda triggers a
    pool's LambdaConfig names, through `invoke(function_arn, event)`.

    Idempotent: a second call replaces the invoker and options.
    `session_ttl_seconds` overrides the client's AuthSessionValidity (Cognito's
    3 minutes by default); `clock` (epoch seconds) lets tests move time on."""
    options = Options(invoke=invoke, session_ttl_seconds=session_ttl_seconds)
    if clock is not None:
        options.clock = clock
    with _lock:
        STATE.options = options
        if _originals:
            return
        for (owner, name), replacement in _PATCHES.items():
            _originals[(owner, name)] = owner.__dict__.get(name)
            setattr(owner, name, replacement)


def uninstall_triggers() -> None:
    """Give moto back its own handlers and forget every session, code and
    message sent."""
    with _lock:
        for (owner, name), original in _originals.items():
            if original is None:
                delattr(owner, name)
            else:
                setattr(owner, name, original)
        _originals.clear()
        STATE.options = None
        STATE.sessions.clear()
        STATE.sign_up_codes.clear()
        STATE.attribute_codes.clear()
        STATE.outbox.clear()
        CLIENT_SECRETS.clear()
