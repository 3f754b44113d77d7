"""The app serves exactly the routes service.toml gives the gateway."""

from __future__ import annotations

from pathlib import Path

from health.app import app
from service_kernel.testing import route_mismatches
from service_manifest import load_manifest

MANIFEST = load_manifest(Path(__file__).parents[1] / "service.toml")


def test_app_and_gateway_routes_agree() -> None:
    assert route_mismatches(app, MANIFEST.function("api")) == []


def test_status_is_protected_at_the_gateway() -> None:
    auth = {route.route_key: route.auth for route in MANIFEST.routes}
    assert auth == {"GET /healthz": "public", "GET /readyz": "public", "GET /status": "jwt"}


def test_the_policy_is_the_two_readiness_calls() -> None:
    permissions = {
        (permission.resource, action)
        for permission in MANIFEST.function("api").permissions
        for action in permission.actions
    }
    assert permissions == {
        ("table", "dynamodb:DescribeTable"),
        ("user_pool", "cognito-idp:DescribeUserPool"),
    }
