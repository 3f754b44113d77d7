from __future__ import annotations

import pytest

from local_runtime.model import LocalRoute
from local_runtime.routing import match_route

ROUTES = [
    LocalRoute("GET /items", "list"),
    LocalRoute("GET /items/{item_id}", "get"),
    LocalRoute("GET /items/special", "special"),
    LocalRoute("ANY /items/{item_id}", "any"),
    LocalRoute("GET /files/{proxy+}", "files"),
    LocalRoute("GET /files/{folder}/readme", "readme"),
]


@pytest.mark.parametrize(
    ("method", "path", "function", "parameters"),
    [
        ("GET", "/items", "list", {}),
        ("GET", "/items/abc", "get", {"item_id": "abc"}),
        ("GET", "/items/special", "special", {}),  # literal beats {param}
        ("DELETE", "/items/abc", "any", {"item_id": "abc"}),  # ANY when no exact method
        ("GET", "/items/a%20b", "get", {"item_id": "a b"}),
        ("GET", "/files/a/b/c", "files", {"proxy": "a/b/c"}),
        ("GET", "/files/docs/readme", "readme", {"folder": "docs"}),  # {param} beats greedy
    ],
)
def test_the_most_specific_route_wins(
    method: str, path: str, function: str, parameters: dict[str, str]
) -> None:
    found = match_route(ROUTES, method, path)
    assert found is not None
    assert found.route.function == function
    assert found.path_parameters == parameters


@pytest.mark.parametrize(
    ("method", "path"),
    [
        ("POST", "/items"),
        ("GET", "/items/"),  # an empty segment is not a parameter
        ("GET", "/items/a/b"),
        ("GET", "/files"),  # greedy needs at least one segment
        ("GET", "/Items"),  # case-sensitive
        ("GET", "/"),
    ],
)
def test_nothing_matches(method: str, path: str) -> None:
    assert match_route(ROUTES, method, path) is None


def test_default_catches_what_nothing_else_matched() -> None:
    routes = [*ROUTES, LocalRoute("$default", "fallback")]
    found = match_route(routes, "POST", "/anything/at/all")
    assert found is not None
    assert found.route.function == "fallback"
    assert found.path_parameters == {}
    assert match_route(routes, "GET", "/items").route.function == "list"  # type: ignore[union-attr]
