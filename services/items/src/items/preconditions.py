"""The If-Match header, as a version a write is conditional on.

Accepted: `"3"` (the ETag as sent), `3` and `W/"3"`. Anything else (a list,
`*`, a non-number) can match no version, so it fails the precondition: 412
`precondition_failed`, and nothing is written."""

from __future__ import annotations

import re

_IF_MATCH = re.compile(r'^(?:W/)?"([0-9]{1,18})"$|^([0-9]{1,18})$')


class MalformedIfMatch(ValueError):
    pass


def parse_if_match(value: str | None) -> int | None:
    """The expected version, or None when there is no If-Match."""
    if value is None:
        return None
    match = _IF_MATCH.match(value.strip())
    if match is None:
        raise MalformedIfMatch(value)
    return int(match.group(1) or match.group(2))


def etag(version: int) -> str:
    return f'"{version}"'
