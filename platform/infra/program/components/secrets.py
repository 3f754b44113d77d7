"""The stack's secrets: SSM SecureString parameters the program names, and never holds.

One parameter per stack secret (infra.operations.secret_parameters.stack_secrets: each
`${secret.<key>}` the services' manifests name, and any other source registered there),
under the stack's secrets prefix (infra.program.names). The program declares no value and
no resource for them: a value in the program would sit in Pulumi's state, which anyone
holding a token that can preview the stack can decrypt (docs/ci-cd.md, State backends).
`make secrets STACK=<stack>` creates the missing ones before `pulumi up`, each with a random
value, encrypted with the AWS managed key `aws/ssm`. Functions get the parameter's name,
never the value, and read it at run time (service_kernel.secret_value); their roles may
read exactly the ARNs below.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

import pulumi

from infra.program.names import StackNames


@dataclass(frozen=True)
class SecretParameter:
    """What a function is given for one secret: the parameter's name, and its ARN for
    the function's role."""

    reference: pulumi.Output[str]
    arn: pulumi.Output[str]


def stack_secret_parameters(
    names: StackNames, region: str, account: pulumi.Input[str], keys: Iterable[str]
) -> dict[str, SecretParameter]:
    """Each key's parameter, by name: `arn:aws:ssm:<region>:<account>:parameter/<name>`
    (the name starts with `/`; SSM's ARNs join them without a second one)."""
    parameters = {}
    for key in sorted(set(keys)):
        name = names.secret_parameter(key)
        parameters[key] = SecretParameter(
            reference=pulumi.Output.from_input(name),
            arn=pulumi.Output.concat(f"arn:aws:ssm:{region}:", account, f":parameter{name}"),
        )
    return parameters
