"""route_mismatches tells when an app and its gateway routes disagree."""

from __future__ import annotations

from fastapi import APIRouter, FastAPI

from service_kernel import CallerDep
from service_kernel.testing import route_mismatches
from service_manifest import Function, Route


def small_app() -> FastAPI:
    app = FastAPI()

    @app.get("/open")
    def open_route() -> None: ...

    @app.get("/mine")
    def mine(caller: CallerDep) -> None: ...

    return app


def function(*routes: Route) -> Function:
    return Function(name="api", handler="x.handler", routes=routes)


def test_matching_routes_have_no_mismatch() -> None:
    fn = function(Route("GET", "/open", "public"), Route("GET", "/mine", "jwt"))
    assert route_mismatches(small_app(), fn) == []


def test_a_served_route_missing_at_the_gateway_is_reported() -> None:
    fn = function(Route("GET", "/open", "public"))
    assert route_mismatches(small_app(), fn) == ["GET /mine is served but has no gateway route"]


def test_a_gateway_route_the_app_does_not_serve_is_reported() -> None:
    fn = function(
        Route("GET", "/open", "public"), Route("GET", "/mine", "jwt"), Route("POST", "/x", "jwt")
    )
    assert route_mismatches(small_app(), fn) == ["POST /x is routed but not served"]


def test_a_protected_route_public_at_the_gateway_is_reported() -> None:
    fn = function(Route("GET", "/open", "public"), Route("GET", "/mine", "public"))
    assert route_mismatches(small_app(), fn) == [
        "GET /mine needs a caller but is public at the gateway"
    ]


def test_routes_of_an_included_router_count_with_their_prefix() -> None:
    app = FastAPI()
    router = APIRouter(prefix="/things")

    @router.get("/{thing_id}")
    def one(thing_id: str, caller: CallerDep) -> None: ...

    app.include_router(router)
    assert route_mismatches(app, function(Route("GET", "/things/{thing_id}", "jwt"))) == []
    assert route_mismatches(app, function(Route("GET", "/things/{thing_id}", "public"))) == [
        "GET /things/{thing_id} needs a caller but is public at the gateway"
    ]


def test_a_default_route_takes_what_the_app_serves_beyond_its_declared_routes() -> None:
    fn = function(Route("GET", "/open", "public"), Route("ANY", "$default", "jwt"))
    assert route_mismatches(small_app(), fn) == []
