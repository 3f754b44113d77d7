"""What the local runtime's tests share: the test stack file, the console
capture, and where the test-only probe service lives."""

from __future__ import annotations

import io
import sys
import threading
import time
import uuid
from pathlib import Path
from typing import Any

import jwt
import yaml
from moto.utilities.utils import load_resource

from local_runtime.model import JwtAuthorizer, LocalFunction
from local_runtime.runtime import Runtime, ServiceSetup, workspace_service
from tests.fake_program import REPO

HERE = Path(__file__).resolve().parent
PROBE = HERE / "probe"
# What the test stack file changes from Pulumi.dev.yaml: an extra CORS origin,
# and a stage throttling large enough for the OpenAPI fuzzing (a 429 there
# would hide the answer under test); the probe's GET /open route gets its own
# bucket, small enough to reach in a test (conftest).
EXTRA_ORIGIN = "https://app.test.example"
FUZZING_RATE, FUZZING_BURST = 5000, 10000
# The throttled route's bucket: 20 at once, then one every 100 s, so however
# slowly a loaded machine sends them, a burst past 20 meets a 429.
TEST_RATE, TEST_BURST = 0.01, 20
THROTTLED_ROUTE = "GET /open/{proxy+}"


class Captured(io.StringIO):
    """The console's output, readable while the runtime writes to it."""

    def __init__(self) -> None:
        super().__init__()
        self.lock = threading.Condition()

    def write(self, text: str) -> int:
        with self.lock:
            written = super().write(text)
            self.lock.notify_all()
            return written

    def text(self) -> str:
        with self.lock:
            return self.getvalue()

    def wait_for(self, text: str, start: int = 0) -> str:
        """The output from `start` on, once it holds `text`: waits on the
        runtime's writes, never on the clock. The bound only ends a test
        whose text never comes (a failure, not a wait)."""
        with self.lock:
            found = self.lock.wait_for(lambda: text in self.getvalue()[start:], timeout=120)
            assert found, f"{text!r} never reached the console"
            return self.getvalue()[start:]

    def holding_worker(self, start: int) -> int:
        """The pid of the worker serving the probe's `/any/hold`, once it says it holds."""
        said = self.wait_for("probe holding in ", start=start)
        return int(said.split("probe holding in ", 1)[1].split()[0])


def write_test_stack_file(folder: Path) -> Path:
    data = yaml.safe_load((REPO / "Pulumi.dev.yaml").read_text())
    config = data["config"]
    api = config["serverless-backend:api"]
    api["corsAllowOrigins"] = [*api.get("corsAllowOrigins", []), EXTRA_ORIGIN]
    api["throttlingRateLimit"] = FUZZING_RATE
    api["throttlingBurstLimit"] = FUZZING_BURST
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


def moto_signing_key() -> Any:
    return jwt.PyJWK(load_resource("cognitoidp/resources/jwks-private.json")).key


def mint_tokens(runtime: Runtime) -> dict[str, str]:
    """An access and an ID token as the emulator's pool issues them: moto's
    claims, signed with moto's key (the one its JWKS publishes), for the
    declared pool and app client. Minted here so gateway tests do not depend
    on a service's sign-in flow (the smoke suite covers that)."""
    authorizer = authorizer_of(runtime)
    now = int(time.time())
    common = {
        "iss": authorizer.issuer,
        "sub": str(uuid.uuid4()),
        "iat": now,
        "auth_time": now,
        "exp": now + 3600,
        "jti": str(uuid.uuid4()),
    }
    access = {
        **common,
        "client_id": authorizer.audiences[0],
        "token_use": "access",
        "username": common["sub"],
        "scope": "aws.cognito.signin.user.admin",
    }
    id_token = {
        **common,
        "aud": authorizer.audiences[0],
        "token_use": "id",
        "cognito:username": common["sub"],
        "email": "tester@example.com",
    }
    key, headers = moto_signing_key(), {"kid": "dummy"}
    return {
        "access": jwt.encode(access, key, algorithm="RS256", headers=headers),
        "id": jwt.encode(id_token, key, algorithm="RS256", headers=headers),
    }
