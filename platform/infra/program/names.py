"""Every physical name a stack's resources carry, in one place.

A name is derived from the project and the stack and nothing else, so it is
known before anything exists: Cognito's trigger ARNs, the deploy role's IAM
scopes (platform/bootstrap), and the smoke test's secret are all spelled
from here.
"""

from __future__ import annotations

from dataclasses import dataclass

# Lambda function and IAM role names are at most 64 characters.
MAX_NAME_LENGTH = 64


@dataclass(frozen=True)
class StackNames:
    project: str
    stack: str

    @property
    def base(self) -> str:
        """`<project>-<stack>`: the table, the user pool, the API, the dashboard."""
        return f"{self.project}-{self.stack}"

    @property
    def table(self) -> str:
        return self.base

    @property
    def alarm_topic(self) -> str:
        """The SNS topic every alarm goes to; each alarm's name starts with it."""
        return f"{self.base}-alarms"

    @property
    def published_prefix(self) -> str:
        """Where the stack's outputs are published as SSM parameters."""
        return f"/{self.project}/{self.stack}"

    @property
    def secrets_prefix(self) -> str:
        """Where the stack's generated secrets are kept (SSM SecureStrings)."""
        return f"{self.published_prefix}/secrets"

    def secret_parameter(self, key: str) -> str:
        """The SSM parameter holding the stack secret `${secret.<key>}`."""
        return f"{self.secrets_prefix}/{key}"

    @property
    def metrics_namespace(self) -> str:
        """The stack's own CloudWatch namespace: its services' business metrics and
        Powertools' ColdStart, kept apart from every other stack's."""
        return f"{self.project}/{self.stack}"

    def function(self, service: str, function: str) -> str:
        """`<project>-<stack>-<service>-<function>`, with `-` for `_`."""
        return function_name(self.project, self.stack, service, function)


def function_name(project: str, stack: str, service: str, function: str) -> str:
    """`<project>-<stack>-<service>-<function>`, with `-` for `_`."""
    name = f"{project}-{stack}-{service}-{function}".replace("_", "-")
    if len(name) > MAX_NAME_LENGTH:
        raise ValueError(
            f"service {service}, function {function}: the name {name!r} is longer than "
            f"{MAX_NAME_LENGTH} characters; shorten the stack, service or function name"
        )
    return name
