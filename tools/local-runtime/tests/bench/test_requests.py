"""The event each function is timed with."""

from __future__ import annotations

from local_runtime.bench.requests import first_event
from local_runtime.bench.stack import CALLER, ITEM_ID
from service_manifest import Function, Route


def api(*routes: Route) -> Function:
    return Function(name="api", handler="svc.handler.handler", routes=routes)


def test_the_items_function_reads_the_bench_item_as_its_caller() -> None:
    event = first_event("items", api(Route("GET", "/items/{item_id}")), "eu-west-1")

    assert event is not None
    assert event["routeKey"] == "GET /items/{item_id}"
    assert event["rawPath"] == f"/items/{ITEM_ID}"
    assert event["pathParameters"] == {"item_id": ITEM_ID}
    assert event["requestContext"]["authorizer"]["jwt"]["claims"]["sub"] == CALLER


def test_a_public_route_has_no_caller() -> None:
    event = first_event("health", api(Route("GET", "/healthz", "public")), "eu-west-1")

    assert event is not None
    assert "authorizer" not in event["requestContext"]


def test_another_function_is_timed_on_its_first_get_route() -> None:
    routes = (Route("POST", "/notes"), Route("GET", "/notes/{note_id}"))
    event = first_event("notes", api(*routes), "eu-west-1")

    assert event is not None
    assert event["rawPath"] == "/notes/bench"


def test_a_trigger_gets_cognitos_event_with_a_new_phone_each_time() -> None:
    trigger = Function(name="create", handler="a.b.handler", trigger="CreateAuthChallenge")

    first = first_event("auth", trigger, "eu-west-1")
    second = first_event("auth", trigger, "eu-west-1")

    assert first is not None
    assert second is not None
    assert first["triggerSource"] == "CreateAuthChallenge_Authentication"
    phones = {e["request"]["userAttributes"]["phone_number"] for e in (first, second)}
    assert len(phones) == 2  # a code sender limits sends per number


def test_a_sign_up_trigger_gets_an_e_mail_sign_up() -> None:
    trigger = Function(name="pre_sign_up", handler="a.b.handler", trigger="PreSignUp")

    event = first_event("auth", trigger, "eu-west-1")

    assert event is not None
    assert event["triggerSource"] == "PreSignUp_SignUp"
    assert "@" in event["request"]["userAttributes"]["email"]
    assert "phone_number" not in event["request"]["userAttributes"]


def test_a_scheduled_function_gets_its_schedules_empty_input() -> None:
    scheduled = Function(name="cleanup", handler="a.b.handler", schedule="rate(5 minutes)")
    assert first_event("auth", scheduled, "eu-west-1") == {}


def test_a_function_nothing_invokes_is_not_timed() -> None:
    assert first_event("svc", Function(name="job", handler="a.b.handler"), "eu-west-1") is None
