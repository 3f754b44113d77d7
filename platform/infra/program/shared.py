"""What every service of a stack shares, by the names service.toml uses.

The program builds one `SharedStack` from the shared components (table, user
pool and client, HTTP API); each service's component reads everything it
needs from it. Adding a shared resource touches the program (declare it, add
it here), the manifest's vocabulary (`service_manifest.model.REFERENCES` and
`RESOURCES`) and the local emulator (create it there), and nothing else.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass

import pulumi

from infra.program.components.secrets import SecretParameter
from infra.program.config import StackConfig
from infra.program.names import StackNames
from service_manifest import Function
from service_manifest.model import REFERENCES, RESOURCES


@dataclass(frozen=True)
class ApiAttachment:
    """Where a service hangs its routes: the one HTTP API and its JWT authorizer."""

    api_id: pulumi.Input[str]
    execution_arn: pulumi.Input[str]
    authorizer_id: pulumi.Input[str]


@dataclass(frozen=True)
class SharedStack:
    names: StackNames
    config: StackConfig
    # Every `${reference}` a manifest may name (but `service.version`, each
    # service's own), e.g. "table.name" → the table's name.
    references: Mapping[str, pulumi.Input[str]]
    # Every permission `resource` a manifest may name → the ARNs it grants on.
    resources: Mapping[str, pulumi.Input[Sequence[pulumi.Input[str]]]]
    # Stack secrets by key (`${secret.<key>}`): each one's SSM parameter.
    secrets: Mapping[str, SecretParameter]
    api: ApiAttachment

    def __post_init__(self) -> None:
        # Every name a manifest may use must resolve on every stack.
        references = set(self.references) | {"service.version"}
        for kind, given, expected in (
            ("references", references, REFERENCES),
            ("permission resources", set(self.resources), RESOURCES),
        ):
            if given != expected:
                missing, extra = sorted(expected - given), sorted(given - expected)
                raise ValueError(
                    f"the shared stack's {kind} differ from service.toml's vocabulary: "
                    f"missing {missing}, not in the vocabulary {extra}"
                )

    def reference(self, name: str) -> pulumi.Input[str]:
        """The value of `${name}`; KeyError when the stack provides none."""
        root, _, rest = name.partition(".")
        if root == "config" and rest:
            return config_string(self.config.value_at(rest))
        if root == "secret" and rest in self.secrets:
            return self.secrets[rest].reference
        return self.references[name]

    def secret_arns(self, function: Function) -> pulumi.Output[list[str]]:
        """The ARNs of the secret parameters `function`'s environment names."""
        return pulumi.Output.all(*[self.secrets[key].arn for key in function.secrets]).apply(
            lambda arns: [str(arn) for arn in arns]
        )

    def resource_arns(self) -> pulumi.Output[dict[str, list[str]]]:
        """Each permission resource's ARNs, once they are known."""
        names = sorted(self.resources)
        arn_lists = [pulumi.Output.from_input(self.resources[name]) for name in names]
        return pulumi.Output.all(*arn_lists).apply(
            lambda resolved: {
                name: [str(arn) for arn in arns] for name, arns in zip(names, resolved, strict=True)
            }
        )


def config_string(value: object) -> str:
    """A config value as an environment string: bools lower-case, numbers in
    decimal, lists of strings comma-separated."""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, int | float | str):
        return str(value)
    if isinstance(value, list | tuple) and all(isinstance(item, str) for item in value):
        if any("," in item for item in value):
            raise KeyError("a list item holds a comma")
        return ",".join(value)
    raise KeyError("not a single value")
