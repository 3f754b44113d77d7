"""`make secrets` against the emulator: the stack's SecureString parameters exist before
any worker starts.

The program names each stack secret's parameter and holds no value (infra.secret_parameters);
on AWS `make secrets STACK=<stack>` creates the missing ones before `pulumi up`. Here the
runtime does the same, with the same code, for the parameters the functions' environments
name (each function is given its secret's parameter name, never its value).
"""

from __future__ import annotations

from infra.operations.secret_parameters import SsmApi, StackSecret, create_missing
from infra.program.config import PROJECT
from infra.program.names import StackNames
from local_runtime.model import LocalModel


def secret_keys(local: LocalModel, stack: str) -> set[str]:
    """The keys of the stack's secrets the functions' environments name."""
    prefix = StackNames(PROJECT, stack).secrets_prefix + "/"
    return {
        value.removeprefix(prefix)
        for function in local.functions.values()
        for value in function.environment.values()
        if value.startswith(prefix)
    }


def make_stack_secrets(ssm: SsmApi, stack: str, local: LocalModel) -> list[str]:
    """Create the missing ones, each with a random value; the names created."""
    wanted = [
        StackSecret(key, f"Stack secret {key} (make dev)")
        for key in sorted(secret_keys(local, stack))
    ]
    return create_missing(ssm, stack, wanted, log=lambda _line: None)
