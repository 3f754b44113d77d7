"""What the items API accepts and answers, as pydantic models.

Bodies forbid unknown fields, so a body naming a field the server owns
(`owner`, `version`, `created_at`, `updated_at`, `PK`, `SK`) is a 422 and is
never stored. Numbers arrive as exact `Decimal`s (see exact_json); `price`
accepts only JSON numbers, never strings, and the schema says so."""

from __future__ import annotations

from decimal import Decimal
from typing import Annotated, Any

from pydantic import (
    AfterValidator,
    BaseModel,
    BeforeValidator,
    ConfigDict,
    Field,
    StringConstraints,
    WithJsonSchema,
    field_validator,
    model_validator,
)
from pydantic.json_schema import SkipJsonSchema

MAX_PRICE = Decimal(1_000_000)
CENT = Decimal("0.01")
ITEM_ID_PATTERN = r"^[A-Za-z0-9_-]{1,64}$"


def _only_json_numbers(value: object) -> object:
    # bool is an int; a string would be a second, undocumented way to send money.
    if isinstance(value, bool) or not isinstance(value, Decimal | int):
        raise ValueError("price must be a JSON number")
    return Decimal(value)


def _exact_price(price: Decimal) -> Decimal:
    """A price in range with at most 2 decimals, in one canonical form:
    -0 is 0 and trailing zeros go, so 19.90 and 19.9 store and read alike."""
    if not price.is_finite():
        raise ValueError("price must be a finite number")
    if price < 0 or price > MAX_PRICE:
        raise ValueError(f"price must be between 0 and {MAX_PRICE}")
    cents = price.quantize(CENT)
    if cents != price:
        raise ValueError("price may have at most 2 decimals")
    if cents.is_zero():
        return Decimal(0)
    if cents == cents.to_integral_value():
        return cents.quantize(Decimal(1))
    return cents.normalize()


Price = Annotated[
    Decimal,
    BeforeValidator(_only_json_numbers),
    AfterValidator(_exact_price),
    WithJsonSchema(
        {"type": "number", "minimum": 0, "maximum": 1_000_000, "multipleOf": 0.01},
        mode="validation",
    ),
    WithJsonSchema({"type": "number"}, mode="serialization"),
]
Name = Annotated[
    str,
    StringConstraints(strip_whitespace=True, min_length=1, max_length=200),
    # The schema's lengths apply after trimming: say so where clients read them.
    Field(description="Leading and trailing whitespace is removed; 1 to 200 characters after."),
]
Currency = Annotated[str, StringConstraints(pattern=r"^[A-Z]{3}$")]
Description = Annotated[str, StringConstraints(max_length=2000)]
Tag = Annotated[str, StringConstraints(min_length=1, max_length=50)]
ItemId = Annotated[str, StringConstraints(pattern=ITEM_ID_PATTERN)]


def _unique(tags: list[str]) -> list[str]:
    if len(set(tags)) != len(tags):
        raise ValueError("tags must be unique")
    return tags


Tags = Annotated[
    list[Tag],
    Field(max_length=20, json_schema_extra={"uniqueItems": True}),
    AfterValidator(_unique),
]


class _Body(BaseModel):
    model_config = ConfigDict(extra="forbid")

    @field_validator("*", mode="before")
    @classmethod
    def _not_null(cls, value: Any) -> Any:
        # null is not a way to leave a field out: a partial update lists only
        # what changes, and no field of an item is nullable.
        if value is None:
            raise ValueError("may not be null")
        return value


class ItemFields(_Body):
    """Everything a client sets on an item."""

    name: Name
    price: Price
    currency: Currency = "USD"
    description: Description = ""
    tags: Tags = Field(default_factory=list)


class ItemCreate(ItemFields):
    """The body of POST /items, and of PUT /items/{item_id}, where `item_id`,
    if sent at all, must be the path's."""

    item_id: ItemId | SkipJsonSchema[None] = Field(
        default=None, description="When absent the server makes a sortable unique id."
    )


class ItemPatch(_Body):
    """The body of PATCH /items/{item_id}: only the fields that change."""

    # At least one field: `{}` changes nothing and is refused (422).
    model_config = ConfigDict(json_schema_extra={"minProperties": 1})

    # None only marks "not sent": null itself is refused, so the schema omits it.
    name: Name | SkipJsonSchema[None] = None
    price: Price | SkipJsonSchema[None] = None
    currency: Currency | SkipJsonSchema[None] = None
    description: Description | SkipJsonSchema[None] = None
    tags: Tags | SkipJsonSchema[None] = None

    @model_validator(mode="after")
    def _changes_something(self) -> ItemPatch:
        if not self.model_fields_set:
            raise ValueError("send at least one field to change")
        return self

    def changes(self) -> dict[str, Any]:
        return self.model_dump(exclude_unset=True)


class Item(BaseModel):
    """An item as the API answers it."""

    item_id: str
    name: str
    price: Annotated[Decimal, WithJsonSchema({"type": "number"})]
    currency: str
    description: str
    tags: list[str]
    created_at: str = Field(json_schema_extra={"format": "date-time"})
    updated_at: str = Field(json_schema_extra={"format": "date-time"})
    version: int = Field(ge=1)


class ItemPage(BaseModel):
    """One page of GET /items; follow `next_cursor` until it is null."""

    items: list[Item]
    next_cursor: str | None
