"""The contract's flows against any base URL: `python -m local_runtime.smoke --api-url URL`.

Local (`make dev`) or a deployed stack. It signs in only with the stack's test
destinations: fictional phone numbers and addresses the auth service never sends a
message to (`--test-destination`, twice, or `SMOKE_TEST_DESTINATIONS=a,b`, or
`--stack <name>`, which reads them from the stack's config). Never another number: on a
real stack that would send a real SMS. Their one-time code is the one the stack echoes
(`dev_otp`, non-production stacks and `make dev`), else the fixed code derived from
the stack's test-code secret
(`--test-code` or `SMOKE_TEST_CODE`, or `--test-code-parameter` / `--stack`: read from
its SSM SecureString parameter with the caller's AWS credentials, never printed). With
no code at all, the flows that need one are skipped and said to be skipped.

Prints one line per check and `N passed, M failed, K skipped`; exits 1 on any failure.
Standard library and httpx (botocore for the code's parameter, the platform's config
reader for `--stack`), so it runs anywhere the workspace is installed.
"""

from __future__ import annotations

import argparse
import base64
import hashlib
import hmac
import os
import secrets
import sys
import time
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

import httpx2 as httpx

UNAUTHORIZED = {"message": "Unauthorized"}


class Skip(Exception):
    """The check cannot run on this stack (said, not hidden)."""


class CheckFailed(AssertionError):
    pass


def expect(condition: bool, message: str) -> None:
    if not condition:
        raise CheckFailed(message)


def expect_status(response: httpx.Response, status: int) -> None:
    if response.status_code != status:
        raise CheckFailed(
            f"{response.request.method} {response.request.url.path}: expected {status}, "
            f"got {response.status_code} {response.text[:300]}"
        )


def code_for_test_destination(secret: str, destination: str) -> str:
    """A production stack's fixed 6-digit code for one test destination, derived from
    its `authTestCode` secret exactly as the auth service's create trigger derives it
    (auth.protocol.code_for_test_destination; this suite imports no service)."""
    mac = hmac.new(
        secret.encode(), f"test-code|{destination.strip().lower()}".encode(), hashlib.sha256
    )
    return f"{int(mac.hexdigest()[:12], 16) % 1_000_000:06d}"


def _mac(key: str, *parts: str) -> str:
    return hmac.new(key.encode(), "|".join(parts).encode(), hashlib.sha256).hexdigest()


@dataclass
class IamSignIn:
    """A production stack's test destinations sign in through IAM calls only the
    deploy role may make: its API treats them as ordinary numbers (issue 18). The
    user is made as /auth/start makes one (AdminCreateUser, a random permanent
    password), then AdminInitiateAuth signed with the app client's secret and
    carrying a ticket made with the test-code secret (as auth.protocol.ticket makes
    the API's), answered with the fixed code derived from that same secret."""

    cognito: Any
    user_pool_id: str
    client_id: str
    client_secret: str
    test_code: str
    clock: Callable[[], float] = time.time

    def tokens(self, destination: str) -> dict[str, Any]:
        channel, attribute = (
            ("sms", "phone_number")
            if destination.startswith("+")
            else (
                "email",
                "email",
            )
        )
        pool = {"UserPoolId": self.user_pool_id}
        try:
            self.cognito.admin_create_user(
                **pool,
                Username=destination,
                UserAttributes=[{"Name": attribute, "Value": destination}],
                MessageAction="SUPPRESS",
            )
            self.cognito.admin_set_user_password(
                **pool,
                Username=destination,
                Password=secrets.token_urlsafe(32) + "aA1!",
                Permanent=True,
            )
        except self.cognito.exceptions.UsernameExistsException:
            pass  # made by an earlier run
        canonical = destination.strip().lower()
        expires = str(int(self.clock()) + 30)
        ticket = f"{expires}.{_mac(self.test_code, 'ticket', canonical, channel, expires)}"
        signed = {"USERNAME": destination, "SECRET_HASH": self._secret_hash(destination)}
        started = self.cognito.admin_initiate_auth(
            **pool,
            ClientId=self.client_id,
            AuthFlow="CUSTOM_AUTH",
            AuthParameters=signed,
            ClientMetadata={"delivery": channel, "ticket": ticket},
        )
        answered = self.cognito.admin_respond_to_auth_challenge(
            **pool,
            ClientId=self.client_id,
            ChallengeName="CUSTOM_CHALLENGE",
            Session=started["Session"],
            ChallengeResponses={
                **signed,
                "ANSWER": code_for_test_destination(self.test_code, destination),
            },
        )
        if "AuthenticationResult" not in answered:
            raise CheckFailed("the fixed code was not accepted")
        tokens: dict[str, Any] = answered["AuthenticationResult"]
        return tokens

    def _secret_hash(self, username: str) -> str:
        mac = hmac.new(
            self.client_secret.encode(), (username + self.client_id).encode(), hashlib.sha256
        )
        return base64.b64encode(mac.digest()).decode()


@dataclass
class User:
    access_token: str
    id_token: str
    refresh_token: str
    sub: str = ""

    @property
    def headers(self) -> dict[str, str]:
        return {"Authorization": f"Bearer {self.access_token}"}


@dataclass
class Smoke:
    client: httpx.Client
    # Test destinations only (phone numbers in E.164, or e-mail addresses).
    destinations: Sequence[str] = ()
    # The stack's test-code secret (`authTestCode`), for a stack that does not echo
    # codes: each test destination's fixed code is derived from it.
    code: str | None = None
    # A production stack's IAM sign-in (its API treats test destinations as ordinary).
    iam: IamSignIn | None = None
    users: dict[str, User] = field(default_factory=dict)
    results: list[tuple[str, str, str]] = field(default_factory=list)
    run_id: str = field(default_factory=lambda: secrets.token_hex(4))

    # ---- running ----

    def check(self, name: str, body: Callable[[], None]) -> None:
        try:
            body()
        except Skip as skipped:
            self.results.append(("skip", name, str(skipped)))
        except (CheckFailed, httpx.HTTPError, KeyError, ValueError, TypeError) as exc:
            self.results.append(("FAIL", name, f"{type(exc).__name__}: {exc}"))
        else:
            self.results.append(("ok", name, ""))
        outcome, _, detail = self.results[-1]
        print(f"{outcome:>4}  {name}" + (f"  ({detail})" if detail else ""))  # noqa: T201

    def summary(self) -> tuple[int, int, int]:
        counts = {
            kind: sum(1 for r in self.results if r[0] == kind) for kind in ("ok", "FAIL", "skip")
        }
        return counts["ok"], counts["FAIL"], counts["skip"]

    def user(self, key: str) -> User:
        if key not in self.users:
            raise Skip("needs a signed-in user (see the sign-in check)")
        return self.users[key]

    # ---- health ----

    def health(self) -> None:
        response = self.client.get("/healthz")
        expect_status(response, 200)
        body = response.json()
        expect(body.get("status") == "ok" and body.get("service") == "health", f"body {body}")
        expect("x-request-id" in response.headers, "no x-request-id header")
        expect(response.headers.get("x-content-type-options") == "nosniff", "no nosniff header")

    def readiness(self) -> None:
        response = self.client.get("/readyz")
        expect_status(response, 200)
        expect(response.json()["checks"] == {"table": "ok", "user_pool": "ok"}, response.text)

    def unknown_route(self) -> None:
        response = self.client.get(f"/no-such-route-{self.run_id}")
        expect_status(response, 404)

    # ---- the authorizer ----

    def refusals(self) -> None:
        for headers in (
            {},
            {"Authorization": "Bearer not-a-jwt"},
            {"Authorization": "Bearer eyJhbGciOiJub25lIn0.eyJzdWIiOiJ4In0."},
        ):
            for path in ("/items", "/status"):
                response = self.client.get(path, headers=headers)
                expect_status(response, 401)
                expect(response.json() == UNAUTHORIZED, f"{path}: body {response.text}")

    # ---- sign-in ----

    def sign_in(self, key: str, index: int) -> None:
        if len(self.destinations) <= index:
            raise CheckFailed(
                f"needs {index + 1} test destinations, {len(self.destinations)} given "
                "(--test-destination, SMOKE_TEST_DESTINATIONS or --stack): the smoke test "
                "signs in with nothing else"
            )
        destination = self.destinations[index]
        if self.iam is not None:
            self._signed_in(key, self.iam.tokens(destination))
            return
        kind, delivery = ("phone", "sms") if destination.startswith("+") else ("email", "email")
        start = self.client.post("/auth/start", json={kind: destination})
        expect_status(start, 200)
        started = start.json()
        expect(started.get("delivery") == delivery, f"delivery {started.get('delivery')!r}")
        expect(isinstance(started.get("session"), str), "no session")
        code = started.get("dev_otp") or (
            code_for_test_destination(self.code, destination) if self.code else None
        )
        if not code:
            raise Skip(
                "this stack does not echo the code and no test code was given "
                "(--test-code, SMOKE_TEST_CODE or --stack); flows that need one are skipped"
            )
        session = started["session"]
        wrong = "000000" if code != "000000" else "111111"
        refused = self.client.post(
            "/auth/verify", json={kind: destination, "otp": wrong, "session": session}
        )
        expect_status(refused, 401)
        refused_body = refused.json()
        expect(refused_body.get("error") == "invalid_code", f"wrong code: {refused_body}")
        session = refused_body.get("session", session)
        verified = self.client.post(
            "/auth/verify", json={kind: destination, "otp": code, "session": session}
        )
        expect_status(verified, 200)
        tokens = verified.json()
        expect(tokens.get("token_type") == "Bearer", f"token body keys {sorted(tokens)}")
        self._signed_in(
            key,
            {
                "AccessToken": tokens["access_token"],
                "IdToken": tokens["id_token"],
                "RefreshToken": tokens["refresh_token"],
            },
        )

    def _signed_in(self, key: str, tokens: Mapping[str, Any]) -> None:
        user = User(tokens["AccessToken"], tokens["IdToken"], tokens["RefreshToken"])
        status = self.client.get("/status", headers=user.headers)
        expect_status(status, 200)
        user.sub = status.json()["user"]["sub"]
        self.users[key] = user

    def me(self) -> None:
        user = self.user("first")
        response = self.client.get("/auth/me", headers=user.headers)
        expect_status(response, 200)
        expect(response.json().get("sub") == user.sub, response.text)

    def id_token_refused(self) -> None:
        user = self.user("first")
        response = self.client.get("/items", headers={"Authorization": f"Bearer {user.id_token}"})
        expect_status(response, 401)

    def refresh(self) -> None:
        user = self.user("first")
        response = self.client.post("/auth/refresh", json={"refresh_token": user.refresh_token})
        expect_status(response, 200)
        body = response.json()
        expect("refresh_token" not in body and body.get("access_token"), f"keys {sorted(body)}")

    # ---- items ----

    def crud(self) -> None:
        user = self.user("first")
        item_id = f"smoke-{self.run_id}"
        item = {"item_id": item_id, "name": "Smoke test", "price": 19.99, "tags": ["smoke"]}
        created = self.client.post("/items", json=item, headers=user.headers)
        expect_status(created, 201)
        body = created.json()
        expect(body["price"] == 19.99 and body["version"] == 1, f"created {body}")
        expect(created.headers.get("location") == f"/items/{item_id}", "Location header")
        expect(created.headers.get("etag") == '"1"', f"ETag {created.headers.get('etag')}")
        fetched = self.client.get(f"/items/{item_id}", headers=user.headers)
        expect_status(fetched, 200)
        expect(fetched.json() == body, "GET differs from the created item")
        patched = self.client.patch(
            f"/items/{item_id}",
            json={"price": 5.5},
            headers={**user.headers, "If-Match": '"1"'},
        )
        expect_status(patched, 200)
        expect(patched.json()["version"] == 2 and patched.json()["price"] == 5.5, patched.text)
        replaced = self.client.put(
            f"/items/{item_id}", json={"name": "Replaced", "price": 1}, headers=user.headers
        )
        expect_status(replaced, 200)
        expect(replaced.json()["name"] == "Replaced", replaced.text)
        deleted = self.client.delete(f"/items/{item_id}", headers=user.headers)
        expect_status(deleted, 204)
        expect_status(self.client.get(f"/items/{item_id}", headers=user.headers), 404)

    def conflicts(self) -> None:
        user = self.user("first")
        item_id = f"conflict-{self.run_id}"
        item = {"item_id": item_id, "name": "Original", "price": 1}
        expect_status(self.client.post("/items", json=item, headers=user.headers), 201)
        again = self.client.post("/items", json={**item, "name": "Other"}, headers=user.headers)
        expect_status(again, 409)
        expect(again.json().get("error") == "conflict", again.text)
        stale = self.client.patch(
            f"/items/{item_id}", json={"name": "Late"}, headers={**user.headers, "If-Match": '"7"'}
        )
        expect_status(stale, 412)
        stored = self.client.get(f"/items/{item_id}", headers=user.headers).json()
        expect(stored["name"] == "Original" and stored["version"] == 1, f"stored {stored}")

    def validation(self) -> None:
        user = self.user("first")
        invalid = self.client.post("/items", json={"price": -1}, headers=user.headers)
        expect_status(invalid, 422)
        expect(invalid.json().get("error") == "validation_error", invalid.text)
        not_json = self.client.post(
            "/items",
            content=b"{not json",
            headers={**user.headers, "Content-Type": "application/json"},
        )
        expect_status(not_json, 400)
        expect(not_json.json().get("error") == "invalid_json", not_json.text)

    def pagination(self) -> None:
        user = self.user("first")
        ids = [f"page-{self.run_id}-{n}" for n in range(5)]
        for item_id in ids:
            item = {"item_id": item_id, "name": item_id, "price": 2}
            expect_status(self.client.post("/items", json=item, headers=user.headers), 201)
        seen: list[str] = []
        cursor: str | None = None
        last_cursor = ""
        for _ in range(100):
            params: dict[str, Any] = {"limit": 2, **({"cursor": cursor} if cursor else {})}
            page = self.client.get("/items", params=params, headers=user.headers)
            expect_status(page, 200)
            body = page.json()
            expect(len(body["items"]) <= 2, "a page longer than limit")
            seen += [item["item_id"] for item in body["items"]]
            cursor = body["next_cursor"]
            if cursor is None:
                break
            last_cursor = cursor
        mine = [item_id for item_id in seen if item_id.startswith(f"page-{self.run_id}-")]
        expect(mine == ids, f"pages gave {mine}")
        expect(seen == sorted(seen) and len(seen) == len(set(seen)), "not ascending, or repeats")
        expect(bool(last_cursor), "five items fit on one page of two")
        tampered = last_cursor[:-2] + ("AA" if not last_cursor.endswith("AA") else "BB")
        bad = self.client.get("/items", params={"cursor": tampered}, headers=user.headers)
        expect_status(bad, 400)
        expect(bad.json().get("error") == "invalid_cursor", bad.text)

    def isolation(self) -> None:
        first, second = self.user("first"), self.user("second")
        item_id = f"private-{self.run_id}"
        item = {"item_id": item_id, "name": "Mine", "price": 3}
        expect_status(self.client.post("/items", json=item, headers=first.headers), 201)
        expect_status(self.client.get(f"/items/{item_id}", headers=second.headers), 404)
        expect_status(
            self.client.patch(f"/items/{item_id}", json={"name": "x"}, headers=second.headers),
            404,
        )
        expect_status(self.client.delete(f"/items/{item_id}", headers=second.headers), 404)
        listed = self.client.get("/items", params={"limit": 100}, headers=second.headers)
        expect_status(listed, 200)
        expect(
            all(i["item_id"] != item_id for i in listed.json()["items"]), "listed another's item"
        )
        # Another user may use the same item_id: ids are per owner.
        expect_status(self.client.post("/items", json=item, headers=second.headers), 201)

    def logout(self) -> None:
        user = self.user("second")
        response = self.client.post(
            "/auth/logout", json={"refresh_token": user.refresh_token}, headers=user.headers
        )
        expect_status(response, 204)
        refreshed = self.client.post("/auth/refresh", json={"refresh_token": user.refresh_token})
        expect_status(refreshed, 401)

    def run(self) -> None:
        self.check("health: GET /healthz", self.health)
        self.check("health: GET /readyz", self.readiness)
        self.check("gateway: unknown route is 404", self.unknown_route)
        self.check("gateway: missing, garbage and alg=none tokens are 401", self.refusals)
        self.check(
            "auth: passwordless sign-in (wrong code, then the code)",
            lambda: self.sign_in("first", 0),
        )
        self.check("auth: GET /auth/me", self.me)
        self.check("auth: an ID token is refused", self.id_token_refused)
        self.check("auth: POST /auth/refresh", self.refresh)
        self.check("items: create, read, patch, replace, delete", self.crud)
        self.check("items: 409 on a taken id, 412 on a stale If-Match", self.conflicts)
        self.check("items: 422 and 400 on bad bodies", self.validation)
        self.check("items: pagination and a tampered cursor", self.pagination)
        self.check("auth: a second user signs in", lambda: self.sign_in("second", 1))
        self.check("items: owners are isolated", self.isolation)
        self.check("auth: logout revokes the refresh token", self.logout)


@dataclass(frozen=True)
class SignIn:
    """What the smoke test signs in with, from its options, the environment or the stack."""

    destinations: tuple[str, ...]
    code: str | None = None
    code_parameter: str | None = None
    region: str | None = None
    # A production stack's (--stack): where its pool and client are published, and
    # its app client's secret, for the IAM sign-in.
    published_prefix: str | None = None
    client_secret_parameter: str | None = None


def sign_in_options(args: argparse.Namespace, environ: Mapping[str, str]) -> SignIn:
    """Options first, then the environment, then the stack's config."""
    destinations = tuple(args.test_destination or ()) or tuple(
        d.strip() for d in environ.get("SMOKE_TEST_DESTINATIONS", "").split(",") if d.strip()
    )
    code = args.test_code or environ.get("SMOKE_TEST_CODE") or None
    parameter = args.test_code_parameter or environ.get("SMOKE_TEST_CODE_PARAMETER") or None
    region = published_prefix = client_secret_parameter = None
    if args.stack:
        # Imported here: only --stack needs the platform's config reader.
        from infra.operations.smoke_sign_in import smoke_sign_in

        stack = smoke_sign_in(args.stack)
        destinations = destinations or stack.destinations
        parameter = parameter or (None if code else stack.code_parameter)
        region = stack.region
        published_prefix, client_secret_parameter = (
            stack.published_prefix,
            stack.client_secret_parameter,
        )
    return SignIn(destinations, code, parameter, region, published_prefix, client_secret_parameter)


def read_code(parameter: str, region: str | None) -> str:
    """The test code from its SecureString parameter, with the caller's AWS credentials.
    A failure names its kind only: never a value."""
    from botocore.exceptions import BotoCoreError, ClientError
    from botocore.session import get_session

    try:
        ssm = get_session().create_client("ssm", region_name=region)
        response = ssm.get_parameter(Name=parameter, WithDecryption=True)
    except (BotoCoreError, ClientError) as exc:
        raise CheckFailed(f"cannot read it: {type(exc).__name__}") from None
    value: str = response["Parameter"]["Value"]
    return value


def iam_sign_in(
    published_prefix: str, client_secret_parameter: str, test_code: str, region: str | None
) -> IamSignIn:
    """The IAM sign-in of a deployed production stack, with the caller's credentials."""
    from botocore.session import get_session

    session = get_session()
    ssm = session.create_client("ssm", region_name=region)

    def published(key: str) -> str:
        return str(ssm.get_parameter(Name=f"{published_prefix}/{key}")["Parameter"]["Value"])

    return IamSignIn(
        session.create_client("cognito-idp", region_name=region),
        published("user_pool_id"),
        published("user_pool_client_id"),
        read_code(client_secret_parameter, region),
        test_code,
    )


def main(argv: list[str] | None = None, environ: Mapping[str, str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m local_runtime.smoke", description=__doc__)
    parser.add_argument("--api-url", required=True, help="e.g. http://127.0.0.1:8000")
    parser.add_argument("--timeout", type=float, default=30.0)
    parser.add_argument("--stack", help="read the test destinations (and code) of this stack")
    parser.add_argument("--test-destination", action="append", help="a test destination (give two)")
    parser.add_argument(
        "--test-code",
        help="the test-code secret of a stack that does not echo codes (authTestCode)",
    )
    parser.add_argument("--test-code-parameter", help="the SSM parameter holding that code")
    args = parser.parse_args(argv)
    sign_in = sign_in_options(args, os.environ if environ is None else environ)
    started = time.monotonic()
    with httpx.Client(base_url=args.api_url.rstrip("/"), timeout=args.timeout) as client:
        smoke = Smoke(client, destinations=sign_in.destinations, code=sign_in.code)
        if smoke.code is None and sign_in.code_parameter:
            parameter = sign_in.code_parameter

            def fetch() -> None:
                smoke.code = read_code(parameter, sign_in.region)

            smoke.check(f"auth: the test code from {parameter}", fetch)
        if smoke.code and sign_in.published_prefix and sign_in.client_secret_parameter:
            prefix, secret = sign_in.published_prefix, sign_in.client_secret_parameter

            def iam() -> None:
                smoke.iam = iam_sign_in(prefix, secret, str(smoke.code), sign_in.region)

            smoke.check("auth: the IAM sign-in (the pool, client and client secret)", iam)
        smoke.run()
    passed, failed, skipped = smoke.summary()
    elapsed = time.monotonic() - started
    print(f"{passed} passed, {failed} failed, {skipped} skipped in {elapsed:.1f}s")  # noqa: T201
    return 1 if failed else 0


if __name__ == "__main__":
    from service_manifest.user_errors import run_for_people

    sys.exit(run_for_people(main))
