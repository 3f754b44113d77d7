"""The If-Match header, as a version a write is conditional on.

Accepted: `"3"` (the ETag as sent), `3` and `W/"3"`. The header's documented
pattern is this one, so anything else (a list, `*`, a non-number) is refused
with the other parameters' errors, 422 `validation_error`, before any write is
tried; 412 is kept for a version the item is not at."""

from __future__ import annotations

import re

# ASCII digits only: `[0-9]`, never `\d`, which takes other scripts' digits.
IF_MATCH_PATTERN = r'^\s*(?:W/)?"[0-9]{1,18}"\s*$|^\s*[0-9]{1,18}\s*$'
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
