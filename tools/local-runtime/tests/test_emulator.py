from __future__ import annotations

import threading
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from typing import Any

from local_runtime import model
from local_runtime.emulator import (
    AtomicDynamoDb,
    Substitutions,
    creation_order,
    pascal,
    region_of,
)
from local_runtime.model import Resource
from tests.fake_program import POOL_ID, declared, health_manifest


def test_mock_ids_are_replaced_in_every_string_and_whole_numbers_become_ints() -> None:
    subs = Substitutions()
    subs.add(POOL_ID, "eu-west-1_Real")
    subs.add("c1", "real-client")  # short: replaced only as a whole value
    resource = Resource(
        "t",
        "n",
        POOL_ID,
        {
            "issuer": f"https://cognito-idp.us-east-1.amazonaws.com/{POOL_ID}",
            "audiences": ["c1"],
            "text": "abc1",
            "limit": 8.0,
            "rate": 0.5,
        },
        {},
    )
    resolved = subs.resource(resource)
    assert resolved.id == "eu-west-1_Real"
    assert resolved.inputs == {
        "issuer": "https://cognito-idp.us-east-1.amazonaws.com/eu-west-1_Real",
        "audiences": ["real-client"],
        "text": "abc1",
        "limit": 8,
        "rate": 0.5,
    }


def test_pulumi_input_names_become_api_names() -> None:
    assert pascal(
        {"allowedOauthFlows": ["code"], "tokenValidityUnits": {"accessToken": "minutes"}}
    ) == {
        "AllowedOAuthFlows": ["code"],
        "TokenValidityUnits": {"AccessToken": "minutes"},
    }
    assert pascal({"callbackUrls": ["x"]}) == {"CallbackURLs": ["x"]}


def test_the_region_comes_from_the_declared_arns() -> None:
    assert region_of(declared([health_manifest()])) == "us-east-1"
    assert region_of([]) == "us-east-1"
    arn = "arn:aws:dynamodb:eu-west-1:1:table/t"
    assert region_of([Resource("t", "n", "i", {}, {"arn": arn})]) == "eu-west-1"


class _CountsConcurrentCalls:
    """A WSGI app that notes how many requests it serves at once. Each call
    stays inside until a second one has come in too, so calls that may
    overlap do, however the threads are scheduled; `patience` bounds that
    wait for calls that are served one at a time (no partner can come)."""

    def __init__(self, patience: float) -> None:
        self.patience = patience
        self.inside = 0
        self.most = 0
        self._lock = threading.Condition()

    def __call__(self, environ: dict[str, Any], start_response: Any) -> list[bytes]:
        with self._lock:
            self.inside += 1
            self.most = max(self.most, self.inside)
            self._lock.notify_all()
            self._lock.wait_for(lambda: self.most > 1, timeout=self.patience)
            self.inside -= 1
        start_response("200 OK", [])
        return [b"{}"]


def _serve_together(app: AtomicDynamoDb, target: str) -> None:
    start = threading.Barrier(6)

    def call(_: int) -> None:
        start.wait()
        app({"HTTP_X_AMZ_TARGET": target}, lambda *_: None)

    with ThreadPoolExecutor(6) as pool:
        list(pool.map(call, range(6)))


def test_dynamodb_calls_are_served_one_at_a_time() -> None:
    # DynamoDB applies a condition and its write atomically (Developer Guide,
    # "Condition expressions"); moto's backend takes no lock, so concurrent
    # conditional writes could both win unless they are served in turn.
    backend = _CountsConcurrentCalls(patience=0.05)  # a chance to overlap, were they let
    _serve_together(AtomicDynamoDb(backend), "DynamoDB_20120810.UpdateItem")
    assert backend.most == 1


def test_other_services_calls_are_not_held_up() -> None:
    # A Cognito call waits on its trigger, whose own DynamoDB call must get through.
    backend = _CountsConcurrentCalls(patience=60)  # only a failure waits that long
    _serve_together(AtomicDynamoDb(backend), "AWSCognitoIdentityProviderService.InitiateAuth")
    assert backend.most > 1


@dataclass(frozen=True)
class _Declared:
    type: str
    name: str
    urn: str
    dependencies: frozenset[str] = frozenset()
    id: str = "id"
    inputs: dict[str, Any] = field(default_factory=dict)
    outputs: dict[str, Any] = field(default_factory=dict)


def test_resources_are_created_after_what_they_depend_on_as_the_engine_orders_them() -> None:
    """A pool that names its identity by reference waits for it, through any resource
    between them; one that does not is created in the kinds' order (pools first), and a
    fresh account refuses it (local_runtime.account)."""
    identity = _Declared(model.SES_IDENTITIES[1], "email-sender", "urn:identity")
    between = _Declared(
        "aws:route53/record:Record", "dkim", "urn:dkim", frozenset({"urn:identity"})
    )
    pool = _Declared(model.USER_POOL, "pool", "urn:pool", frozenset({"urn:dkim"}))
    client = _Declared(model.USER_POOL_CLIENT, "client", "urn:client", frozenset({"urn:pool"}))
    table = _Declared(model.TABLE, "table", "urn:table")

    ordered = creation_order([client, pool, between, identity, table], model.EMULATED_FIRST)
    assert [r.name for r in ordered] == ["table", "email-sender", "pool", "client"]

    unordered = _Declared(model.USER_POOL, "pool", "urn:pool")
    ordered = creation_order([identity, unordered, table], model.EMULATED_FIRST)
    assert [r.name for r in ordered] == ["table", "pool", "email-sender"]
