"""The one-time CI/CD setup of an AWS account, a Pulumi project of its own (docs/ci-cd.md)."""
