"""The items service's business metrics: the one place its code names them.

service.toml declares the same metrics (`[metrics.<Name>]`, which the stack's
dashboard graphs); tests/test_metrics.py holds the two equal and drives each
one through the code that counts it. Counts only: never an owner or an id."""

from __future__ import annotations

from service_kernel.metrics import count


def item_created() -> None:
    count("ItemsCreated")


def item_updated() -> None:
    count("ItemsUpdated")


def item_deleted() -> None:
    count("ItemsDeleted")


def write_conflict() -> None:
    """A write refused by its condition: an id already taken (409), or an If-Match
    that no longer matches (412)."""
    count("WriteConflicts")
