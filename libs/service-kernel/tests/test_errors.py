"""Every error path answers in the contract's envelope."""

from __future__ import annotations

from fastapi.testclient import TestClient

from service_kernel import create_app


def assert_envelope(body: dict[str, object], code: str) -> None:
    assert body["error"] == code
    assert isinstance(body["message"], str)
    assert body["message"]
    assert isinstance(body["request_id"], str)
    assert body["request_id"]


def test_validation_error_is_422_with_one_detail_per_bad_field(client: TestClient) -> None:
    response = client.post("/greet", json={"name": "", "extra": 1})
    assert response.status_code == 422
    body = response.json()
    assert_envelope(body, "validation_error")
    locs = sorted(tuple(d["loc"]) for d in body["details"])
    assert locs == [("body", "extra"), ("body", "name")]
    assert all(set(d) >= {"loc", "msg"} for d in body["details"])


def test_validation_details_never_echo_the_input(client: TestClient) -> None:
    response = client.post("/greet", json={"name": "x" * 11, "password": 12345678})
    assert response.status_code == 422
    assert "12345678" not in response.text
    assert "xxxxxxxxxxx" not in response.text


def test_body_that_is_not_json_is_400_invalid_json(client: TestClient) -> None:
    response = client.post(
        "/greet", content=b"{not json", headers={"content-type": "application/json"}
    )
    assert response.status_code == 400
    assert_envelope(response.json(), "invalid_json")


def test_json_of_the_wrong_shape_is_422(client: TestClient) -> None:
    response = client.post("/greet", json=[1, 2, 3])
    assert response.status_code == 422
    assert_envelope(response.json(), "validation_error")


def test_unknown_route_is_404(client: TestClient) -> None:
    response = client.get("/nowhere")
    assert response.status_code == 404
    assert_envelope(response.json(), "not_found")


def test_unknown_method_is_405_with_allow(client: TestClient) -> None:
    response = client.delete("/greet")
    assert response.status_code == 405
    assert_envelope(response.json(), "method_not_allowed")
    assert response.headers["allow"] == "POST"


def test_api_error_keeps_its_code_and_extra_fields(client: TestClient) -> None:
    response = client.get("/conflict")
    assert response.status_code == 409
    body = response.json()
    assert_envelope(body, "conflict")
    assert body["hint"] == "x"


def test_unhandled_exception_is_500_without_a_trace(client: TestClient) -> None:
    response = client.get("/boom")
    assert response.status_code == 500
    body = response.json()
    assert_envelope(body, "internal_error")
    assert "secret internals" not in response.text
    assert "Traceback" not in response.text
    assert response.headers["x-request-id"] == body["request_id"]


def test_docs_are_served_under_the_services_own_name() -> None:
    with_docs = TestClient(create_app("things", "1.0", docs=True))
    assert "swagger-ui" in with_docs.get("/docs/things").text
    assert with_docs.get("/docs/things/openapi.json").json()["info"]["title"] == "things"
    assert with_docs.get("/openapi.json").status_code == 404

    without = TestClient(create_app("things", "1.0", docs=False))
    assert without.get("/docs/things").status_code == 404
    assert without.get("/docs/things/openapi.json").status_code == 404
