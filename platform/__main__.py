"""The Pulumi program (Pulumi.yaml `main: platform/`): `pulumi up --stack <name>`."""

from infra.program import run

run()
