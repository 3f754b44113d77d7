"""The one Cognito user pool and its app client."""

from __future__ import annotations

import math
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Literal

import pulumi
import pulumi_aws as aws

from infra.program.config import UserPoolConfig

# Units of the validities above (config: minutes, minutes, days).
TOKEN_VALIDITY_UNITS = {"access_token": "minutes", "id_token": "minutes", "refresh_token": "days"}

AUTH_FLOWS = ("ALLOW_CUSTOM_AUTH", "ALLOW_USER_PASSWORD_AUTH", "ALLOW_REFRESH_TOKEN_AUTH")
# What a client may write itself (SignUp, UpdateUserAttributes): its e-mail
# only, and a changed e-mail counts once verified (below). A phone number is
# written by the server alone (AdminCreateUser), so no client can point an
# account at another number.
CLIENT_WRITE_ATTRIBUTES = ("email",)
# Cognito keeps the old value until the new one is verified (the developer
# guide's "Verifying updates to email addresses and phone numbers"); it must
# be an auto-verified attribute.
VERIFIED_BEFORE_UPDATE = ("email",)
# Only an administrator resets a password (no ForgotPassword): Cognito's
# AccountRecoverySetting, which allows `admin_only` on its own alone.
ACCOUNT_RECOVERY = "admin_only"
# Cognito's bounds of AuthSessionValidity, in minutes.
AUTH_SESSION_MINUTES = (3, 15)


def auth_session_minutes(otp_ttl_seconds: int) -> int:
    """A sign-in session lives as long as its code (Cognito: 3 to 15 minutes),
    so a code entered before it expires is never `session_expired`."""
    low, high = AUTH_SESSION_MINUTES
    return min(max(math.ceil(otp_ttl_seconds / 60), low), high)


@dataclass(frozen=True)
class IdentityArgs:
    pool_name: str
    settings: UserPoolConfig
    deletion_protection: bool
    # How long a one-time code lives: the client's auth sessions follow it.
    otp_ttl_seconds: int
    # Cognito's own e-mails (sign-up confirmations, verification of a changed
    # address): `ses` through the stack's SES identity, from `email_sender` (not
    # Cognito's default sender and its 50 mails a day); `cognito` with that default
    # sender until the identity is verified (userPool.emailSender).
    email_sending: Literal["cognito", "ses"]
    email_sender: str
    # The identity's ARN as the EmailIdentity resource outputs it, so the pool waits
    # for it: Cognito refuses a pool whose identity does not exist or is not verified.
    email_identity_arn: pulumi.Input[str] | None
    # Cognito trigger name (e.g. "DefineAuthChallenge") → the function ARN it invokes.
    triggers: Mapping[str, pulumi.Input[str]] = field(default_factory=dict)
    # The stack's tag (infra.program.stack_tag): the CI roles reach this resource only through it.
    tags: Mapping[str, str] = field(default_factory=dict)


class Identity(pulumi.ComponentResource):
    """Users sign in with their e-mail address or phone number."""

    user_pool: aws.cognito.UserPool
    client: aws.cognito.UserPoolClient

    def __init__(
        self, name: str, args: IdentityArgs, opts: pulumi.ResourceOptions | None = None
    ) -> None:
        super().__init__("serverless-backend:platform:Identity", name, None, opts)
        settings = args.settings
        self.user_pool = aws.cognito.UserPool(
            f"{name}-user-pool",
            name=args.pool_name,
            tags=dict(args.tags),
            username_attributes=["email", "phone_number"],
            auto_verified_attributes=["email"],
            user_attribute_update_settings=aws.cognito.UserPoolUserAttributeUpdateSettingsArgs(
                attributes_require_verification_before_updates=list(VERIFIED_BEFORE_UPDATE)
            ),
            email_configuration=_email_configuration(args),
            username_configuration=aws.cognito.UserPoolUsernameConfigurationArgs(
                case_sensitive=False
            ),
            password_policy=aws.cognito.UserPoolPasswordPolicyArgs(
                minimum_length=settings.password_minimum_length,
                require_lowercase=settings.password_require_lowercase,
                require_uppercase=settings.password_require_uppercase,
                require_numbers=settings.password_require_numbers,
                require_symbols=settings.password_require_symbols,
                temporary_password_validity_days=1,
            ),
            # Self-service recovery off: ForgotPassword would e-mail a code to
            # any account's address on anyone's request, outside every budget,
            # and the API never offers it (a user signs in by code instead).
            account_recovery_setting=aws.cognito.UserPoolAccountRecoverySettingArgs(
                recovery_mechanisms=[
                    aws.cognito.UserPoolAccountRecoverySettingRecoveryMechanismArgs(
                        name=ACCOUNT_RECOVERY, priority=1
                    )
                ]
            ),
            deletion_protection="ACTIVE" if args.deletion_protection else "INACTIVE",
            lambda_config=_lambda_config(args.triggers),
            # Production: kept in AWS when a change would replace or delete it (its users
            # with it); the policy pack refuses a production pool that is not protected.
            opts=pulumi.ResourceOptions(
                parent=self,
                protect=args.deletion_protection,
                retain_on_delete=args.deletion_protection,
            ),
        )
        self.client = aws.cognito.UserPoolClient(
            f"{name}-client",
            name=f"{args.pool_name}-client",
            user_pool_id=self.user_pool.id,
            # Confidential: Cognito refuses every call for a user without the
            # client's SECRET_HASH. The secret generated here (in the state) is
            # replaced by one only the auth API holds (infra.operations.client_secret).
            generate_secret=True,
            explicit_auth_flows=list(AUTH_FLOWS),
            prevent_user_existence_errors="ENABLED",
            enable_token_revocation=True,
            auth_session_validity=auth_session_minutes(args.otp_ttl_seconds),
            write_attributes=list(CLIENT_WRITE_ATTRIBUTES),
            access_token_validity=settings.access_token_validity_minutes,
            id_token_validity=settings.id_token_validity_minutes,
            refresh_token_validity=settings.refresh_token_validity_days,
            token_validity_units=aws.cognito.UserPoolClientTokenValidityUnitsArgs(
                **TOKEN_VALIDITY_UNITS
            ),
            opts=pulumi.ResourceOptions(parent=self),
        )
        self.register_outputs(
            {"user_pool_id": self.user_pool.id, "user_pool_client_id": self.client.id}
        )

    @property
    def issuer(self) -> pulumi.Output[str]:
        """The JWT issuer of the pool's tokens."""
        return pulumi.Output.concat("https://", self.user_pool.endpoint)


def _email_configuration(args: IdentityArgs) -> aws.cognito.UserPoolEmailConfigurationArgs:
    if args.email_sending == "cognito":
        return aws.cognito.UserPoolEmailConfigurationArgs(email_sending_account="COGNITO_DEFAULT")
    if args.email_identity_arn is None:
        raise ValueError("a pool that sends through SES needs the identity's ARN")
    return aws.cognito.UserPoolEmailConfigurationArgs(
        email_sending_account="DEVELOPER",
        from_email_address=args.email_sender,
        source_arn=args.email_identity_arn,
    )


def _lambda_config(
    triggers: Mapping[str, pulumi.Input[str]],
) -> aws.cognito.UserPoolLambdaConfigArgs | None:
    """service.toml trigger names (Cognito's LambdaConfig keys) → pulumi-aws arguments."""
    if not triggers:
        return None
    return aws.cognito.UserPoolLambdaConfigArgs(
        pre_sign_up=triggers.get("PreSignUp"),
        define_auth_challenge=triggers.get("DefineAuthChallenge"),
        create_auth_challenge=triggers.get("CreateAuthChallenge"),
        verify_auth_challenge_response=triggers.get("VerifyAuthChallengeResponse"),
        post_confirmation=triggers.get("PostConfirmation"),
        pre_authentication=triggers.get("PreAuthentication"),
        post_authentication=triggers.get("PostAuthentication"),
        pre_token_generation=triggers.get("PreTokenGeneration"),
        custom_message=triggers.get("CustomMessage"),
    )
