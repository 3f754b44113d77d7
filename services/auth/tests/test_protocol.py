"""What the API and the triggers agree on: tickets, keyed hashes, test destinations."""

from __future__ import annotations

import pytest

from auth import protocol


def test_a_ticket_is_bound_to_its_destination_channel_and_expiry() -> None:
    ticket = protocol.ticket("k", "+15555550100", "sms", 1000)
    assert protocol.ticket_is_valid("k", ticket, "+15555550100", "sms", 999)
    assert not protocol.ticket_is_valid("k", ticket, "+15555550100", "sms", 1000)
    assert not protocol.ticket_is_valid("k", ticket, "+15555550101", "sms", 999)
    assert not protocol.ticket_is_valid("k", ticket, "+15555550100", "email", 999)
    assert not protocol.ticket_is_valid("other", ticket, "+15555550100", "sms", 999)


@pytest.mark.parametrize("forged", ["", "x", "9999999999", "9999999999.", "abc.def", ".." * 40])
def test_a_malformed_ticket_is_refused(forged: str) -> None:
    assert not protocol.ticket_is_valid("k", forged, "+15555550100", "sms", 0)


def test_an_address_is_one_destination_whatever_its_case() -> None:
    assert protocol.destination_hash("k", "Ada@Example.com") == protocol.destination_hash(
        "k", "ada@example.com"
    )


@pytest.mark.parametrize(
    ("address", "expected"),
    [
        ("+15555550100", True),
        ("qa@example.test", True),
        ("QA@EXAMPLE.TEST", True),
        ("qa@notexample.test", False),
        ("qa@example.test.evil.com", False),
        ("+15555550199", False),
    ],
)
def test_test_destinations_are_exact_numbers_or_whole_domains(address: str, expected: bool) -> None:
    assert protocol.is_test_destination(address, ["+15555550100", "@example.test"]) is expected


def test_the_test_code_is_fixed_by_the_key_and_the_destination() -> None:
    # tools/local-runtime/tests/test_smoke.py pins the same value for the smoke suite.
    assert protocol.code_for_test_destination("k", "+15555550100") == "757037"
    # The smoke test's IAM sign-in makes the same ticket (tools/local-runtime's test_smoke.py).
    assert protocol.ticket("k", "+15555550100", "sms", 1_800_000_030) == (
        "1800000030.854ed5ea8c295d0433dbde05ba346b6f55ee19715869da84705cc2c6271803af"
    )
    assert protocol.code_for_test_destination("k2", "+15555550100") != "757037"
