"""The invocation a benchmark times for each function: the event its first caller sends.

An API function gets one of its own routes as HTTP API sends it (payload 2.0,
the JWT authorizer's claims on protected routes): the items function the
GET that reads the bench item from the table, the health function its
liveness check, any other its first GET route. A Cognito trigger gets the
event Cognito sends it for a sign-in by phone (a sign-up: by e-mail), a
scheduled function its
schedule's (empty) input.
"""

from __future__ import annotations

import secrets
import time
import uuid
from typing import Any

from local_runtime.bench.stack import CALLER, ITEM_ID
from local_runtime.events import Authorization, IncomingRequest, build_event
from service_manifest import AUTH_JWT, Function, Route

# The route each known API function is timed on, with its path's parameters.
CHOSEN_ROUTES: dict[str, tuple[str, dict[str, str]]] = {
    "items.api": ("GET /items/{item_id}", {"item_id": ITEM_ID}),
    "health.api": ("GET /healthz", {}),
    "auth.api": ("GET /auth/me", {}),
}
TRIGGER_SOURCES = {
    "PreSignUp": "PreSignUp_SignUp",
    "DefineAuthChallenge": "DefineAuthChallenge_Authentication",
    "CreateAuthChallenge": "CreateAuthChallenge_Authentication",
    "VerifyAuthChallengeResponse": "VerifyAuthChallengeResponse_Authentication",
}


def first_event(service: str, function: Function, region: str) -> dict[str, Any] | None:
    """The event to time `function` with, or None for a function nothing invokes."""
    if function.routes:
        route, parameters = _route(f"{service}.{function.name}", function)
        return http_event(route, parameters)
    if function.trigger:
        return trigger_event(function.trigger, region)
    if function.schedule:
        return {}  # what EventBridge Scheduler sends: the schedule's input, which is empty
    return None


def _route(label: str, function: Function) -> tuple[Route, dict[str, str]]:
    routes = {route.route_key: route for route in function.routes}
    if label in CHOSEN_ROUTES:
        key, parameters = CHOSEN_ROUTES[label]
        return routes[key], parameters
    route = next(r for r in function.routes if r.method == "GET" and r.path != "$default")
    names = [part[1:-1] for part in route.path.split("/") if part.startswith("{")]
    return route, dict.fromkeys(names, "bench")


def http_event(route: Route, parameters: dict[str, str]) -> dict[str, Any]:
    path = route.path
    for name, value in parameters.items():
        path = path.replace(f"{{{name}}}", value)
    request = IncomingRequest(route.method, path, "", [("host", "127.0.0.1"), ("accept", "*/*")])
    return build_event(
        request,
        route_key=route.route_key,
        path_parameters=parameters,
        stage="$default",
        api_id="bench",
        request_id=str(uuid.uuid4()),
        authorization=_caller() if route.auth == AUTH_JWT else None,
    )


def _caller() -> Authorization:
    """An access token's claims as the JWT authorizer passes them on."""
    now = int(time.time())
    claims = {
        "sub": CALLER,
        "username": CALLER,
        "token_use": "access",
        "scope": "aws.cognito.signin.user.admin",
        "client_id": "bench",
        "iat": str(now),
        "exp": str(now + 3600),
    }
    return Authorization(claims, ("aws.cognito.signin.user.admin",))


def trigger_event(trigger: str, region: str) -> dict[str, Any]:
    # New destinations each time: a code sender rate-limits each one.
    unique = f"{secrets.randbelow(10**7):07d}"
    attributes = {"sub": CALLER, "cognito:user_status": "CONFIRMED"}
    if trigger == "PreSignUp":  # a sign-up with a password is by e-mail
        attributes["email"] = f"bench-{unique}@example.com"
    else:
        attributes["phone_number"] = f"+1555{unique}"
    return {
        "version": "1",
        "triggerSource": TRIGGER_SOURCES.get(trigger, trigger),
        "region": region,
        "userPoolId": f"{region}_bench",
        "userName": CALLER,
        "callerContext": {"awsSdkVersion": "aws-sdk-unknown-unknown", "clientId": "bench"},
        "request": {
            "userAttributes": attributes,
            "session": [],
            "challengeName": "CUSTOM_CHALLENGE",
            "challengeAnswer": "000000",
            "privateChallengeParameters": {},
            "clientMetadata": {},
            "userNotFound": False,
        },
        "response": {},
    }
