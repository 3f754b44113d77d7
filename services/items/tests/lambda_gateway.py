"""Requests to the items function through its Lambda handler, as the HTTP API
sends them: payload-2.0 events with the caller's claims, the matched
`routeKey` and `pathParameters`."""

from __future__ import annotations

import json
from typing import Any

from items.handler import handler
from service_kernel.testing import LambdaContext, access_claims, http_event

ITEM_ROUTE = "/items/{item_id}"


class Gateway:
    """Sends one caller's requests the way the HTTP API would."""

    def __init__(self, sub: str) -> None:
        self.claims = access_claims(sub)

    def __call__(
        self,
        method: str,
        path: str,
        *,
        body: str | dict[str, Any] | None = None,
        headers: dict[str, str] | None = None,
        query: str = "",
        claims: dict[str, str] | None = None,
    ) -> tuple[int, dict[str, str], Any]:
        item_id = path.removeprefix("/items").removeprefix("/")
        event = http_event(
            method,
            path,
            body=body,
            headers={"content-type": "application/json", **(headers or {})},
            query=query,
            claims=self.claims if claims is None else claims,
            route_key=f"{method} {ITEM_ROUTE if item_id else '/items'}",
            path_parameters={"item_id": item_id} if item_id else None,
        )
        context = LambdaContext(function_name="items-api")
        response = handler(event, context)
        text = response.get("body") or ""
        return response["statusCode"], response["headers"], json.loads(text) if text else None
