"""The stack's outputs as SSM parameters, for consumers without Pulumi access."""

from __future__ import annotations

from collections.abc import Mapping

import pulumi
import pulumi_aws as aws


class PublishedOutputs(pulumi.ComponentResource):
    """`/<project>/<stack>/<output>` String parameters, one per public output."""

    def __init__(
        self,
        name: str,
        prefix: str,
        values: Mapping[str, pulumi.Input[str]],
        opts: pulumi.ResourceOptions | None = None,
    ) -> None:
        super().__init__("serverless-backend:platform:PublishedOutputs", name, None, opts)
        parameters = {
            key: aws.ssm.Parameter(
                f"{name}-{key.replace('_', '-')}",
                name=f"{prefix}/{key}",
                type="String",
                # Not secret: `value` would hide an API URL in every diff.
                insecure_value=value,
                description=f"Stack output {key}",
                opts=pulumi.ResourceOptions(parent=self),
            )
            for key, value in sorted(values.items())
        }
        self.register_outputs({key: parameter.name for key, parameter in parameters.items()})
