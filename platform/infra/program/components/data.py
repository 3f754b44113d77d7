"""The one DynamoDB table every service shares, each under its own key prefix."""

from __future__ import annotations

from dataclasses import dataclass

import pulumi
import pulumi_aws as aws

from infra.program.config import TableConfig

# The attribute DynamoDB's TTL reads (epoch seconds); services set it on expiring items.
TTL_ATTRIBUTE = "expires_at"


@dataclass(frozen=True)
class DataArgs:
    table_name: str
    settings: TableConfig
    # Production: `protect`ed and `retain_on_delete` whatever deletionProtection says, so
    # a change that would replace or delete the table leaves the old one, and its data, in
    # AWS (the policy pack also refuses a production table that is not protected).
    keep: bool = False


class Data(pulumi.ComponentResource):
    """A single-table design: string PK/SK, on-demand, encrypted, TTL on `expires_at`."""

    table: aws.dynamodb.Table

    def __init__(
        self, name: str, args: DataArgs, opts: pulumi.ResourceOptions | None = None
    ) -> None:
        super().__init__("serverless-backend:platform:Data", name, None, opts)
        self.table = aws.dynamodb.Table(
            f"{name}-table",
            name=args.table_name,
            billing_mode="PAY_PER_REQUEST",
            hash_key="PK",
            range_key="SK",
            attributes=[
                aws.dynamodb.TableAttributeArgs(name="PK", type="S"),
                aws.dynamodb.TableAttributeArgs(name="SK", type="S"),
            ],
            ttl=aws.dynamodb.TableTtlArgs(attribute_name=TTL_ATTRIBUTE, enabled=True),
            server_side_encryption=aws.dynamodb.TableServerSideEncryptionArgs(enabled=True),
            point_in_time_recovery=aws.dynamodb.TablePointInTimeRecoveryArgs(
                enabled=args.settings.point_in_time_recovery
            ),
            deletion_protection_enabled=args.settings.deletion_protection,
            opts=pulumi.ResourceOptions(
                parent=self,
                protect=args.settings.deletion_protection or args.keep,
                retain_on_delete=args.keep,
            ),
        )
        self.register_outputs({"table_name": self.table.name, "table_arn": self.table.arn})
