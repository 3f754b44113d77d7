"""One budget key per mailbox (issue 18, finding 8)."""

from __future__ import annotations

import pytest

from auth.mailbox import mailbox_key


@pytest.mark.parametrize(
    ("address", "key"),
    [
        ("Ada@Example.COM", "ada@example.com"),
        (" ada@example.com ", "ada@example.com"),
        ("ada+newsletter@example.com", "ada@example.com"),
        ("ada+a+b@example.com", "ada@example.com"),
        ("a.d.a@example.com", "a.d.a@example.com"),  # dots matter outside Gmail
        ("A.d.A+x@gmail.com", "ada@gmail.com"),
        ("a.d.a@googlemail.com", "ada@gmail.com"),
        ("ada@bücher.example", "ada@xn--bcher-kva.example"),
        ("ada@XN--BCHER-KVA.example", "ada@xn--bcher-kva.example"),
        ("ada@example.com.", "ada@example.com"),
        ("Ada@B\u00dcCHER.example", "ada@xn--bcher-kva.example"),
        ("+tag@example.com", "+tag@example.com"),  # nothing left without the tag: as typed
    ],
)
def test_every_spelling_of_a_mailbox_has_its_key(address: str, key: str) -> None:
    assert mailbox_key(address) == key


@pytest.mark.parametrize("value", ["+15555550100", "ip:203.0.113.10", "@example.test", "ada@"])
def test_what_is_not_an_address_is_left_as_it_is(value: str) -> None:
    assert mailbox_key(value) == value
