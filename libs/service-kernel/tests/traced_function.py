"""A kernel handler on a Lambda whose stack traces, run as a script by test_tracing.py
in a process of its own (a handler decides at init; Tracer patches botocore for the
whole process). The environment is the test's: POWERTOOLS_TRACE_DISABLED=false and
what Lambda sets (LAMBDA_TASK_ROOT, the function's name).

Every X-Ray entity is kept in memory instead of sent to a daemon, and written as
JSON to the file named by the first argument, with each invocation's trace header.
"""

from __future__ import annotations

import json
import os
import sys
from typing import Any

from aws_xray_sdk.core import xray_recorder
from aws_xray_sdk.core.emitters.udp_emitter import UDPEmitter
from botocore.session import get_session
from botocore.stub import Stubber

from service_kernel import create_app, lambda_function, lambda_handler
from service_kernel.testing import LambdaContext, http_event


class InMemory(UDPEmitter):  # type: ignore[misc] # the X-Ray SDK has no type hints
    """The daemon's emitter, keeping what it would send."""

    def __init__(self) -> None:
        super().__init__()
        self.sent: list[dict[str, Any]] = []

    def send_entity(self, entity: Any) -> None:
        self.sent.append(json.loads(entity.serialize()))


emitter = InMemory()
xray_recorder.configure(emitter=emitter)

dynamodb = get_session().create_client(
    "dynamodb",
    region_name="eu-west-1",
    aws_access_key_id="testing",
    aws_secret_access_key="testing",
)
stubber = Stubber(dynamodb)
stubber.activate()

app = create_app("kernel-test", "0.0.0")


@app.get("/items/{item_id}")
async def get_item(item_id: str) -> dict[str, str]:
    stubber.add_response("get_item", {"Item": {"PK": {"S": item_id}}})
    dynamodb.get_item(TableName="app-table", Key={"PK": {"S": item_id}})
    return {"item_id": item_id}


api = lambda_handler(app)


@lambda_function
def trigger(event: dict[str, Any], _context: Any) -> dict[str, Any]:
    return event


def invoke(handler: Any, event: dict[str, Any], root: str) -> str:
    """As Lambda does: the invocation's trace header in the environment, then the call."""
    header = f"Root={root};Parent=53995c3f42cd8ad8;Sampled=1"
    os.environ["_X_AMZN_TRACE_ID"] = header
    handler(event, LambdaContext(function_name=os.environ["AWS_LAMBDA_FUNCTION_NAME"]))
    return header


def get(item_id: str) -> dict[str, Any]:
    return http_event(
        "GET",
        f"/items/{item_id}",
        route_key="GET /items/{item_id}",
        path_parameters={"item_id": item_id},
    )


headers = [
    invoke(api, get("secret-id-1"), "1-5759e988-bd862e3fe1be46a994272793"),
    invoke(api, get("secret-id-2"), "1-5759e988-bd862e3fe1be46a994272794"),
    invoke(trigger, {"triggerSource": "PreSignUp_SignUp"}, "1-5759e988-bd862e3fe1be46a994272795"),
]
with open(sys.argv[1], "w") as out:
    json.dump({"headers": headers, "entities": emitter.sent}, out)
