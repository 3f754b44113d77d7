"""The app client's secret: a value only the auth API holds, never in Pulumi's state.

The program declares the client confidential (`generate_secret=True`, so Cognito makes
it a client that takes secrets; the secret Cognito generates with it lands in the state)
and names the stack secret `authClientSecret`, an SSM SecureString only the auth API
may read. This step, run after each `pulumi up` with the deploy role, makes that
parameter's value the client's one secret: Cognito's `AddUserPoolClientSecret` takes a
value you supply and never answers it back, and `DeleteUserPoolClientSecret` then ends
every other one, the generated one included:

    make client-secret STACK=prod

Idempotent: the parameter carries the id of the secret it was given as
(tag `clientSecretId`); when that secret is the client's only one, nothing changes.
A new client (replaced by `pulumi up`) gets the value again. It never prints a value.
Until it has run on a new client, the API's calls are refused (503): the deploy job runs
it straight after `pulumi up`, before the smoke test.
"""

from __future__ import annotations

import argparse
import sys
from collections.abc import Callable
from typing import Any

from infra.program.config import PROJECT
from infra.program.names import StackNames
from infra.program.stack_files import stack_config

# The `${secret.<key>}` auth's service.toml names for it.
CLIENT_SECRET_KEY = "authClientSecret"  # noqa: S105 - a secret's name, not a secret
# The tag on the parameter naming the client secret (its id) that holds its value.
SECRET_ID_TAG = "clientSecretId"  # noqa: S105 - a tag's name


def parameter_name(stack: str, project: str = PROJECT) -> str:
    return StackNames(project, stack).secret_parameter(CLIENT_SECRET_KEY)


def give_client_its_secret(
    cognito: Any,
    ssm: Any,
    *,
    user_pool_id: str,
    client_id: str,
    parameter: str,
    log: Callable[[str], None] = print,
) -> str:
    """Make `parameter`'s value the client's only secret; its secret id."""
    ids = {"UserPoolId": user_pool_id, "ClientId": client_id}
    held = {
        s["ClientSecretId"]
        for s in cognito.list_user_pool_client_secrets(**ids).get("ClientSecrets", [])
    }
    recorded = _recorded_id(ssm, parameter)
    if recorded is not None and held == {recorded}:
        log(f"client {client_id}: its one secret is {parameter}'s, kept")
        return recorded
    if recorded is None or recorded not in held:
        if len(held) >= 2:
            # Cognito holds two at most: make room, the older first.
            oldest = sorted(held)[0]
            cognito.delete_user_pool_client_secret(**ids, ClientSecretId=oldest)
            held.discard(oldest)
        value = ssm.get_parameter(Name=parameter, WithDecryption=True)["Parameter"]["Value"]
        added = cognito.add_user_pool_client_secret(**ids, ClientSecret=value)
        recorded = str(added["ClientSecretDescriptor"]["ClientSecretId"])
        ssm.add_tags_to_resource(
            ResourceType="Parameter",
            ResourceId=parameter,
            Tags=[{"Key": SECRET_ID_TAG, "Value": recorded}],
        )
        log(f"client {client_id}: given {parameter}'s value as secret {recorded}")
    for other in sorted(held - {recorded}):
        cognito.delete_user_pool_client_secret(**ids, ClientSecretId=other)
        log(f"client {client_id}: secret {other} deleted")
    return recorded


def _recorded_id(ssm: Any, parameter: str) -> str | None:
    tags = ssm.list_tags_for_resource(ResourceType="Parameter", ResourceId=parameter)
    for tag in tags.get("TagList", []):
        if tag["Key"] == SECRET_ID_TAG:
            return str(tag["Value"])
    return None


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        prog="python -m infra.operations.client_secret", description=__doc__
    )
    parser.add_argument("--stack", required=True, help="the stack, e.g. prod (Pulumi.<stack>.yaml)")
    args = parser.parse_args(argv)
    from botocore.session import get_session

    region = stack_config(args.stack).region
    session = get_session()
    ssm = session.create_client("ssm", region_name=region)
    published = StackNames(PROJECT, args.stack).published_prefix

    def output(key: str) -> str:
        return str(ssm.get_parameter(Name=f"{published}/{key}")["Parameter"]["Value"])

    give_client_its_secret(
        session.create_client("cognito-idp", region_name=region),
        ssm,
        user_pool_id=output("user_pool_id"),
        client_id=output("user_pool_client_id"),
        parameter=parameter_name(args.stack),
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
