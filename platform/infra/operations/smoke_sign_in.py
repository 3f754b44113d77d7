"""How the smoke test signs in to a stack: the one place that reads the stack's test
destinations and where their code is kept.

Test destinations are fictional phone numbers and e-mail addresses in the stack's config
(`auth.testDestinations`) that the auth service never sends a message to. A stack that
is not production returns their code as `dev_otp`; a
production stack gives them one fixed code, a stack secret kept in its SecureString
parameter (`TEST_CODE_SECRET`), which the smoke test reads with the deploy role's
credentials. The auth service owns these names: when they change, this module is the one
to follow them.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from infra.program.config import PROJECT
from infra.program.names import StackNames
from infra.program.stack_files import stack_config

# The `${secret.<key>}` holding a production stack's fixed test code.
TEST_CODE_SECRET = "authTestCode"  # noqa: S105 - a secret's name, not a secret
# The app client's secret, which the IAM sign-in signs with (infra.operations.client_secret).
CLIENT_SECRET = "authClientSecret"  # noqa: S105 - a secret's name, not a secret


@dataclass(frozen=True)
class SmokeSignIn:
    region: str
    destinations: tuple[str, ...]
    # The SSM SecureString parameter holding the code, where the stack does not echo it.
    code_parameter: str | None
    # Where the stack does not echo codes (production), its API treats the test
    # destinations as ordinary numbers: the smoke test signs them in through IAM
    # calls only the deploy role may make, with the pool and client the stack
    # publishes under this prefix and the app client's secret in this parameter.
    published_prefix: str | None = None
    client_secret_parameter: str | None = None


def smoke_sign_in(stack: str, *, config_file: Path | None = None) -> SmokeSignIn:
    config = stack_config(stack, config_file=config_file)
    names = StackNames(PROJECT, stack)
    if not config.production:
        return SmokeSignIn(config.region, config.auth.test_destinations, None)
    return SmokeSignIn(
        region=config.region,
        destinations=config.auth.test_destinations,
        code_parameter=names.secret_parameter(TEST_CODE_SECRET),
        published_prefix=names.published_prefix,
        client_secret_parameter=names.secret_parameter(CLIENT_SECRET),
    )
