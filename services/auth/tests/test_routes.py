"""The app serves exactly the routes service.toml gives the gateway."""

from __future__ import annotations

from pathlib import Path

from auth.app import app
from service_kernel.testing import route_mismatches
from service_manifest import load_manifest

MANIFEST = load_manifest(Path(__file__).parents[1] / "service.toml")


def test_app_and_gateway_routes_agree() -> None:
    assert route_mismatches(app, MANIFEST.function("api")) == []


def test_only_logout_and_me_are_protected() -> None:
    auth = {route.route_key: route.auth for route in MANIFEST.routes}
    assert {key for key, value in auth.items() if value == "jwt"} == {
        "POST /auth/logout",
        "GET /auth/me",
    }
    assert len(auth) == 8


def test_each_trigger_has_its_own_function() -> None:
    triggers = {f.trigger: f.handler for f in MANIFEST.functions if f.trigger}
    assert triggers == {
        "PreSignUp": "auth.triggers.pre_sign_up.handler",
        "DefineAuthChallenge": "auth.triggers.define_auth_challenge.handler",
        "CreateAuthChallenge": "auth.triggers.create_auth_challenge.handler",
        "VerifyAuthChallengeResponse": "auth.triggers.verify_auth_challenge_response.handler",
        "CustomMessage": "auth.triggers.custom_message.handler",
    }


def test_each_function_has_exactly_the_permissions_it_calls() -> None:
    permissions = {f.name: f.permissions for f in MANIFEST.functions}
    counters = ("table", ("dynamodb:GetItem", "dynamodb:UpdateItem", "dynamodb:PutItem"), True)
    api = {(p.resource, p.actions, p.own_keys_only) for p in permissions["api"]}
    assert api == {
        (
            "user_pool",
            (
                "cognito-idp:AdminCreateUser",
                "cognito-idp:AdminSetUserPassword",
                "cognito-idp:AdminGetUser",
                "cognito-idp:AdminDeleteUser",
            ),
            False,
        ),
        counters,
    }
    sender = {
        (p.resource, p.actions, p.own_keys_only) for p in permissions["create_auth_challenge"]
    }
    # Its own send counts (a transaction of updates), whether a destination is trusted.
    send_counts = ("table", ("dynamodb:GetItem", "dynamodb:UpdateItem"), True)
    assert sender == {
        send_counts,
        ("sms", ("sns:Publish",), False),
        ("email_identity", ("ses:SendEmail",), False),
    }
    # Cognito sends the message itself: the send counts only.
    assert {(p.resource, p.actions, p.own_keys_only) for p in permissions["custom_message"]} == {
        send_counts
    }
    verifier = {
        (p.resource, p.actions, p.own_keys_only) for p in permissions["verify_auth_challenge"]
    }
    assert verifier == {
        (
            "table",
            ("dynamodb:GetItem", "dynamodb:UpdateItem", "dynamodb:PutItem", "dynamodb:DeleteItem"),
            True,
        ),
        # A destination proved the first time (issue 18, finding 7).
        (
            "user_pool",
            (
                "cognito-idp:AdminSetUserPassword",
                "cognito-idp:AdminUpdateUserAttributes",
                "cognito-idp:AdminUserGlobalSignOut",
            ),
            False,
        ),
    }
    assert not permissions["pre_sign_up"]
    assert not permissions["define_auth_challenge"]
    assert MANIFEST.key_prefixes == ("AUTH#",)
