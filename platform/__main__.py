"""The Pulumi program (Pulumi.yaml `main: platform/`): `pulumi up --stack <name>`."""

from infra.program.main import run

run()
