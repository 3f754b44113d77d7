"""The shared table."""

from __future__ import annotations

from infra.offline.declared import DeclaredStack


def test_the_table_is_a_single_table_design(declared: DeclaredStack) -> None:
    table = declared.one("aws:dynamodb/table:Table").inputs

    assert table["name"] == f"serverless-backend-{declared.stack}"
    assert table["hashKey"] == "PK"
    assert table["rangeKey"] == "SK"
    assert sorted(table["attributes"], key=lambda a: a["name"]) == [
        {"name": "PK", "type": "S"},
        {"name": "SK", "type": "S"},
    ]
    assert table["billingMode"] == "PAY_PER_REQUEST"
    assert table["ttl"] == {"attributeName": "expires_at", "enabled": True}
    assert table["serverSideEncryption"] == {"enabled": True}


def test_protection_follows_the_config(declared: DeclaredStack) -> None:
    table = declared.one("aws:dynamodb/table:Table").inputs
    settings = declared.config.table

    assert table["pointInTimeRecovery"] == {"enabled": settings.point_in_time_recovery}
    assert table["deletionProtectionEnabled"] is settings.deletion_protection
