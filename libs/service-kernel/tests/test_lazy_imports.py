"""A Lambda that needs only settings or AWS clients never loads FastAPI."""

from __future__ import annotations

import os
import subprocess
import sys


def test_settings_and_aws_load_without_fastapi() -> None:
    code = (
        "import sys, service_kernel.settings, service_kernel.aws; "
        "from service_kernel import load_settings; "
        "assert 'fastapi' not in sys.modules, 'fastapi was imported'"
    )
    subprocess.run([sys.executable, "-c", code], check=True)


def test_the_facade_still_offers_everything() -> None:
    import service_kernel

    for name in service_kernel.__all__:
        assert getattr(service_kernel, name) is not None


def test_all_names_exactly_the_lazy_homes() -> None:
    import service_kernel

    assert set(service_kernel.__all__) == set(service_kernel._HOMES)


# A handler built and invoked as on a stack that does not trace (the default).
SERVE = """
import sys
from service_kernel import create_app, lambda_function, lambda_handler
from service_kernel.metrics import count
from service_kernel.testing import LambdaContext, http_event

app = create_app("kernel-test", "0.0.0")

@app.get("/things/{thing_id}")
async def read(thing_id: str) -> dict[str, str]:
    return {"thing_id": thing_id}

@app.post("/things")
async def make() -> dict[str, str]:
    count("ThingsMade")
    return {}

api = lambda_handler(app)
trigger = lambda_function(lambda event, context: event)
assert api(http_event("GET", "/things/1"), LambdaContext())["statusCode"] == 200
trigger({}, LambdaContext())
loaded = sorted(m for m in sys.modules if m.startswith(("aws_xray_sdk", "aws_lambda_powertools")))
assert loaded == [], loaded

# A request that counts a metric loads Powertools Metrics (and so its package, which
# holds Tracer's module), but never the X-Ray SDK, and patches nothing.
assert api(http_event("POST", "/things"), LambdaContext())["statusCode"] == 200
assert "aws_lambda_powertools.metrics" in sys.modules
assert "aws_xray_sdk" not in sys.modules
assert "wrapt" not in sys.modules  # what the X-Ray SDK patches botocore with
"""


def test_with_tracing_off_neither_tracer_nor_the_xray_sdk_is_ever_imported() -> None:
    environment = {**os.environ, "POWERTOOLS_METRICS_NAMESPACE": "serverless-backend/test"}
    environment.pop("POWERTOOLS_TRACE_DISABLED", None)

    subprocess.run([sys.executable, "-c", SERVE], env=environment, check=True, timeout=120)


def test_with_tracing_explicitly_disabled_neither_is_imported_either() -> None:
    environment = {
        **os.environ,
        "POWERTOOLS_METRICS_NAMESPACE": "serverless-backend/test",
        "POWERTOOLS_TRACE_DISABLED": "true",
    }

    subprocess.run([sys.executable, "-c", SERVE], env=environment, check=True, timeout=120)
