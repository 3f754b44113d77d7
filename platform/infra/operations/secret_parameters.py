"""The stack's secrets: SSM SecureString parameters the program names and never holds.

The program declares no secret value (nothing sensitive reaches Pulumi's state, which a
preview token can decrypt): it names each parameter, `/<project>/<stack>/secrets/<key>`,
and gives the functions that read it its name. This module is the one list of those
parameters (`stack_secrets`), and `make secrets STACK=<stack>` (the deploy job runs it
with the deploy role before `pulumi up`) creates the missing ones with a random value:

    uv run --no-sync python -m infra.operations.secret_parameters --stack prod

It never overwrites a parameter (`Overwrite=False`: SSM refuses with
ParameterAlreadyExists, which leaves the value as it is), never prints a value, and
passes none through Pulumi. Running it twice changes nothing the second time.

To add a secret that no `service.toml` names (e.g. one the identity component hands to
Cognito), add a function to `SOURCES` that yields its `StackSecret`.
"""

from __future__ import annotations

import argparse
import secrets
import string
import sys
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from typing import Any, Protocol

from infra.program.config import PROJECT, StackConfig
from infra.program.names import StackNames
from infra.program.stack_files import stack_config
from infra.repo import repo_root
from service_manifest import Manifest, find_manifests

# 64 letters and digits: 380 bits, and no character that needs quoting anywhere.
SECRET_LENGTH = 64
_ALPHABET = string.ascii_letters + string.digits


@dataclass(frozen=True)
class StackSecret:
    key: str
    # Who reads it: the parameter's description in SSM.
    description: str


def parameter_name(stack: str, key: str, project: str = PROJECT) -> str:
    return StackNames(project, stack).secret_parameter(key)


def named_by_services(_config: StackConfig, manifests: Iterable[Manifest]) -> Iterable[StackSecret]:
    """One secret per `${secret.<key>}` a service's function names."""
    readers: dict[str, set[str]] = {}
    for manifest in manifests:
        for function in manifest.functions:
            for key in function.secrets:
                readers.setdefault(key, set()).add(f"{manifest.name}.{function.name}")
    for key, names in readers.items():
        yield StackSecret(key, f"Stack secret {key}, read by {', '.join(sorted(names))}")


SecretSource = Callable[[StackConfig, tuple[Manifest, ...]], Iterable[StackSecret]]

# Every place a stack secret comes from. Extend here; nothing else needs to change.
SOURCES: list[SecretSource] = [named_by_services]


class SecretKeyConflict(ValueError):
    """Two sources name the same key with different descriptions."""


def stack_secrets(config: StackConfig, manifests: tuple[Manifest, ...]) -> list[StackSecret]:
    """Every secret of the stack, by key, each once."""
    found: dict[str, StackSecret] = {}
    for source in SOURCES:
        for secret in source(config, manifests):
            known = found.setdefault(secret.key, secret)
            if known != secret:
                raise SecretKeyConflict(
                    f"stack secret {secret.key} is named twice: {known}, {secret}"
                )
    return [found[key] for key in sorted(found)]


class SsmApi(Protocol):
    def put_parameter(self, **kwargs: Any) -> Any: ...


def random_value() -> str:
    return "".join(secrets.choice(_ALPHABET) for _ in range(SECRET_LENGTH))


def create_missing(
    ssm: SsmApi,
    stack: str,
    wanted: Iterable[StackSecret],
    *,
    log: Callable[[str], None] = print,
    value: Callable[[], str] = random_value,
) -> list[str]:
    """Create each parameter that does not exist yet; the names created."""
    from botocore.exceptions import ClientError

    created = []
    for secret in wanted:
        name = parameter_name(stack, secret.key)
        try:
            # No KeyId: the AWS managed key aws/ssm, which needs no KMS grant; its key
            # policy lets the account's principals decrypt through SSM.
            ssm.put_parameter(
                Name=name,
                Type="SecureString",
                Value=value(),
                Description=secret.description,
                Overwrite=False,
                Tier="Standard",
            )
        except ClientError as exc:
            if exc.response.get("Error", {}).get("Code") != "ParameterAlreadyExists":
                raise
            log(f"{name}: exists, kept")
            continue
        created.append(name)
        log(f"{name}: created (SecureString, a random value)")
    return created


def _ssm_client(region: str) -> SsmApi:
    from botocore.config import Config
    from botocore.session import get_session

    config = Config(retries={"mode": "standard", "max_attempts": 5})
    client: SsmApi = get_session().create_client("ssm", region_name=region, config=config)
    return client


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        prog="python -m infra.operations.secret_parameters", description=__doc__
    )
    parser.add_argument("--stack", required=True, help="the stack, e.g. prod (Pulumi.<stack>.yaml)")
    args = parser.parse_args(argv)
    config = stack_config(args.stack)
    wanted = stack_secrets(config, find_manifests(repo_root() / "services"))
    create_missing(_ssm_client(config.region), args.stack, wanted)
    return 0


if __name__ == "__main__":
    sys.exit(main())
