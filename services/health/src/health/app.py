"""The health routes. `async def`: on Lambda a process serves one request at a
time, so the readiness checks' wait blocks nothing else, while a plain `def`
route would hop to a worker thread on every request."""

from __future__ import annotations

from fastapi.responses import JSONResponse

from health.checks import cached_checks
from health.models import Health, NotReady, Readiness, Status, StatusUser
from health.settings import settings
from service_kernel import CallerDep, create_app, current_request_id

VERSION = settings.version("health")

app = create_app("health", VERSION, docs=settings.enable_docs)

# The same for the life of the process: built once.
HEALTH = Health(status="ok", service="health", stage=settings.stage, version=VERSION)


@app.get("/healthz")
async def healthz() -> Health:
    """Liveness: answers without calling any dependency."""
    return HEALTH


@app.get("/readyz", response_model=Readiness, responses={503: {"model": NotReady}})
async def readyz() -> Readiness | JSONResponse:
    """Readiness: the table and the user pool answer (checked at most every
    few seconds: the answer is cached, health.checks.CACHE_SECONDS)."""
    checks = cached_checks()
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
async def status(caller: CallerDep) -> Status:
    """A token round-trip check for clients: echoes who the gateway let in."""
    return Status(
        status="ok",
        stage=settings.stage,
        user=StatusUser(sub=caller.sub, username=caller.username),
    )
