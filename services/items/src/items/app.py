"""The items API: each route translates HTTP to one service function call
and back. The routes sit on the app itself, as in health: FastAPI now keeps
an included APIRouter nested, where route_mismatches does not look.

Routes are `async def` although the table calls block: on Lambda a process
serves one request at a time, so blocking its event loop costs nothing,
while a plain `def` route would hop to a worker thread on every request."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import Depends, Path, Query, Response
from pydantic.json_schema import SkipJsonSchema

from items import service
from items.cursors import MAX_CURSOR_CHARS, InvalidCursor
from items.deps import CursorsDep, ExpectedVersionDep, RepositoryDep
from items.errors import ANSWERS, ItemIdMismatch, answers
from items.http_body import documented_body, json_body
from items.models import ITEM_ID_PATTERN, Item, ItemCreate, ItemPage, ItemPatch
from items.repository import ItemAlreadyExists, ItemNotFound, VersionMismatch
from items.responses import ExactJSONResponse, item_response
from items.settings import settings
from service_kernel import CallerDep, create_app

VERSION = settings.version("items")

app = create_app(
    "items", VERSION, docs=settings.enable_docs, default_response_class=ExactJSONResponse
)
ANSWERS.install(app)

ItemIdPath = Annotated[str, Path(pattern=ITEM_ID_PATTERN)]
CreateBody = Annotated[ItemCreate, Depends(json_body(ItemCreate))]
PatchBody = Annotated[ItemPatch, Depends(json_body(ItemPatch))]


ETAG_HEADER = {"description": 'The item\'s version, quoted: "3"', "schema": {"type": "string"}}
LOCATION_HEADER = {"description": "/items/<item_id>", "schema": {"type": "string"}}


def _item_answer(status: int, description: str, *, location: bool = False) -> dict[int | str, Any]:
    headers = {"ETag": ETAG_HEADER, **({"Location": LOCATION_HEADER} if location else {})}
    return {status: {"description": description, "model": Item, "headers": headers}}


@app.post(
    "/items",
    status_code=201,
    response_model=Item,
    openapi_extra=documented_body(ItemCreate),
    responses={**_item_answer(201, "Created", location=True), **answers(ItemAlreadyExists)},
)
async def create_item(caller: CallerDep, repository: RepositoryDep, body: CreateBody) -> Response:
    """Create an item; answers with its Location and ETag."""
    item = service.create_item(repository, caller.sub, body)
    return item_response(item, 201, created=True)


@app.get("/items", response_model=ItemPage, responses=answers(InvalidCursor))
async def list_items(
    caller: CallerDep,
    repository: RepositoryDep,
    cursors: CursorsDep,
    limit: Annotated[int, Query(ge=1, le=100)] = 20,
    cursor: Annotated[
        str | SkipJsonSchema[None],
        Query(max_length=MAX_CURSOR_CHARS, description="next_cursor of the page before"),
    ] = None,
) -> Response:
    """The caller's items in ascending item_id order, a page at a time."""
    page = service.list_items(repository, cursors, caller.sub, limit=limit, cursor=cursor)
    return ExactJSONResponse(page.model_dump())


@app.get(
    "/items/{item_id}",
    response_model=Item,
    responses={**_item_answer(200, "The item"), **answers(ItemNotFound)},
)
async def get_item(caller: CallerDep, repository: RepositoryDep, item_id: ItemIdPath) -> Response:
    return item_response(service.get_item(repository, caller.sub, item_id))


@app.patch(
    "/items/{item_id}",
    response_model=Item,
    openapi_extra=documented_body(ItemPatch),
    responses={**_item_answer(200, "The changed item"), **answers(ItemNotFound, VersionMismatch)},
)
async def update_item(
    caller: CallerDep,
    repository: RepositoryDep,
    item_id: ItemIdPath,
    expected_version: ExpectedVersionDep,
    body: PatchBody,
) -> Response:
    """Change some fields; with If-Match only if the version still matches."""
    item = service.update_item(
        repository, caller.sub, item_id, body, expected_version=expected_version
    )
    return item_response(item)


@app.put(
    "/items/{item_id}",
    response_model=Item,
    openapi_extra=documented_body(ItemCreate),
    responses={
        **_item_answer(200, "Replaced"),
        **_item_answer(201, "Created", location=True),
        **answers(VersionMismatch, ItemIdMismatch),
    },
)
async def replace_item(
    caller: CallerDep,
    repository: RepositoryDep,
    item_id: ItemIdPath,
    expected_version: ExpectedVersionDep,
    body: CreateBody,
) -> Response:
    """Create (201) or fully replace (200). With If-Match, only replace the
    item at that version: an absent item is then 412, never created."""
    if body.item_id is not None and body.item_id != item_id:
        raise ItemIdMismatch
    item, created = service.replace_item(
        repository, caller.sub, item_id, body, expected_version=expected_version
    )
    return item_response(item, 201 if created else 200, created=created)


@app.delete(
    "/items/{item_id}",
    status_code=204,
    response_class=Response,
    responses=answers(ItemNotFound, VersionMismatch),
)
async def delete_item(
    caller: CallerDep,
    repository: RepositoryDep,
    item_id: ItemIdPath,
    expected_version: ExpectedVersionDep,
) -> Response:
    service.delete_item(repository, caller.sub, item_id, expected_version=expected_version)
    return Response(status_code=204)
