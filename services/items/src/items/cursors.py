"""Pagination cursors: opaque to clients, signed, bound to one caller, expiring.

A cursor is `<payload>.<mac>`, both base64url without padding. The payload
names the last item_id a page returned and when the cursor expires; the MAC
is HMAC-SHA256 over the caller's sub and the payload, so a cursor that was
altered, has expired, or was minted for another user is refused alike."""

from __future__ import annotations

import base64
import binascii
import hashlib
import hmac
import json
import re
import time
from collections.abc import Callable
from dataclasses import dataclass

from items.models import ITEM_ID_PATTERN

# Bumping the version retires every cursor minted by an older format.
_DOMAIN = b"items-cursor-v1"
_ITEM_ID = re.compile(ITEM_ID_PATTERN)
_B64URL = re.compile(r"[A-Za-z0-9_-]+")
MAX_CURSOR_CHARS = 512


class InvalidCursor(ValueError):
    """The cursor was altered, has expired, or is not this caller's."""


@dataclass(frozen=True)
class CursorCodec:
    key: bytes
    ttl_seconds: int
    clock: Callable[[], float] = time.time

    def encode(self, owner: str, last_item_id: str) -> str:
        expires = int(self.clock()) + self.ttl_seconds
        payload = json.dumps({"after": last_item_id, "exp": expires}, separators=(",", ":"))
        payload_b64 = _b64encode(payload.encode())
        return f"{payload_b64}.{_b64encode(self._mac(owner, payload_b64))}"

    def decode(self, owner: str, cursor: str) -> str:
        """The last item_id of the page before, if `cursor` is `owner`'s and fresh."""
        payload_b64, _, mac_b64 = cursor.partition(".")
        if len(cursor) > MAX_CURSOR_CHARS or not payload_b64 or not mac_b64:
            raise InvalidCursor("malformed")
        try:
            mac = _b64decode(mac_b64)
        except ValueError:
            raise InvalidCursor("malformed") from None
        if not hmac.compare_digest(mac, self._mac(owner, payload_b64)):
            raise InvalidCursor("bad signature")
        try:
            payload = json.loads(_b64decode(payload_b64))
            after, expires = payload["after"], payload["exp"]
        except (ValueError, KeyError, TypeError):
            raise InvalidCursor("malformed") from None
        if not isinstance(after, str) or not _ITEM_ID.match(after) or type(expires) is not int:
            raise InvalidCursor("malformed")
        if expires <= self.clock():
            raise InvalidCursor("expired")
        return after

    def _mac(self, owner: str, payload_b64: str) -> bytes:
        # Length-prefixing the owner keeps (owner, payload) pairs unambiguous.
        owner_bytes = owner.encode()
        message = b"|".join(
            (_DOMAIN, str(len(owner_bytes)).encode(), owner_bytes, payload_b64.encode())
        )
        return hmac.new(self.key, message, hashlib.sha256).digest()


def _b64encode(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode("ascii")


def _b64decode(text: str) -> bytes:
    """Strict base64url: any other spelling of the same bytes is refused, so
    a cursor has exactly one accepted form."""
    if not _B64URL.fullmatch(text):
        raise ValueError("not base64url")
    try:
        data = base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))
    except binascii.Error as exc:
        raise ValueError("not base64url") from exc
    if _b64encode(data) != text:
        raise ValueError("not canonical base64url")
    return data
