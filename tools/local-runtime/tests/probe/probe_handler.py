"""A test-only Lambda handler: it does what the request's path asks, so the
process-level tests can see the event it got, crash it, time it out, and
see what its role lets it do to the table."""

from __future__ import annotations

import json
import os
import time
from typing import Any

import boto3
from botocore.exceptions import ClientError

# Made in the init phase, as a real function does: on a loaded machine,
# importing the SDK inside the first call can outlast the probe's 2 s timeout.
DYNAMODB = boto3.client("dynamodb")


def handler(event: dict[str, Any], context: Any) -> Any:
    action = event.get("pathParameters", {}).get("action", "echo")
    if action == "crash":
        os._exit(3)
    if action == "sleep":
        time.sleep(30)
    if action == "fail":
        raise ValueError("the probe was asked to fail")
    if action == "hold":
        # Busy until killed or timed out, and says so first: a test acts on
        # this worker mid-request on that line, never by racing the clock.
        print(f"probe holding in {os.getpid()}", flush=True)  # noqa: T201 - a function's log line
        time.sleep(30)
    if action == "bare":
        return {"bare": True, "pid": os.getpid()}
    if action == "string":
        return "Hello from Lambda!"
    if action == "huge":
        return {"statusCode": 200, "body": "x" * 6_400_000}
    if action in ("getitem", "putitem"):
        return call_table(action, (event.get("queryStringParameters") or {}).get("pk", ""))
    print(f"probe saw {event['requestContext']['requestId']}")  # noqa: T201 - a function's log line
    body = {
        "event": event,
        "context": {
            "aws_request_id": context.aws_request_id,
            "function_name": context.function_name,
            "remaining_ms": context.get_remaining_time_in_millis(),
            "memory_limit_in_mb": context.memory_limit_in_mb,
        },
        "environment": {k: v for k, v in os.environ.items() if k.startswith(("AWS_", "PROBE_"))},
        "pid": os.getpid(),
    }
    return {
        "statusCode": 200,
        "headers": {"content-type": "application/json"},
        "cookies": ["a=1; Path=/", "b=2"],
        "body": json.dumps(body),
    }


def call_table(action: str, partition_key: str) -> dict[str, Any]:
    """GetItem or PutItem on the declared table, with the worker's own
    credentials; AWS's error as botocore reads it when refused."""
    key = {"PK": {"S": partition_key}, "SK": {"S": "probe"}}
    try:
        if action == "getitem":
            found = DYNAMODB.get_item(TableName=os.environ["PROBE_TABLE"], Key=key)
            return {"ok": True, "item": found.get("Item")}
        DYNAMODB.put_item(TableName=os.environ["PROBE_TABLE"], Item=key)
        return {"ok": True}
    except ClientError as exc:
        return {
            "error": exc.response["Error"],
            "status": exc.response["ResponseMetadata"]["HTTPStatusCode"],
        }
