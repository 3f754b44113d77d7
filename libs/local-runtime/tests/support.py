"""What the local runtime's tests share: the test stack file, the console
capture, and where the test-only probe service lives."""

from __future__ import annotations

import io
import sys
import threading
from pathlib import Path

import yaml

from local_runtime.model import JwtAuthorizer, LocalFunction
from local_runtime.runtime import Runtime, ServiceSetup, workspace_service
from tests.fake_program import REPO

HERE = Path(__file__).resolve().parent
PROBE = HERE / "probe"
# What the test stack file changes from Pulumi.dev.yaml: an extra CORS origin,
# and throttling small enough to reach in a test.
EXTRA_ORIGIN = "https://app.test.example"
TEST_RATE, TEST_BURST = 10, 20


class Captured(io.StringIO):
    """The console's output, readable while the runtime writes to it."""

    def __init__(self) -> None:
        super().__init__()
        self.lock = threading.Lock()

    def write(self, text: str) -> int:
        with self.lock:
            return super().write(text)

    def text(self) -> str:
        with self.lock:
            return self.getvalue()


def write_test_stack_file(folder: Path) -> Path:
    data = yaml.safe_load((REPO / "Pulumi.dev.yaml").read_text())
    config = data["config"]
    api = config["serverless-backend:api"]
    api["corsAllowOrigins"] = [*api.get("corsAllowOrigins", []), EXTRA_ORIGIN]
    api["throttlingRateLimit"] = TEST_RATE
    api["throttlingBurstLimit"] = TEST_BURST
    path = folder / "Pulumi.localtest.yaml"
    path.write_text(yaml.safe_dump(data))
    return path


def services(name: str) -> ServiceSetup:
    if name == "probe":
        return ServiceSetup(Path(sys.executable), PROBE, PROBE, {"PYTHONPATH": str(PROBE)})
    return workspace_service()(name)


def local_function(
    handler: str, *, service: str = "probe", function: str = "api", **environment: str
) -> LocalFunction:
    """One declared function as the runtime models it (its label: `service.function`)."""
    name = f"{service}-{function}"
    return LocalFunction(
        name=name,
        function_name=name,
        arn=f"arn:aws:lambda:us-east-1:123456789012:function:{name}",
        service=service,
        handler=handler,
        environment=environment,
        timeout=3,
        memory=128,
        concurrency=1,
        manifest_function=function,
    )


def authorizer_of(runtime: Runtime) -> JwtAuthorizer:
    """The JWT authorizer of the running API (its issuer names the pool)."""
    assert runtime.model is not None
    assert runtime.model.api is not None
    return next(r.authorizer for r in runtime.model.api.routes if r.authorizer is not None)
