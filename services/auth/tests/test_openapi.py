"""The OpenAPI document names each route's error answers."""

from __future__ import annotations

from auth.app import app


def test_error_answers_are_documented() -> None:
    paths = app.openapi()["paths"]
    assert set(paths["/auth/verify"]["post"]["responses"]) >= {"200", "401", "422"}
    assert set(paths["/auth/start"]["post"]["responses"]) >= {"200", "422", "429"}
    assert set(paths["/auth/login"]["post"]["responses"]) >= {"200", "401", "403"}
    assert "204" in paths["/auth/logout"]["post"]["responses"]
