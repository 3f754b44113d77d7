"""The main loop of one warm Lambda worker process.

Run as a script by the service's own interpreter (its own virtualenv), so it
uses the standard library only and never imports `local_runtime`. It imports
the declared handler once, then answers invocations one at a time over the
socket the runtime passed it (fd in LOCAL_RUNTIME_FD): 4-byte big-endian
length, then JSON. Whatever the function prints goes to stdout/stderr, which
the runtime prefixes with the function's name.
"""

from __future__ import annotations

import importlib
import json
import os
import socket
import struct
import sys
import time
import traceback
from typing import Any

_HEADER = struct.Struct(">I")
# Lambda's own last log line of an invocation. The runtime waits for it on the
# function's output before it answers, so every line the invocation printed is
# on the console by the time its answer leaves.
END_LINE = "END RequestId: {request_id}\n"


class LambdaContext:
    """The context object Lambda passes a handler."""

    def __init__(self, request_id: str, deadline_ms: int) -> None:
        name = os.environ.get("AWS_LAMBDA_FUNCTION_NAME", "function")
        self.function_name = name
        self.function_version = os.environ.get("AWS_LAMBDA_FUNCTION_VERSION", "$LATEST")
        self.invoked_function_arn = os.environ.get("LOCAL_RUNTIME_FUNCTION_ARN", "")
        self.memory_limit_in_mb = os.environ.get("AWS_LAMBDA_FUNCTION_MEMORY_SIZE", "128")
        self.aws_request_id = request_id
        self.log_group_name = os.environ.get("AWS_LAMBDA_LOG_GROUP_NAME", f"/aws/lambda/{name}")
        self.log_stream_name = os.environ.get("AWS_LAMBDA_LOG_STREAM_NAME", "local")
        self.identity = None
        self.client_context = None
        self._deadline_ms = deadline_ms

    def get_remaining_time_in_millis(self) -> int:
        return max(self._deadline_ms - int(time.time() * 1000), 0)


def send(channel: socket.socket, message: dict[str, Any]) -> None:
    data = json.dumps(message).encode()
    channel.sendall(_HEADER.pack(len(data)) + data)


def receive(channel: socket.socket) -> dict[str, Any] | None:
    header = _read_exactly(channel, _HEADER.size)
    if header is None:
        return None
    data = _read_exactly(channel, _HEADER.unpack(header)[0])
    if data is None:
        return None
    message: dict[str, Any] = json.loads(data)
    return message


def _read_exactly(channel: socket.socket, size: int) -> bytes | None:
    chunks = bytearray()
    while len(chunks) < size:
        chunk = channel.recv(size - len(chunks))
        if not chunk:
            return None
        chunks.extend(chunk)
    return bytes(chunks)


def error_payload(exc: BaseException, error_type: str | None = None) -> dict[str, Any]:
    """Lambda's error shape: errorMessage, errorType, stackTrace."""
    return {
        "errorMessage": str(exc),
        "errorType": error_type or type(exc).__name__,
        "stackTrace": traceback.format_exception(exc),
    }


def main() -> None:
    channel = socket.socket(fileno=int(os.environ["LOCAL_RUNTIME_FD"]))
    module_name, _, attribute = os.environ["_HANDLER"].rpartition(".")
    try:
        handler = getattr(importlib.import_module(module_name), attribute)
    except Exception as exc:
        traceback.print_exc()
        send(channel, {"init_error": error_payload(exc, "Runtime.ImportModuleError")})
        return
    send(channel, {"ready": True})
    while (message := receive(channel)) is not None:
        context = LambdaContext(message["request_id"], message["deadline_ms"])
        try:
            result = handler(message["event"], context)
            reply: dict[str, Any] = {"result": result}
            json.dumps(reply)
        except Exception as exc:
            sys.stderr.write(f"[ERROR] {type(exc).__name__}: {exc}\n")
            traceback.print_exc()
            reply = {"error": error_payload(exc)}
        sys.stdout.flush()
        sys.stderr.flush()
        # Straight to the descriptor: the handler may have replaced sys.stdout.
        os.write(1, END_LINE.format(request_id=message["request_id"]).encode())
        send(channel, reply)


if __name__ == "__main__":
    main()
