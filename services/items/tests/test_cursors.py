from __future__ import annotations

import pytest

from items.cursors import CursorCodec, InvalidCursor

KEY = b"k" * 32


class Clock:
    def __init__(self) -> None:
        self.now = 1_000_000.0

    def __call__(self) -> float:
        return self.now


@pytest.fixture
def clock() -> Clock:
    return Clock()


@pytest.fixture
def codec(clock: Clock) -> CursorCodec:
    return CursorCodec(key=KEY, ttl_seconds=60, clock=clock)


def test_a_cursor_round_trips_for_its_owner(codec: CursorCodec) -> None:
    assert codec.decode("alice", codec.encode("alice", "item-7")) == "item-7"


def test_a_cursor_is_one_url_safe_token(codec: CursorCodec) -> None:
    cursor = codec.encode("alice", "item-7")
    assert set(cursor) <= set("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_.")


def test_another_owners_cursor_is_refused(codec: CursorCodec) -> None:
    with pytest.raises(InvalidCursor):
        codec.decode("bob", codec.encode("alice", "item-7"))


def test_owner_and_payload_cannot_be_shifted_into_each_other(codec: CursorCodec) -> None:
    cursor = codec.encode("alice", "item-7")
    with pytest.raises(InvalidCursor):
        codec.decode("alic", cursor)


def test_a_cursor_signed_with_another_key_is_refused(codec: CursorCodec, clock: Clock) -> None:
    other = CursorCodec(key=b"o" * 32, ttl_seconds=60, clock=clock)
    with pytest.raises(InvalidCursor):
        codec.decode("alice", other.encode("alice", "item-7"))


def test_a_cursor_expires_after_its_ttl(codec: CursorCodec, clock: Clock) -> None:
    cursor = codec.encode("alice", "item-7")
    clock.now += 59
    assert codec.decode("alice", cursor) == "item-7"
    clock.now += 1
    with pytest.raises(InvalidCursor, match="expired"):
        codec.decode("alice", cursor)


def test_every_single_character_change_is_refused(codec: CursorCodec) -> None:
    cursor = codec.encode("alice", "item-7")
    for index, char in enumerate(cursor):
        for replacement in {"A", "B", "-", "_", "=", "."} - {char}:
            tampered = cursor[:index] + replacement + cursor[index + 1 :]
            with pytest.raises(InvalidCursor):
                codec.decode("alice", tampered)


@pytest.mark.parametrize("cursor", ["", ".", "abc", "abc.", ".abc", "a.b.c", "é.é", "x" * 600])
def test_malformed_cursors_are_refused(codec: CursorCodec, cursor: str) -> None:
    with pytest.raises(InvalidCursor):
        codec.decode("alice", cursor)
