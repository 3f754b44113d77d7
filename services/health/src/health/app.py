from __future__ import annotations

from importlib.metadata import version
from typing import Literal

from fastapi.responses import JSONResponse
from pydantic import BaseModel

from health.checks import CheckResult, run_checks
from health.settings import settings
from service_kernel import CallerDep, create_app, current_request_id

VERSION = settings.service_version or version("health")

app = create_app("health", VERSION, docs=settings.enable_docs)


class Health(BaseModel):
    status: Literal["ok"]
    service: str
    stage: str
    version: str


class Readiness(BaseModel):
    status: Literal["ok", "error"]
    checks: dict[str, CheckResult]


class NotReady(Readiness):
    """The readiness shape plus the contract's error envelope."""

    error: Literal["service_unavailable"] = "service_unavailable"
    message: str
    request_id: str


class StatusUser(BaseModel):
    sub: str
    username: str


class Status(BaseModel):
    status: Literal["ok"]
    stage: str
    user: StatusUser


@app.get("/healthz")
def healthz() -> Health:
    """Liveness: answers without calling any dependency."""
    return Health(status="ok", service="health", stage=settings.stage, version=VERSION)


@app.get("/readyz", response_model=Readiness, responses={503: {"model": NotReady}})
def readyz() -> Readiness | JSONResponse:
    """Readiness: the table and the user pool answer."""
    checks = run_checks()
    failing = sorted(name for name, result in checks.items() if result != "ok")
    if not failing:
        return Readiness(status="ok", checks=checks)
    body = NotReady(
        status="error",
        checks=checks,
        message=f"Not ready: {', '.join(failing)} unreachable.",
        request_id=current_request_id(),
    )
    return JSONResponse(body.model_dump(), status_code=503)


@app.get("/status")
def status(caller: CallerDep) -> Status:
    """A token round-trip check for clients: echoes who the gateway let in."""
    return Status(
        status="ok",
        stage=settings.stage,
        user=StatusUser(sub=caller.sub, username=caller.username),
    )
