"""The IAM gate: a WSGI layer in front of moto that authorises every call a
function makes, with the policies of that function's own role.

Each worker signs its calls with its own session credentials (`Identity`),
so the gate knows the caller from the access key in the SigV4 credential
scope. Per call:
- an operation AWS serves unauthenticated (Cognito's public app-client calls)
  passes, signed or not;
- an unsigned call to any other operation gets the service's
  MissingAuthenticationToken answer;
- a call signed by a function is authorised action by action (`access`,
  `policy`); the first refusal is answered as the service answers it
  (`denials`), and moto never sees the call;
- a call signed by any other key (the runtime itself, the tests, your own
  scripts with AWS_ENDPOINT_URL) acts as the account's administrator.
A function's call the gate cannot map to an action (a REST-protocol service)
is refused: the gate fails closed rather than guess.
"""

from __future__ import annotations

import hashlib
import re
import threading
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass
from typing import Any

from local_runtime.iam.access import MAPPED_SERVICES, Target, access_requests
from local_runtime.iam.calls import ApiCall, needs_signature, read_call
from local_runtime.iam.denials import Answer, access_denied, missing_authentication
from local_runtime.iam.policy import AccessRequest, Decision, Statement, evaluate, read_policy
from local_runtime.wsgi_body import buffer_body

WsgiApp = Callable[[dict[str, Any], Callable[..., Any]], Iterable[bytes]]
DenialLog = Callable[[str], None]
_ACCESS_KEY = re.compile(r"Credential=([^/,\s]+)/")


@dataclass(frozen=True)
class Identity:
    """A function's role session, as Lambda gives it: the role's credentials,
    named after the function (`assumed-role/<role>/<function>`)."""

    function: str  # the physical function name: the role session's name
    role_arn: str
    statements: tuple[Statement, ...]

    @staticmethod
    def of(function: str, role_arn: str, policies: Iterable[Mapping[str, Any]]) -> Identity:
        """The role's statements, from its policy documents (`PolicyError` for
        one the gate cannot evaluate)."""
        statements = tuple(s for document in policies for s in read_policy(document))
        return Identity(function, role_arn, statements)

    @property
    def access_key(self) -> str:
        # Temporary credentials start with ASIA; these are stable per function.
        return "ASIA" + _digest("key", self.function)[:16]

    @property
    def secret_key(self) -> str:
        return _digest("secret", self.function)[:40]

    @property
    def session_token(self) -> str:
        return "local-" + _digest("token", self.function)

    def principal(self, account: str) -> str:
        role = self.role_arn.rsplit("/", 1)[-1] or "no-role"
        return f"arn:aws:sts::{account}:assumed-role/{role}/{self.function}"

    def credentials(self) -> dict[str, str]:
        """The environment a worker signs its calls with."""
        return {
            "AWS_ACCESS_KEY_ID": self.access_key,
            "AWS_SECRET_ACCESS_KEY": self.secret_key,
            "AWS_SESSION_TOKEN": self.session_token,
        }


def _digest(kind: str, name: str) -> str:
    return hashlib.sha256(f"{kind}:{name}".encode()).hexdigest().upper()


class IamGate:
    def __init__(self, app: WsgiApp, *, region: str, account: str) -> None:
        self._app = app
        self._region = region
        self._target = Target(account)
        self._identities: Mapping[str, Identity] = {}
        self._log: DenialLog = lambda _: None

    def enforce(
        self, identities: Iterable[Identity], target: Target, log: DenialLog | None = None
    ) -> None:
        """From now on, calls signed by these identities are authorised."""
        self._target = target
        self._identities = {identity.access_key: identity for identity in identities}
        if log is not None:
            self._log = log

    def prepare(self) -> None:
        """Load, in the background, which operations AWS serves unsigned (the
        SDK's models; Cognito's takes about a second), so no first call waits."""

        def load() -> None:
            for service in MAPPED_SERVICES:
                needs_signature(service, "")

        threading.Thread(target=load, name="iam-models", daemon=True).start()

    def __call__(
        self, environ: dict[str, Any], start_response: Callable[..., Any]
    ) -> Iterable[bytes]:
        body = buffer_body(environ)
        headers = {
            key[5:].replace("_", "-").lower(): str(value)
            for key, value in environ.items()
            if key.startswith("HTTP_")
        }
        answer = self.check(headers, body)
        if answer is None:
            return self._app(environ, start_response)
        start_response(answer.status_line, answer.headers)
        return [answer.body]

    def check(self, headers: Mapping[str, str], body: bytes) -> Answer | None:
        """None when the call may go on to the emulator, else the refusal."""
        call = read_call(headers, body, self._region)
        if call is None:
            return self._unmapped(headers)
        identity = self._identities.get(call.access_key or "")
        if call.access_key is not None and identity is None:
            return None  # the account's administrator
        if not needs_signature(call.service, call.operation):
            return None
        if identity is None:
            return missing_authentication(call)
        for request in access_requests(call, self._target):
            decision = evaluate(identity.statements, request)
            if decision is not Decision.ALLOWED:
                return self._refuse(call, identity, request, decision)
        return None

    def _refuse(
        self, call: ApiCall, identity: Identity, request: AccessRequest, decision: Decision
    ) -> Answer:
        self._log(
            f"IAM refused {identity.function}: {request.action} on {request.resource} "
            f"({decision.value})"
        )
        return access_denied(call, identity.principal(self._target.account), request, decision)

    def _unmapped(self, headers: Mapping[str, str]) -> Answer | None:
        found = _ACCESS_KEY.search(headers.get("authorization", ""))
        identity = self._identities.get(found.group(1)) if found else None
        if identity is None:
            return None
        call = ApiCall("unknown", "unknown", "json", self._region, identity.access_key)
        request = AccessRequest.of("unknown:unknown", "*")
        self._log(
            f"IAM refused {identity.function}: the local IAM check cannot map this request "
            "to an action (REST-protocol services are not authorised locally)"
        )
        return access_denied(
            call, identity.principal(self._target.account), request, Decision.IMPLICIT_DENY
        )
