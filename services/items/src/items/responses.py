"""Answers written with exact_json, so a price leaves as its own digits."""

from __future__ import annotations

from typing import Any

from fastapi.responses import JSONResponse

from items import exact_json
from items.models import Item
from items.preconditions import etag


class ExactJSONResponse(JSONResponse):
    def render(self, content: Any) -> bytes:
        return exact_json.dumps(content).encode()


def item_response(
    item: Item, status_code: int = 200, *, created: bool = False
) -> ExactJSONResponse:
    """One item, with its ETag, and its Location when it was just created."""
    headers = {"ETag": etag(item.version)}
    if created:
        headers["Location"] = f"/items/{item.item_id}"
    return ExactJSONResponse(item.model_dump(), status_code=status_code, headers=headers)
