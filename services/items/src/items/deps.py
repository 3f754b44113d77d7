"""What the routes are given: the caller's repository, the cursor codec and
the If-Match version, as `Annotated` dependencies (tests may override them)."""

from __future__ import annotations

from functools import cache
from typing import Annotated

from fastapi import Depends, Header
from pydantic.json_schema import SkipJsonSchema

from items.cursors import CursorCodec
from items.dynamodb_repository import DynamoItemRepository
from items.preconditions import IF_MATCH_PATTERN, parse_if_match
from items.repository import ItemRepository
from items.settings import settings
from items.signing_key import cursor_signing_key
from service_kernel.aws import client


@cache
def repository() -> ItemRepository:
    """The table's repository, built on first use, once per process, like the client it wraps."""
    return DynamoItemRepository(client("dynamodb"), settings.table_name)


@cache
def cursor_codec() -> CursorCodec:
    # Built on the first request that lists items: that one reads the key from SSM.
    return CursorCodec(
        key=cursor_signing_key(settings.cursor_signing_key_parameter),
        ttl_seconds=settings.cursor_ttl_seconds,
    )


# The dependencies are `async def`: FastAPI calls a plain `def` dependency in a
# worker thread, a hop each request would pay for returning a cached object.


async def get_repository() -> ItemRepository:
    return repository()


async def get_cursors() -> CursorCodec:
    return cursor_codec()


async def get_expected_version(
    if_match: Annotated[
        str | SkipJsonSchema[None],
        Header(
            description='Write only if the item is at this version: `"3"`, `3` or `W/"3"`.',
            pattern=IF_MATCH_PATTERN,
            # FastAPI leaves a pattern out of an optional header's schema: say it.
            json_schema_extra={"pattern": IF_MATCH_PATTERN},
        ),
    ] = None,
) -> int | None:
    return parse_if_match(if_match)


RepositoryDep = Annotated[ItemRepository, Depends(get_repository)]
CursorsDep = Annotated[CursorCodec, Depends(get_cursors)]
ExpectedVersionDep = Annotated[int | None, Depends(get_expected_version)]
