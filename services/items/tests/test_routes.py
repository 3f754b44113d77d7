"""The app serves exactly the routes service.toml gives the gateway."""

from __future__ import annotations

from pathlib import Path

from items.app import app
from service_kernel.testing import route_mismatches
from service_manifest import load_manifest

MANIFEST = load_manifest(Path(__file__).parents[1] / "service.toml")


def test_app_and_gateway_routes_agree() -> None:
    assert route_mismatches(app, MANIFEST.function("api")) == []


def test_every_route_is_protected_at_the_gateway() -> None:
    assert {route.route_key: route.auth for route in MANIFEST.routes} == {
        "POST /items": "jwt",
        "GET /items": "jwt",
        "GET /items/{item_id}": "jwt",
        "PATCH /items/{item_id}": "jwt",
        "PUT /items/{item_id}": "jwt",
        "DELETE /items/{item_id}": "jwt",
    }


def test_the_policy_is_the_repository_calls_on_own_keys_only() -> None:
    assert MANIFEST.key_prefixes == ("ITEMS#",)
    (permission,) = MANIFEST.function("api").permissions
    assert permission.resource == "table"
    assert permission.own_keys_only
    assert "dynamodb:Scan" not in permission.actions
