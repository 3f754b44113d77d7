"""Stack secrets: named by the program, never held by it. No value, no generator, no
secret input reaches Pulumi's state; `make secrets` (infra.operations.secret_parameters)
creates each SecureString before `pulumi up`, and only the functions that name one may read it."""

from __future__ import annotations

from infra.offline.declared import DeclaredStack
from infra.operations.secret_parameters import stack_secrets
from infra.repo import repo_root
from service_manifest import Manifest


def _referenced(manifests: tuple[Manifest, ...]) -> set[str]:
    return {key for m in manifests for f in m.functions for key in f.secrets}


def _parameter_arn(stack: DeclaredStack, key: str) -> str:
    name = f"/serverless-backend/{stack.stack}/secrets/{key}"
    return f"arn:aws:ssm:{stack.config.region}:123456789012:parameter{name}"


def test_one_generated_secret_per_key_the_services_name(
    declared: DeclaredStack, manifests: tuple[Manifest, ...]
) -> None:
    """One per key, each made by `make secrets`, none declared by the program."""
    keys = _referenced(manifests)

    assert keys == {
        "itemsCursorKey",
        "authTicketKey",
        "authDestinationKey",
        "authTestCode",
        "authClientSecret",
    }
    assert {s.key for s in stack_secrets(declared.config, manifests)} == keys
    secure = [
        r
        for r in declared.of_type("aws:ssm/parameter:Parameter")
        if r.inputs["type"] == "SecureString"
    ]
    assert secure == []


def test_no_secret_reaches_pulumis_state(declared: DeclaredStack) -> None:
    """No generator (`random:*` resources keep their result in the state) and no input the
    engine would have to encrypt: a token that can preview the stack could decrypt it."""
    assert not [r for r in declared.resources if r.type.startswith("random:")]
    assert not [r.name for r in declared.resources if r.secret_inputs]


def test_each_secret_is_a_securestring_under_the_stacks_prefix_with_the_aws_managed_key(
    declared: DeclaredStack, manifests: tuple[Manifest, ...]
) -> None:
    """Where the functions look for it: the name `make secrets` gives it."""
    from infra.operations.secret_parameters import parameter_name

    for manifest in manifests:
        for function in manifest.functions:
            variables = declared.function(manifest.name, function.name).inputs["environment"]
            for key in function.secrets:
                assert parameter_name(declared.stack, key) in variables["variables"].values()


def test_only_the_functions_that_name_a_secret_may_read_it_and_nothing_else(
    sample: DeclaredStack, sample_manifests: tuple[Manifest, ...]
) -> None:
    for manifest in sample_manifests:
        for function in manifest.functions:
            role = f"serverless-backend-{sample.stack}-{manifest.name}-{function.name}".replace(
                "_", "-"
            )
            statements = sample.policy_documents()[role]["Statement"]
            reads = [s for s in statements if s["Sid"] == "ReadOwnSecrets"]
            if not function.secrets:
                assert reads == [], role
                continue
            (read,) = reads
            assert read["Action"] == ["ssm:GetParameter"]
            assert read["Resource"] == sorted(_parameter_arn(sample, k) for k in function.secrets)
            assert not [a for s in statements for a in s["Action"] if a.startswith("kms:")]


def test_the_rotation_command_in_the_docs_names_the_real_urn(declared: DeclaredStack) -> None:
    """docs/deploy.md tells how to rotate a secret: a new value in its parameter, by name."""
    docs = (repo_root() / "docs" / "deploy.md").read_text()

    assert "aws ssm put-parameter --overwrite --type SecureString" in docs
    assert "/serverless-backend/<stack>/secrets/itemsCursorKey" in docs
