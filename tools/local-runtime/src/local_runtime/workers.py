"""Warm worker processes, a pool of them per declared function.

Like Lambda: a worker imports the handler once and then serves one
invocation at a time; overlapping requests start more workers up to the
function's concurrency; a worker that crashed or timed out is thrown away
and the next request gets a fresh one. The worker's side of the protocol is
`worker_main.py`.
"""

from __future__ import annotations

import contextlib
import json
import socket
import struct
import subprocess
import threading
import time
import uuid
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Literal

from infra.bundles.lambda_runtime import RUNTIME
from local_runtime.model import LocalFunction

WORKER_MAIN = Path(__file__).with_name("worker_main.py")
ECHO_CODES = "LOCAL_RUNTIME_ECHO_CODES"
TRACE_DISABLED = "POWERTOOLS_TRACE_DISABLED"
_HEADER = struct.Struct(">I")
END_PREFIX = "END RequestId: "  # worker_main.END_LINE: an invocation's output is all out
# Lambda's init phase may take 10 s; a cold import on a small laptop may take longer.
INIT_TIMEOUT = 60.0
# Lambda's quota for a synchronous invocation's payload, 6 MB each way (Lambda
# developer guide, "Lambda quotas"), in the bytes Lambda counts: the event as
# JSON (past 6291456: RequestEntityTooLargeException, "Request must be smaller
# than 6291456 bytes for the InvokeFunction operation", pelmers/streetwarp-web#14)
# and the result as the runtime serialises it (past 6291556: "Response payload
# size exceeded maximum allowed payload size (6291556 bytes).",
# DataBiosphere/azul#8192).
MAX_EVENT_BYTES = 6_291_456
MAX_RESULT_BYTES = 6_291_556

LogSink = Callable[[str, str], None]  # (function name, line)
Outcome = Literal["ok", "error", "timeout", "crash"]


@dataclass(frozen=True)
class Invocation:
    outcome: Outcome
    payload: Any  # the handler's result, or Lambda's error object
    request_id: str
    duration_ms: float


@dataclass(frozen=True)
class WorkerSpec:
    """How to start a function's worker: which interpreter, where, with what environment."""

    python: Path
    cwd: Path
    environment: Mapping[str, str]


class Worker:
    def __init__(self, function: LocalFunction, spec: WorkerSpec, log: LogSink) -> None:
        self.function = function
        self._channel, child = socket.socketpair()
        environment = dict(spec.environment)
        environment["LOCAL_RUNTIME_FD"] = str(child.fileno())
        self._process = subprocess.Popen(  # noqa: S603 - our interpreter, our script
            [str(spec.python), str(WORKER_MAIN)],
            cwd=spec.cwd,
            env=environment,
            pass_fds=(child.fileno(),),
            stdin=subprocess.DEVNULL,
            stdout=subprocess.PIPE,
            stderr=subprocess.STDOUT,
            # Ctrl-C reaches the runtime only; it stops the workers itself.
            start_new_session=True,
        )
        child.close()
        self._init_error: dict[str, Any] | None = None
        self._initialized = threading.Event()
        self._output = threading.Condition()
        self._output_ended: str | None = None  # the last invocation whose output is all out
        self._output_closed = False
        threading.Thread(target=self._pump, args=(log,), daemon=True).start()
        threading.Thread(target=self._await_init, daemon=True).start()

    @property
    def pid(self) -> int:
        return self._process.pid

    def alive(self) -> bool:
        return self._process.poll() is None

    def _pump(self, log: LogSink) -> None:
        assert self._process.stdout is not None
        for raw in self._process.stdout:
            line = raw.decode(errors="replace").rstrip("\n")
            if line.startswith(END_PREFIX):
                with self._output:
                    self._output_ended = line.removeprefix(END_PREFIX)
                    self._output.notify_all()
            else:
                log(self.function.label, line)
        with self._output:
            self._output_closed = True
            self._output.notify_all()

    def _await_output(self, request_id: str) -> None:
        """Blocks until every line the invocation printed has reached the log: the
        worker writes its END line after them and before its answer, so a caller
        that got the answer finds the function's lines already on the console."""
        with self._output:
            self._output.wait_for(lambda: self._output_closed or self._output_ended == request_id)

    def _await_init(self) -> None:
        """The init phase, read in the background so a worker starts while others do."""
        try:
            message = self._receive(INIT_TIMEOUT)
        except OSError:  # timed out, or killed meanwhile
            message = None
        if message is None or "ready" not in message:
            self._init_error = (message or {}).get("init_error") or {
                "errorMessage": "the worker exited or timed out during init",
                "errorType": "Runtime.ExitError",
            }
            self.kill()
        self._initialized.set()

    def wait_ready(self) -> dict[str, Any] | None:
        """Blocks until the handler is imported: None, else Lambda's init error."""
        self._initialized.wait()
        return self._init_error

    def invoke(self, event: Mapping[str, Any], timeout: float) -> Invocation:
        request_id = str(uuid.uuid4())
        started = time.monotonic()
        # The context counts down from the function's own timeout, even when
        # the gateway gives up sooner (its integration timeout).
        deadline_ms = int((time.time() + self.function.timeout) * 1000)
        message = {"event": event, "request_id": request_id, "deadline_ms": deadline_ms}
        data = json.dumps(message).encode()
        try:
            self._channel.sendall(_HEADER.pack(len(data)) + data)
            reply = self._receive(timeout)
        except TimeoutError:
            self.kill()
            return self._outcome("timeout", _timed_out(request_id, timeout), request_id, started)
        except OSError:
            reply = None
        if reply is None:
            self.kill()
            error = {"errorMessage": "the worker exited", "errorType": "Runtime.ExitError"}
            return self._outcome("crash", error, request_id, started)
        self._await_output(request_id)
        if "error" in reply:
            return self._outcome("error", reply["error"], request_id, started)
        result = reply.get("result")
        if result_size(result) > MAX_RESULT_BYTES:
            return self._outcome("error", _result_too_large(), request_id, started)
        return self._outcome("ok", result, request_id, started)

    @staticmethod
    def _outcome(kind: Outcome, payload: Any, request_id: str, started: float) -> Invocation:
        return Invocation(kind, payload, request_id, (time.monotonic() - started) * 1000)

    def _receive(self, timeout: float) -> dict[str, Any] | None:
        self._channel.settimeout(timeout)
        header = self._read(_HEADER.size)
        if header is None:
            return None
        body = self._read(_HEADER.unpack(header)[0])
        if body is None:
            return None
        message: dict[str, Any] = json.loads(body)
        return message

    def _read(self, size: int) -> bytes | None:
        data = bytearray()
        while len(data) < size:
            chunk = self._channel.recv(size - len(data))
            if not chunk:
                return None
            data.extend(chunk)
        return bytes(data)

    def kill(self) -> None:
        if self._process.poll() is None:
            self._process.kill()
        with contextlib.suppress(subprocess.TimeoutExpired):
            self._process.wait(timeout=5)
        self._channel.close()


def event_size(event: Mapping[str, Any]) -> int:
    """The bytes of an invocation's payload: the event as JSON."""
    return len(json.dumps(event, separators=(",", ":")).encode())


def result_size(result: Any) -> int:
    """The bytes of a result as the python3.12 runtime posts it (awslambdaric's
    to_json: json.dumps, non-ASCII left unescaped)."""
    return len(json.dumps(result, ensure_ascii=False).encode())


def _event_too_large() -> dict[str, Any]:
    return {
        "errorMessage": (
            f"Request must be smaller than {MAX_EVENT_BYTES} bytes for the InvokeFunction operation"
        ),
        "errorType": "RequestEntityTooLargeException",
    }


def _result_too_large() -> dict[str, Any]:
    return {
        "errorMessage": "Response payload size exceeded maximum allowed payload size "
        f"({MAX_RESULT_BYTES} bytes).",
        "errorType": "Function.ResponseSizeTooLarge",
    }


def _timed_out(request_id: str, timeout: float) -> dict[str, Any]:
    return {
        "errorMessage": f"{request_id} Task timed out after {timeout:.2f} seconds",
        "errorType": "Sandbox.Timedout",
    }


class FunctionPool:
    """The warm workers of one function."""

    def __init__(self, function: LocalFunction, spawn: Callable[[], Worker]) -> None:
        self.function = function
        self._spawn = spawn
        self._idle: list[Worker] = []
        self._started: list[Worker] = []  # every worker ever started, to stop them all
        self._count = 0
        self._generation = 0
        self._stopped = False
        self._condition = threading.Condition()

    @property
    def size(self) -> int:
        return self._count

    def invoke(self, event: Mapping[str, Any], timeout: float | None = None) -> Invocation:
        if event_size(event) > MAX_EVENT_BYTES:
            # Lambda refuses the invocation itself: no worker runs.
            return Invocation("error", _event_too_large(), str(uuid.uuid4()), 0.0)
        worker, generation = self._acquire()
        error = worker.wait_ready()
        if error is not None:
            self._release(worker, generation, healthy=False)
            return Invocation("error", error, str(uuid.uuid4()), 0.0)
        seconds = self.function.timeout if timeout is None else min(timeout, self.function.timeout)
        invocation = worker.invoke(event, seconds)
        self._release(worker, generation, healthy=invocation.outcome in ("ok", "error"))
        return invocation

    def warm(self) -> Worker | None:
        """Start a worker when none is idle, without waiting for its init; the
        first request waits for it instead of starting another."""
        with self._condition:
            if self._idle or self._stopped or self._count >= self.function.concurrency:
                return None
            self._count += 1
        try:
            worker = self._spawn()
        except BaseException:
            with self._condition:
                self._count -= 1
            raise
        self._track(worker)
        self._release(worker, self._generation, healthy=True)
        return worker

    def restart(self) -> None:
        """New code: idle workers stop now, busy ones when they finish."""
        with self._condition:
            self._generation += 1
            idle, self._idle = self._idle, []
            self._count -= len(idle)
            self._condition.notify_all()
        for worker in idle:
            worker.kill()

    def stop(self) -> None:
        """Stop every worker, busy or not (the runtime is going away)."""
        with self._condition:
            self._stopped = True
            started, self._started = self._started, []
            self._condition.notify_all()
        self.restart()
        for worker in started:
            worker.kill()

    def _acquire(self) -> tuple[Worker, int]:
        with self._condition:
            while True:
                if self._stopped:
                    raise RuntimeError("the runtime is stopping")
                while self._idle:
                    worker = self._idle.pop()
                    if worker.alive():
                        return worker, self._generation
                    self._count -= 1  # it crashed while idle
                if self._count < self.function.concurrency:
                    self._count += 1
                    generation = self._generation
                    break
                self._condition.wait()
        try:
            worker = self._spawn()
        except BaseException:
            with self._condition:
                self._count -= 1
                self._condition.notify()
            raise
        self._track(worker)
        return worker, generation

    def _track(self, worker: Worker) -> None:
        with self._condition:
            self._started = [w for w in self._started if w.alive()]
            self._started.append(worker)
        if self._stopped:
            worker.kill()

    def _release(self, worker: Worker, generation: int, *, healthy: bool) -> None:
        with self._condition:
            current = generation == self._generation and not self._stopped
            keep = healthy and current and worker.alive()
            if keep:
                self._idle.append(worker)
            elif current:
                self._count -= 1
            self._condition.notify()
        if not keep:
            worker.kill()


def worker_environment(
    function: LocalFunction,
    *,
    endpoint_url: str,
    region: str,
    base: Mapping[str, str],
    credentials: Mapping[str, str],
) -> dict[str, str]:
    """What a Lambda sandbox would hold, with AWS SDK calls sent to the emulator
    and signed with the credentials of the function's own role session."""
    environment = {key: base[key] for key in ("PATH", "HOME", "LANG", "TZ") if key in base}
    environment.update(
        {
            "AWS_REGION": region,
            "AWS_DEFAULT_REGION": region,
            "AWS_ENDPOINT_URL": endpoint_url,
            **credentials,
            "AWS_LAMBDA_FUNCTION_NAME": function.function_name,
            "AWS_LAMBDA_FUNCTION_VERSION": "$LATEST",
            "AWS_LAMBDA_FUNCTION_MEMORY_SIZE": str(function.memory),
            "AWS_LAMBDA_LOG_GROUP_NAME": f"/aws/lambda/{function.function_name}",
            "AWS_EXECUTION_ENV": f"AWS_Lambda_{RUNTIME}",
            "LOCAL_RUNTIME_FUNCTION_ARN": function.arn,
            "_HANDLER": function.handler,
            "PYTHONUNBUFFERED": "1",
            # `make dev` alone echoes every one-time code as `dev_otp` (auth's
            # create trigger reads it); no deployed function ever has it
            # (platform/tests/infra/program/test_main.py checks).
            ECHO_CODES: "true",
        }
    )
    environment.update(function.environment)
    # No X-Ray daemon here: a stack whose functions trace (prod) is run untraced,
    # so a worker loads neither Tracer nor the X-Ray SDK and prints nothing of theirs.
    environment[TRACE_DISABLED] = "true"
    return environment
