"""The items service's own errors, in the contract's envelope."""

from __future__ import annotations

from collections.abc import Awaitable, Callable

from fastapi import FastAPI, Request
from fastapi.responses import JSONResponse

from items.cursors import InvalidCursor
from items.repository import (
    ItemAlreadyExists,
    ItemNotFound,
    StoreUnavailable,
    VersionMismatch,
)
from service_kernel import error_response, get_logger

# exception type → (status, code, message); never the exception's own text,
# which may hold ids or a cursor.
ANSWERS: dict[type[Exception], tuple[int, str, str]] = {
    ItemNotFound: (404, "not_found", "No such item."),
    ItemAlreadyExists: (409, "conflict", "An item with this item_id already exists."),
    VersionMismatch: (
        412,
        "precondition_failed",
        "The item is not at the version If-Match names; nothing was changed.",
    ),
    InvalidCursor: (400, "invalid_cursor", "The cursor is not valid for this caller."),
}


def _answer(
    status: int, code: str, message: str
) -> Callable[[Request, Exception], Awaitable[JSONResponse]]:
    async def handle(_: Request, __: Exception) -> JSONResponse:
        return error_response(status, code, message)

    return handle


async def _unavailable(_: Request, exc: Exception) -> JSONResponse:
    cause = exc.__cause__
    get_logger().warning("table unavailable", operation=str(exc), error=type(cause).__name__)
    return error_response(
        503,
        "service_unavailable",
        "The item store is busy; retry shortly.",
        headers={"Retry-After": "1"},
    )


def install_item_errors(app: FastAPI) -> None:
    for exception, (status, code, message) in ANSWERS.items():
        app.add_exception_handler(exception, _answer(status, code, message))
    app.add_exception_handler(StoreUnavailable, _unavailable)
