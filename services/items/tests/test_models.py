from __future__ import annotations

from decimal import Decimal
from typing import Any

import pytest
from pydantic import ValidationError

from items.models import Item, ItemCreate, ItemPage, ItemPatch


def create(**fields: Any) -> ItemCreate:
    return ItemCreate.model_validate({"name": "n", "price": Decimal(1), **fields})


@pytest.mark.parametrize(
    ("price", "canonical"),
    [
        (Decimal("19.99"), "19.99"),
        (Decimal("19.90"), "19.9"),
        (Decimal("-0"), "0"),
        (Decimal("-0.00"), "0"),
        (Decimal("1E+2"), "100"),
        (Decimal("1000000.00"), "1000000"),
        (Decimal("0.01"), "0.01"),
        (5, "5"),
    ],
)
def test_a_price_is_kept_exactly_in_one_canonical_form(price: Any, canonical: str) -> None:
    assert str(create(price=price).price) == canonical


@pytest.mark.parametrize(
    "price",
    [
        Decimal("NaN"),
        Decimal("sNaN"),
        Decimal("Infinity"),
        Decimal("-Infinity"),
        Decimal("-0.01"),
        Decimal("1000000.01"),
        Decimal("0.001"),
        Decimal("1E+1000000"),
        19.99,  # a float never stands for money
        "19.99",
        True,
        None,
    ],
)
def test_a_price_that_is_not_an_exact_amount_in_range_is_refused(price: Any) -> None:
    with pytest.raises(ValidationError) as error:
        create(price=price)
    assert error.value.errors()[0]["loc"] == ("price",)


def test_name_is_trimmed_and_defaults_apply() -> None:
    body = create(name="  Lamp ")
    assert (body.name, body.currency, body.description, body.tags, body.item_id) == (
        "Lamp",
        "USD",
        "",
        [],
        None,
    )


@pytest.mark.parametrize("field", ["owner", "version", "created_at", "updated_at", "PK", "SK"])
def test_server_owned_fields_are_refused(field: str) -> None:
    with pytest.raises(ValidationError, match="Extra inputs are not permitted"):
        create(**{field: "x"})


def test_a_patch_holds_only_what_was_sent() -> None:
    assert ItemPatch.model_validate({"price": Decimal("2.50")}).changes() == {
        "price": Decimal("2.5")
    }


@pytest.mark.parametrize("body", [{}, {"name": None}, {"tags": None}, {"item_id": "x"}])
def test_a_patch_must_change_something_and_never_to_null(body: dict[str, Any]) -> None:
    with pytest.raises(ValidationError):
        ItemPatch.model_validate(body)


def test_the_schema_says_price_is_a_json_number_and_unknown_fields_are_refused() -> None:
    schema = ItemCreate.model_json_schema()
    assert schema["additionalProperties"] is False
    assert {k: v for k, v in schema["properties"]["price"].items() if k != "title"} == {
        "type": "number",
        "minimum": 0,
        "maximum": 1_000_000,
        "multipleOf": 0.01,
    }
    assert schema["required"] == ["name", "price"]
    response_schema = ItemPage.model_json_schema(mode="serialization")
    assert response_schema["$defs"]["Item"]["properties"]["price"]["type"] == "number"


def test_an_item_dumps_its_price_as_a_decimal() -> None:
    item = Item(
        item_id="i",
        name="n",
        price=Decimal("19.99"),
        currency="USD",
        description="",
        tags=[],
        created_at="2026-01-01T00:00:00.000Z",
        updated_at="2026-01-01T00:00:00.000Z",
        version=1,
    )
    assert item.model_dump()["price"] == Decimal("19.99")
