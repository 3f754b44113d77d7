"""The items service's own errors: one row per exception a route lets
through, answered and documented from this one table (service_kernel.errors)."""

from __future__ import annotations

from items.cursors import InvalidCursor
from items.repository import (
    ItemAlreadyExists,
    ItemNotFound,
    StoreUnavailable,
    VersionMismatch,
)
from service_kernel import RETRY_AFTER, ErrorCatalogue, ErrorRow, get_logger
from service_kernel.errors import ValidationErrorBody


class ItemIdMismatch(Exception):
    """A PUT body names an item_id other than the path's."""


def _log_unavailable(exc: StoreUnavailable) -> None:
    cause = exc.__cause__
    get_logger().warning("table unavailable", operation=str(exc), error=type(cause).__name__)


ANSWERS = ErrorCatalogue(
    {
        InvalidCursor: ErrorRow(
            400,
            "invalid_cursor",
            "The cursor is not valid for this caller.",
            "the cursor is not one this caller was given, or has expired",
        ),
        ItemNotFound: ErrorRow(404, "not_found", "No such item.", "no such item of the caller's"),
        ItemAlreadyExists: ErrorRow(
            409,
            "conflict",
            "An item with this item_id already exists.",
            "the caller already has an item with this item_id",
        ),
        VersionMismatch: ErrorRow(
            412,
            "precondition_failed",
            "The item is not at the version If-Match names; nothing was changed.",
            "the item is not at the version If-Match names; nothing was written",
        ),
        ItemIdMismatch: ErrorRow(
            422,
            "validation_error",
            "The request is not valid.",
            "also a body item_id other than the path's (PUT)",
            fields=lambda _: {
                "details": [
                    {
                        "loc": ["body", "item_id"],
                        "msg": "must be the path's item_id",
                        "type": "value_error",
                    }
                ]
            },
            model=ValidationErrorBody,
        ),
        StoreUnavailable: ErrorRow(
            503,
            "service_unavailable",
            "The item store is busy; retry shortly.",
            "the table is busy or unreachable; retry after Retry-After",
            headers=RETRY_AFTER,
            header_values=lambda _: {"Retry-After": "1"},
            note=_log_unavailable,
        ),
    }
)
install_item_errors = ANSWERS.install


def answers(*exceptions: type[Exception]) -> dict[int | str, dict[str, object]]:
    """A route's documented answers: these, and the table's 503, which every route may give."""
    return ANSWERS.responses(*exceptions, StoreUnavailable)
