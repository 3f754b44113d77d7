from __future__ import annotations

from decimal import Decimal

import pytest

from items import exact_json


def test_numbers_are_read_as_exact_decimals() -> None:
    assert exact_json.loads(b'{"a": 19.99, "b": 3, "c": 1e2}') == {
        "a": Decimal("19.99"),
        "b": Decimal(3),
        "c": Decimal("1E+2"),
    }


def test_digits_beyond_a_float_are_kept() -> None:
    # As a float this would be 0.30000000000000004 or even 20.0; never here.
    assert exact_json.loads("0.30000000000000004") == Decimal("0.30000000000000004")
    assert exact_json.loads("19.999999999999999999") == Decimal("19.999999999999999999")


def test_a_number_beyond_any_decimal_is_read_as_not_finite() -> None:
    # Valid JSON that no Decimal can hold: the models then refuse it (422).
    assert not exact_json.loads("1e99999999999999999999").is_finite()
    assert not exact_json.loads("-1e-99999999999999999999").is_finite()


def test_deep_nesting_is_refused_not_crashed_on() -> None:
    with pytest.raises(exact_json.InvalidJson):
        exact_json.loads("[" * 100_000 + "]" * 100_000)


@pytest.mark.parametrize("text", ["NaN", "Infinity", "-Infinity", "{", "", "\xff", "[1,]"])
def test_what_is_not_strict_json_is_refused(text: str) -> None:
    with pytest.raises(exact_json.InvalidJson):
        exact_json.loads(text.encode("latin-1"))


def test_a_decimal_is_written_as_its_own_digits() -> None:
    value = {"price": Decimal("19.99"), "n": [Decimal("1E+2"), Decimal("0.1")], "s": "x"}
    assert exact_json.dumps(value) == '{"price":19.99,"n":[100,0.1],"s":"x"}'


def test_other_values_are_written_as_json() -> None:
    assert exact_json.dumps({"a": None, "b": True, "c": 3, "d": "é"}) == (
        '{"a":null,"b":true,"c":3,"d":"\\u00e9"}'
    )


@pytest.mark.parametrize("value", [Decimal("NaN"), Decimal("Infinity"), float("nan")])
def test_non_finite_numbers_are_never_written(value: object) -> None:
    with pytest.raises(ValueError, match=r"."):
        exact_json.dumps({"price": value})
