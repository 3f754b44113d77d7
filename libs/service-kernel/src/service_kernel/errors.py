"""The error catalogue: every error a service answers, one row each, in the
contract's envelope `{"error", "message", "request_id", ...}`.

A row says everything about one error: its status, code and message (never
the exception's own text, which may hold ids, a cursor or a provider's words),
when it is answered (its OpenAPI description), the headers it carries and the
body fields it adds beyond the envelope. From the rows, and nowhere else:
- the exception handlers (`ErrorCatalogue.install`, and the kernel's own below);
- the middleware's answers (413, 415, 500);
- each route's documented answers (`ErrorCatalogue.responses`, and the kernel's
  on every route: `service_kernel.openapi`).

The kernel's own rows are the constants below; each service declares its own
once, in its `errors.py`: `ANSWERS = ErrorCatalogue({SomeError: ErrorRow(...)})`.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from http import HTTPStatus
from typing import Any

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from pydantic import BaseModel
from starlette.exceptions import HTTPException as StarletteHTTPException

from service_kernel.request_context import current_request_id


class ErrorBody(BaseModel):
    """The contract's error envelope."""

    error: str
    message: str
    request_id: str


class ValidationDetail(BaseModel):
    loc: list[str | int]
    msg: str
    type: str | None = None


class ValidationErrorBody(ErrorBody):
    """A 422: one entry per bad field (the input itself is never echoed)."""

    details: list[ValidationDetail]


def _nothing(_: Any) -> Mapping[str, Any]:
    return {}


# An OpenAPI header object per header name, e.g. RETRY_AFTER.
HeaderDocs = Mapping[str, Mapping[str, Any]]

RETRY_AFTER: HeaderDocs = {
    "Retry-After": {"description": "Seconds to wait before retrying", "schema": {"type": "string"}}
}


@dataclass(frozen=True)
class ErrorRow:
    """One error, answered and documented the same way everywhere."""

    status: int
    code: str
    message: str
    # When it is answered: the OpenAPI description reads "<code>: <description>".
    description: str
    # The headers it carries, documented; their values from the exception.
    headers: HeaderDocs = field(default_factory=dict)
    header_values: Callable[[Any], Mapping[str, str]] = _nothing
    # Body fields beyond the envelope, from the exception, and the body documented.
    fields: Callable[[Any], Mapping[str, Any]] = _nothing
    model: type[BaseModel] = ErrorBody
    # Called with the exception before answering (a warning worth logging, say).
    note: Callable[[Any], None] | None = None

    @property
    def documented(self) -> str:
        return f"{self.code}: {self.description}"

    def body(self, message: str | None = None, **extra: Any) -> dict[str, Any]:
        return error_body(self.code, message or self.message, **extra)

    def response(self, exc: Exception | None = None) -> JSONResponse:
        if exc is not None and self.note is not None:
            self.note(exc)
        return error_response(
            self.status,
            self.code,
            self.message,
            headers=self.header_values(exc),
            **self.fields(exc),
        )


# ---- the kernel's own rows: what it answers on every route ----

INVALID_JSON = ErrorRow(
    400, "invalid_json", "The request body is not valid JSON.", "the body is not valid JSON"
)
UNAUTHORIZED = ErrorRow(
    401,
    "unauthorized",
    "Authentication is required.",
    "no access token reached the service (an ID token is refused)",
)
NOT_FOUND = ErrorRow(404, "not_found", "No such resource.", "the path names no resource")
METHOD_NOT_ALLOWED = ErrorRow(
    405,
    "method_not_allowed",
    "This method is not allowed on this resource.",
    "the path takes other methods (Allow names them)",
)
PAYLOAD_TOO_LARGE = ErrorRow(
    413,
    "payload_too_large",
    "The request body is larger than {limit} bytes.",
    "the body is over 256 KiB",
)
UNSUPPORTED_MEDIA_TYPE = ErrorRow(
    415,
    "unsupported_media_type",
    "Send the body as JSON, with Content-Type: application/json.",
    "a body not sent as application/json",
)
VALIDATION_ERROR = ErrorRow(
    422,
    "validation_error",
    "The request is not valid.",
    "a parameter or the body is not valid; `details` names each field",
    fields=lambda exc: {"details": validation_details(exc.errors())},
    model=ValidationErrorBody,
)
INTERNAL_ERROR = ErrorRow(
    500,
    "internal_error",
    "Something went wrong on our side.",
    "an unexpected failure (never a trace)",
)
# Statuses the framework itself raises (no route, no such method).
_BY_STATUS = {row.status: row for row in (NOT_FOUND, METHOD_NOT_ALLOWED)}


class ApiError(Exception):
    """An error a route answers on purpose, with its own status, code and
    message, rendered in the contract's envelope."""

    def __init__(
        self,
        status: int,
        code: str,
        message: str,
        *,
        headers: Mapping[str, str] | None = None,
        extra: Mapping[str, Any] | None = None,
    ) -> None:
        self.status = status
        self.code = code
        self.message = message
        self.headers = dict(headers or {})
        self.extra = dict(extra or {})
        super().__init__(f"{status} {self.code}: {self.message}")

    @classmethod
    def of(cls, row: ErrorRow, message: str | None = None) -> ApiError:
        """The kernel row's answer, with a message of its own."""
        return cls(row.status, row.code, message or row.message)


class ErrorCatalogue(Mapping[type[Exception], ErrorRow]):
    """A service's rows, by the exception each answers."""

    def __init__(self, rows: Mapping[type[Exception], ErrorRow]) -> None:
        self._rows = dict(rows)

    def __getitem__(self, exception: type[Exception]) -> ErrorRow:
        return self._rows[exception]

    def __iter__(self) -> Iterator[type[Exception]]:
        return iter(self._rows)

    def __len__(self) -> int:
        return len(self._rows)

    def install(self, app: FastAPI) -> None:
        """A handler on `app` for each row's exception."""
        for exception, row in self._rows.items():
            app.add_exception_handler(exception, _handler(row))

    def responses(
        self, *exceptions: type[Exception], also: Mapping[int, str] | None = None
    ) -> dict[int | str, dict[str, Any]]:
        """`responses=` for a route that may let `exceptions` through: each
        status once, with every row's `code: description`, body and headers;
        `also` adds what the route says of a kernel answer (a 422's fields)."""
        said = dict(also or {})
        by_status: dict[int, list[ErrorRow]] = {}
        for exception in exceptions:
            row = self._rows[exception]
            by_status.setdefault(row.status, []).append(row)
        answers: dict[int, str | tuple[str, type[BaseModel]]] = {}
        headers: dict[int, HeaderDocs] = {}
        for status in sorted(set(by_status) | set(said)):
            rows = by_status.get(status, [])
            whens = [tuple(said[status].split(": ", 1))] if status in said else []
            whens += [(row.code, row.description) for row in rows]
            described = _described(whens)
            models = [row.model for row in rows if row.model is not ErrorBody]
            answers[status] = (described, models[0]) if models else described
            documented = {name: doc for row in rows for name, doc in row.headers.items()}
            if documented:
                headers[status] = documented
        return error_responses(answers, headers)


def _described(whens: Sequence[tuple[str, ...]]) -> str:
    """`code: when; or when; other_code: when`, each code once, in order."""
    by_code: dict[str, list[str]] = {}
    for code, *when in whens:
        said = by_code.setdefault(code, [])
        if when and when[0] not in said:
            said.append(when[0])
    return "; ".join(
        f"{code}: {'; or '.join(said)}" if said else code for code, said in by_code.items()
    )


# A route's answers: status → "code: when", or (description, the body's model).
Answers = Mapping[int, str | tuple[str, type[BaseModel]]]


def error_responses(
    answers: Answers, headers: Mapping[int, HeaderDocs] | None = None
) -> dict[int | str, dict[str, Any]]:
    """`responses=` for a route: each status with its codes described, e.g.
    `{401: "invalid_code: the code is not right"}`, in the error envelope (or
    the model given with the description), with any headers it carries."""
    documented: dict[int | str, dict[str, Any]] = {}
    for status, answer in sorted(answers.items()):
        description, model = answer if isinstance(answer, tuple) else (answer, None)
        model = model or (ValidationErrorBody if status == 422 else ErrorBody)
        documented[status] = {"model": model, "description": description}
        if headers and status in headers:
            documented[status]["headers"] = {k: dict(v) for k, v in headers[status].items()}
    return documented


def error_body(code: str, message: str, **extra: Any) -> dict[str, Any]:
    return {"error": code, "message": message, "request_id": current_request_id(), **extra}


def error_response(
    status: int,
    code: str,
    message: str,
    *,
    headers: Mapping[str, str] | None = None,
    **extra: Any,
) -> JSONResponse:
    return JSONResponse(error_body(code, message, **extra), status_code=status, headers=headers)


def validation_details(errors: Sequence[Any]) -> list[dict[str, Any]]:
    """One entry per bad field. The offending input is left out on purpose:
    it may be a password or a code, and it is the client's own data anyway."""
    return [
        {
            "loc": list(error.get("loc", ())),
            "msg": str(error.get("msg", "")),
            "type": error.get("type"),
        }
        for error in errors
    ]


def _handler(row: ErrorRow) -> Callable[[Request, Exception], Awaitable[JSONResponse]]:
    async def handle(_: Request, exc: Exception) -> JSONResponse:
        return row.response(exc)

    return handle


async def _on_api_error(_: Request, exc: Exception) -> JSONResponse:
    assert isinstance(exc, ApiError)
    return error_response(exc.status, exc.code, exc.message, headers=exc.headers, **exc.extra)


async def _on_validation_error(_: Request, exc: Exception) -> JSONResponse:
    assert isinstance(exc, RequestValidationError)
    if any(error.get("type") == "json_invalid" for error in exc.errors()):
        return INVALID_JSON.response()
    return VALIDATION_ERROR.response(exc)


async def _on_http_exception(_: Request, exc: Exception) -> JSONResponse:
    assert isinstance(exc, StarletteHTTPException)
    row = _BY_STATUS.get(exc.status_code)
    if row is not None:
        return error_response(row.status, row.code, row.message, headers=exc.headers)
    phrase = HTTPStatus(exc.status_code).phrase
    code = phrase.lower().replace(" ", "_").replace("-", "_")
    return error_response(exc.status_code, code, phrase, headers=exc.headers)


def install_error_handlers(app: FastAPI) -> None:
    app.add_exception_handler(ApiError, _on_api_error)
    app.add_exception_handler(RequestValidationError, _on_validation_error)
    app.add_exception_handler(StarletteHTTPException, _on_http_exception)
