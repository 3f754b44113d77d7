from __future__ import annotations

import io
import json
import logging
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from fastapi import FastAPI, Response
from fastapi.testclient import TestClient
from pydantic import BaseModel, ConfigDict, Field

from service_kernel import ApiError, CallerDep, create_app, get_logger, lambda_handler
from service_kernel.testing import AsAuthorizedBy, access_claims

EVENTS = Path(__file__).parent / "events"

# The process's logger writes to the sys.stdout it was made with: make it now, not
# inside a test whose capsys replaces sys.stdout with a stream it closes afterwards.
get_logger()


@pytest.fixture
def recorded_event() -> dict[str, Any]:
    """An HTTP API payload-2.0 event as API Gateway sends it (from AWS's docs)."""
    event: dict[str, Any] = json.loads((EVENTS / "http_api_v2_post.json").read_text())
    return event


class Greeting(BaseModel):
    model_config = ConfigDict(extra="forbid")

    name: str = Field(min_length=1, max_length=10)
    password: str = ""


def build_app() -> FastAPI:
    """A small app that exercises each path of the shared plumbing."""
    app = create_app("kernel-test", "0.0.0")

    @app.post("/greet")
    def greet(body: Greeting) -> dict[str, str]:
        return {"hello": body.name}

    @app.post("/echo/{name}")
    def echo(name: str, body: dict[str, Any], caller: CallerDep) -> dict[str, Any]:
        return {"name": name, "body": body, "sub": caller.sub, "groups": list(caller.groups)}

    @app.get("/me")
    def me(caller: CallerDep) -> dict[str, str]:
        return {"sub": caller.sub, "username": caller.username}

    @app.delete("/gone", status_code=204, response_class=Response)
    def gone() -> Response:
        return Response(status_code=204)

    @app.get("/conflict")
    def conflict() -> None:
        raise ApiError(409, "conflict", "Already there.", extra={"hint": "x"})

    @app.get("/boom")
    def boom() -> None:
        raise RuntimeError("secret internals")

    return app


@pytest.fixture(scope="session")
def app() -> FastAPI:
    return build_app()


@pytest.fixture
def client(app: FastAPI) -> TestClient:
    return TestClient(app, raise_server_exceptions=False)


@pytest.fixture
def user_client(app: FastAPI) -> TestClient:
    return TestClient(AsAuthorizedBy(app, access_claims("user-1")), raise_server_exceptions=False)


@pytest.fixture
def log_output() -> Iterator[io.StringIO]:
    """What the shared logger writes during one test, as JSON lines."""
    handler = get_logger().registered_handler
    assert isinstance(handler, logging.StreamHandler)
    buffer = io.StringIO()
    previous = handler.setStream(buffer)
    yield buffer
    handler.setStream(previous)


@pytest.fixture(scope="session")
def handler(app: FastAPI) -> Any:
    return lambda_handler(app)
