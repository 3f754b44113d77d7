from __future__ import annotations

import pytest

from items.preconditions import MalformedIfMatch, etag, parse_if_match


@pytest.mark.parametrize(
    ("header", "version"), [('"3"', 3), ("3", 3), ('W/"3"', 3), (' "12" ', 12)]
)
def test_accepted_if_match_forms(header: str, version: int) -> None:
    assert parse_if_match(header) == version


def test_no_if_match_means_unconditional() -> None:
    assert parse_if_match(None) is None


@pytest.mark.parametrize(
    "header", ["", "*", '"3", "4"', '"three"', '"-3"', '"3', "W/3", '"٣"', "1" * 19, '"3.0"']
)
def test_anything_else_is_malformed(header: str) -> None:
    with pytest.raises(MalformedIfMatch):
        parse_if_match(header)


def test_the_etag_is_the_quoted_version() -> None:
    assert etag(3) == '"3"'
    assert parse_if_match(etag(3)) == 3
