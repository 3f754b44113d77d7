"""The local runtime, assembled: emulator, workers, gateway, console.

`Runtime(resources, ...).start()` is everything `make dev` does after the
program has declared its resources; tests start it the same way with a port
of 0 and stop it when done.
"""

from __future__ import annotations

import errno
import io
import os
import threading
import time
from collections.abc import Callable, Iterator, Mapping, Sequence
from concurrent.futures import ThreadPoolExecutor
from contextlib import contextmanager
from dataclasses import dataclass
from http.server import BaseHTTPRequestHandler
from pathlib import Path
from typing import Any

from botocore.exceptions import ClientError

from cognito_emulator import install_triggers, uninstall_triggers
from infra.operations.client_secret import give_client_its_secret, parameter_name
from infra.repo import repo_root
from local_runtime import model
from local_runtime.account import SET_UP
from local_runtime.api_info import api_info
from local_runtime.console import Console
from local_runtime.docs import DocsHandler, DocumentedService, docs_handler
from local_runtime.emulator import ACCOUNT_ID, Emulator, region_of
from local_runtime.environments import service_python
from local_runtime.events import IncomingRequest
from local_runtime.gateway import Gateway, GatewayServer, Handled, make_server
from local_runtime.iam.access import Target
from local_runtime.iam.gate import Identity
from local_runtime.iam.policy import PolicyError
from local_runtime.jwt_authorizer import JwksCache, fetch_jwks_from
from local_runtime.live_version import LiveVersions, live_aliases
from local_runtime.model import (
    Declared,
    LocalFunction,
    LocalModel,
    LocalRoute,
    Resource,
    build_model,
)
from local_runtime.outbox import OutboxWatcher
from local_runtime.reloader import Reloader
from local_runtime.scheduler import Scheduler
from local_runtime.served_routes import docs_documents, unserved_routes
from local_runtime.stack_secrets import make_stack_secrets
from local_runtime.workers import FunctionPool, Invocation, Worker, WorkerSpec, worker_environment
from service_manifest import AUTH_JWT, AUTH_PUBLIC, DEFAULT_ROUTE_KEY, Route

REPO_ROOT = repo_root()


@dataclass(frozen=True)
class ServiceSetup:
    """Where a service's workers run: its interpreter, its folder and its source."""

    python: Path
    folder: Path
    source: Path
    extra_environment: Mapping[str, str] | None = None


def workspace_service(
    root: Path = REPO_ROOT, warn: Callable[[str], None] = print
) -> Callable[[str], ServiceSetup]:
    """A service of this workspace: `services/<name>/`, run by `.venvs/<name>`."""

    def setup(service: str) -> ServiceSetup:
        folder = root / "services" / service
        if not (folder / "service.toml").is_file():
            raise model.ModelError(f"a function is tagged service={service!r}: no {folder}")
        return ServiceSetup(service_python(root, service, warn), folder, folder / "src")

    return setup


class PortInUse(OSError):
    """The local API's port is taken (often by another `make dev`)."""


class TriggerFailed(RuntimeError):
    """A Cognito trigger function failed; Cognito reports it to the caller."""


class Runtime:
    def __init__(
        self,
        resources: Sequence[Declared],
        *,
        stack: str,
        port: int = 8000,
        console: Console | None = None,
        services: Callable[[str], ServiceSetup] | None = None,
        watch: bool = True,
        program_files: Sequence[Path] = (),
        started: float | None = None,
    ) -> None:
        self.stack = stack
        self._resources = list(resources)
        self._port = port
        self.console = console or Console()
        self._services = services or workspace_service(warn=self.console.line)
        self._watch = watch
        self._program_files = list(program_files)
        self.pools: dict[str, FunctionPool] = {}
        # Where a `live` alias routes some invocations to a second version: that version's
        # own workers, by (function, version) (local_runtime.live_version).
        self.version_pools: dict[tuple[str, str], FunctionPool] = {}
        self.live = LiveVersions({})
        self._setups: Mapping[str, ServiceSetup] = {}
        self._version_lock = threading.Lock()
        # Function name → the role session its worker signs its AWS calls with.
        self.identities: dict[str, Identity] = {}
        self.model: LocalModel | None = None
        # An account whose one-time setup is done (docs/deploy.md): `make preflight` passes.
        self.emulator = Emulator(region_of(self._resources), SET_UP)
        self.gateway: Gateway | None = None
        self.docs: DocsHandler | None = None
        self.url = ""
        self._stoppers: list[Callable[[], None]] = []
        # "ready in N s" counts from here: the command's start (`make dev`'s
        # process), else the call to start().
        self._since = started
        self._started = time.monotonic()
        self._server: NotYetListening | None = None

    # ---- lifecycle ----

    def start(self) -> None:
        """Everything up: returns once the API answers (its functions' workers
        are warm); the ready line is printed just before it takes requests."""
        self._started = time.monotonic() if self._since is None else self._since
        try:
            self._start()
        except BaseException:
            self.stop()
            raise

    def stop(self) -> None:
        while self._stoppers:
            stopper = self._stoppers.pop()
            try:
                stopper()
            except Exception as exc:  # keep stopping the rest
                self.console.line(f"while stopping: {type(exc).__name__}: {exc}")

    def _start(self) -> None:
        self.emulator.start()
        self._stoppers.append(self.emulator.stop)
        self.emulator.set_up_account()
        created = self.emulator.create(self._resources, model.EMULATED_FIRST)
        resolved = [created.substitutions.resource(r) for r in self._resources]
        local = build_model(resolved)
        self.live = LiveVersions(live_aliases(resolved))
        make_stack_secrets(self.emulator.client("ssm"), self.stack, local)
        self._enforce_iam(local)
        self._install_triggers(resolved, local)
        self._give_clients_their_secret(resolved)
        self.model = local
        setups = self._setups = self._setup_services(local)
        for function in local.functions.values():
            version = self.live.main_version(function.function_name)
            self.pools[function.name] = self._pool(function, setups[function.service], version)
        self._stoppers.append(self._stop_pools)
        if local.api is not None:
            self._serve(local, setups)
        for declared in local.schedules:
            label = local.functions[declared.function].label
            self.console.line(f"schedule  {declared.expression} -> {label}")
        if local.schedules:
            scheduler = Scheduler(local.schedules, self._invoke_scheduled, self._report_scheduled)
            scheduler.start()
            self._stoppers.append(scheduler.stop)
        outbox = OutboxWatcher(self.console, self.emulator.region)
        self._stoppers.append(self.emulator.after_each_call(outbox.poll))
        if self._watch:
            reloader = Reloader({s: [setup.source] for s, setup in setups.items()}, self.restart)
            reloader.start()
            self._stoppers.append(reloader.stop)
            if self._program_files:
                program = Reloader({"program": self._program_files}, self._program_changed)
                program.start()
                self._stoppers.append(program.stop)
        self.console.banner(
            stack=self.stack,
            url=self.url,
            emulator_url=self.emulator.url,
            docs=sorted(self._documented_services(local)),
        )
        self.console.routes(local)
        self.console.line(
            "one-time codes: echoed as dev_otp for every destination here (make dev only;"
            " a deployed stack echoes only its test destinations' codes)"
        )
        routed = self._warm_routed(local)
        later = self.emulator.create(self._resources, model.EMULATED_LATER, created.substitutions)
        self.console.not_modeled(
            local.not_modeled, [*created.settings_not_applied, *later.settings_not_applied]
        )
        self._report_init(routed)
        if local.api is not None:
            self._warn_unserved(local, setups)
        self._open()
        threading.Thread(target=self._warm_the_rest, args=(local,), daemon=True).start()

    def _give_clients_their_secret(self, resolved: list[Resource]) -> None:
        """What `make client-secret` does after `pulumi up`: a confidential app
        client's one secret is the stack's authClientSecret, which only the auth
        API may read, so Cognito refuses calls without it here as on AWS."""
        parameter = parameter_name(self.stack)
        for client in resolved:
            if client.type == model.USER_POOL_CLIENT and client.inputs.get("generateSecret"):
                try:
                    give_client_its_secret(
                        self.emulator.client("cognito-idp"),
                        self.emulator.client("ssm"),
                        user_pool_id=str(client.inputs["userPoolId"]),
                        client_id=str(client.id),
                        parameter=parameter,
                        log=lambda _line: None,
                    )
                except ClientError as exc:  # no such parameter; no pool triggers emulated
                    self.console.line(f"{client.name}: secret not given: {exc}")

    def _enforce_iam(self, local: LocalModel) -> None:
        """Each function gets its own role session; the emulator authorises
        every call it signs against that role's declared policies."""
        for function in local.functions.values():
            try:
                identity = Identity.of(
                    function.function_name, function.role, local.policies_of(function)
                )
            except PolicyError as exc:
                raise model.ModelError(f"the role of {function.label}: {exc}") from None
            self.identities[function.name] = identity
        target = Target.of(ACCOUNT_ID, local.tables)
        self.emulator.gate.enforce(self.identities.values(), target, self.console.line)

    def _setup_services(self, local: LocalModel) -> dict[str, ServiceSetup]:
        services = sorted(local.services())
        with ThreadPoolExecutor(max_workers=4) as pool:
            return dict(zip(services, pool.map(self._services, services), strict=True))

    def _pool(
        self, function: LocalFunction, setup: ServiceSetup, version: str | None = None
    ) -> FunctionPool:
        environment = worker_environment(
            function,
            endpoint_url=self.emulator.url,
            region=self.emulator.region,
            base=os.environ,
            credentials=self.identities[function.name].credentials(),
        )
        if "ENABLE_DOCS" in environment:
            environment["ENABLE_DOCS"] = "true"  # locally, every service shows its docs
        environment.update(setup.extra_environment or {})
        if version is not None:
            environment["AWS_LAMBDA_FUNCTION_VERSION"] = version
        spec = WorkerSpec(setup.python, setup.folder, environment)
        return FunctionPool(function, lambda: Worker(function, spec, self.console.function_log))

    def _warm_routed(self, local: LocalModel) -> list[tuple[FunctionPool, Worker | None]]:
        """One warm worker per function behind a route, started now: the API is
        ready when they are. The rest wait (`_warm_the_rest`), so a small
        machine imports the API's handlers first."""
        routed = {route.function for route in local.api.routes} if local.api else set()
        return [(pool, pool.warm()) for name, pool in self.pools.items() if name in routed]

    def _open(self) -> None:
        elapsed = time.monotonic() - self._started
        line = f"ready in {elapsed:.1f}s: {self.url}  (Ctrl-C stops everything)"
        if self._server is None:
            self.console.line(line)
        else:
            open_when_announced(self._server, lambda: self.console.line(line))

    def _warm_the_rest(self, local: LocalModel) -> None:
        """After ready: the IAM gate's policies prepared, and one warm worker for
        each function no route reaches (Cognito triggers, schedules)."""
        self.emulator.gate.prepare()
        routed = {route.function for route in local.api.routes} if local.api else set()
        later = [pool for name, pool in self.pools.items() if name not in routed]
        self._report_init([(pool, pool.warm()) for pool in later])

    def _warn_unserved(self, local: LocalModel, setups: Mapping[str, ServiceSetup]) -> None:
        """A route the manifest declares that the service's app does not serve (a
        404 from the app): said at start, naming the route and the file."""
        services = self._documented_services(local)
        documents = docs_documents(self.docs, services)
        for problem in unserved_routes(
            {name: services[name].routes for name in documents},
            documents,
            {name: setups[name].folder / "service.toml" for name in documents},
        ):
            self.console.line(f"warning: {problem}")

    def _report_init(self, started: Sequence[tuple[FunctionPool, Worker | None]]) -> None:
        for pool, worker in started:
            error = worker.wait_ready() if worker is not None else None
            if error is not None:
                message = f"{error.get('errorType')}: {error.get('errorMessage')}"
                self.console.line(f"[{pool.function.label}] failed to start: {message}")

    def _stop_pools(self) -> None:
        for pool in [*self.pools.values(), *self.version_pools.values()]:
            pool.stop()

    def pool_for(self, function: str) -> FunctionPool:
        """The workers that answer this invocation: those of the version the function's
        `live` alias picks, as Lambda picks it (its weights), else its only ones."""
        main = self.pools[function]
        version = self.live.pick(main.function.function_name)
        if version is None or version == self.live.main_version(main.function.function_name):
            return main
        with self._version_lock:
            key = (function, version)
            if key not in self.version_pools:
                setup = self._setups[main.function.service]
                self.version_pools[key] = self._pool(main.function, setup, version)
            return self.version_pools[key]

    def restart(self, service: str) -> None:
        """The service's source changed: its workers restart, warm."""
        pools = [
            p
            for p in [*self.pools.values(), *self.version_pools.values()]
            if p.function.service == service
        ]
        for pool in pools:
            pool.restart()
        self.console.line(f"{service}: source changed, workers restarted")
        started = [(pool, pool.warm()) for pool in pools]
        threading.Thread(target=self._report_init, args=(started,), daemon=True).start()

    def _program_changed(self, _: str) -> None:
        self.console.line(
            "the program or a stack file changed: restart make dev (Ctrl-C, then make dev)"
            " to run it; the local API still serves what it declared at start"
        )

    # ---- the gateway ----

    def _serve(self, local: LocalModel, setups: Mapping[str, ServiceSetup]) -> None:
        assert local.api is not None
        jwks = JwksCache(fetch_jwks_from(self.emulator.url))
        docs = docs_handler(self._documented_services(local), self.invoke, api_info(REPO_ROOT))
        self.docs = docs
        gateway = self.gateway = Gateway(local.api, self.invoke, jwks, local=docs)
        try:
            # Bound now (the port is ours, its URL known), listening once ready (`_open`).
            server = make_server(gateway, self._port, self._log_request, NotYetListening)
        except OSError as exc:
            if exc.errno == errno.EADDRINUSE:
                raise PortInUse(str(exc)) from exc
            raise
        assert isinstance(server, NotYetListening)
        self._server = server
        self._stoppers.append(server.server_close)
        self._stoppers.append(server.stop)
        self.url = f"http://127.0.0.1:{server.server_address[1]}"

    @staticmethod
    def _documented_services(local: LocalModel) -> dict[str, DocumentedService]:
        """Each service's function that serves its routes (and so its OpenAPI),
        with the gateway's routes to it."""
        routes = local.api.routes if local.api else ()
        routed = {route.function for route in routes}
        found: dict[str, DocumentedService] = {}
        for function in local.functions.values():
            if function.name in routed and "ENABLE_DOCS" in function.environment:
                to_function = tuple(
                    _as_declared(route) for route in routes if route.function == function.name
                )
                found.setdefault(function.service, DocumentedService(function.name, to_function))
        return found

    def _invoke_scheduled(self, function: str, event: Mapping[str, Any]) -> Invocation:
        return self.pool_for(function).invoke(event)

    def _report_scheduled(self, schedule: model.LocalSchedule, invocation: Invocation) -> None:
        self.console.line(
            f"schedule {schedule.expression} -> {self.pools[schedule.function].function.label}"
            f" {invocation.duration_ms:.0f}ms {invocation.outcome}"
        )

    def invoke(self, function: str, event: Mapping[str, Any], timeout: float) -> Invocation:
        return self.pool_for(function).invoke(event, timeout)

    def _log_request(self, request: IncomingRequest, handled: Handled, latency_ms: float) -> None:
        self.console.request(
            status=handled.response.status,
            latency_ms=latency_ms,
            method=request.method,
            path=request.raw_path,
            function=self.pools[handled.function].function.label if handled.function else "",
            request_id=handled.request_id,
        )
        if handled.note and handled.response.status >= 400:
            self.console.line(f"    {handled.note}")

    # ---- Cognito triggers ----

    def _install_triggers(self, resources: Sequence[Declared], local: LocalModel) -> None:
        if not any(r.type == model.USER_POOL and r.inputs.get("lambdaConfig") for r in resources):
            return
        by_arn = local.triggers_by_arn()

        def invoke_trigger(arn: str, event: dict[str, Any]) -> dict[str, Any]:
            function = by_arn.get(arn) or next(
                (f for a, f in by_arn.items() if arn.startswith(a + ":")), None
            )
            if function is None:
                raise TriggerFailed(f"no declared function has the ARN {arn}")
            invocation = self.pool_for(function.name).invoke(event)
            trigger = event.get("triggerSource", "trigger")
            self.console.line(
                f"{trigger} -> {function.label} {invocation.duration_ms:.0f}ms {invocation.outcome}"
            )
            if invocation.outcome != "ok" or not isinstance(invocation.payload, dict):
                payload = invocation.payload if isinstance(invocation.payload, dict) else {}
                raise TriggerFailed(str(payload.get("errorMessage") or invocation.outcome))
            result: dict[str, Any] = invocation.payload
            return result

        install_triggers(invoke_trigger)
        self._stoppers.append(uninstall_triggers)


class NotYetListening(GatewayServer):
    """Bound to its port at once, but listening only from `listen()`: until
    then a connection is refused, not left waiting."""

    def __init__(self, address: tuple[str, int], handler: type[BaseHTTPRequestHandler]) -> None:
        super().__init__(address, handler, bind_and_activate=False)
        self.serving = False
        try:
            self.server_bind()
        except BaseException:
            self.server_close()
            raise

    def listen(self) -> None:
        self.server_activate()

    def serve(self) -> None:
        """Answer requests, in a thread, until `stop()`."""
        self.serving = True
        threading.Thread(target=self.serve_forever, name="gateway", daemon=True).start()

    def stop(self) -> None:
        # shutdown() waits for serve_forever to end: forever, if it never started.
        if self.serving:
            self.shutdown()


def open_when_announced(server: NotYetListening, announce: Callable[[], None]) -> None:
    """The port listens, `announce()` says so, then requests are answered: a
    client that read the announcement connects at once, and nothing is
    answered before it."""
    server.listen()
    announce()
    server.serve()


def _as_declared(route: LocalRoute) -> Route:
    """A served route as a manifest declares it: what the OpenAPI merge reads."""
    auth = AUTH_PUBLIC if route.authorizer is None else AUTH_JWT
    return Route(route.method, route.path or DEFAULT_ROUTE_KEY, auth)


@contextmanager
def quiet_runtime(stack: str) -> Iterator[Runtime]:
    """The stack served as `make dev` serves it, on a free port, its console
    discarded and no reloads: what a measurement runs against."""
    # Imported here: the program (and Pulumi) load only when one is wanted.
    from infra.offline.declared import declare

    resources, _ = declare(stack)
    runtime = Runtime(resources, stack=stack, port=0, console=Console(io.StringIO()), watch=False)
    runtime.start()
    try:
        yield runtime
    finally:
        runtime.stop()
