"""`make client-secret`: the app client's one secret is the stack's authClientSecret
parameter's value, given to Cognito (which never answers it back), every other secret
deleted; idempotent; never printed. Fakes stand for Cognito and SSM as the API reference
describes them (AddUserPoolClientSecret: two secrets at most, a supplied value not in
the answer; ListUserPoolClientSecrets: no values); the local runtime runs the same step
on the emulator (libs/local-runtime's tests)."""

from __future__ import annotations

from typing import Any

import pytest

from infra.operations.client_secret import SECRET_ID_TAG, give_client_its_secret, parameter_name

PARAMETER = parameter_name("dev")
VALUE = "V" * 64


class FakeCognito:
    def __init__(self) -> None:
        # A confidential client as Cognito creates it: one generated secret.
        self.secrets: dict[str, str] = {"client-1--100": "generated-at-creation"}
        self.created = 100

    def list_user_pool_client_secrets(self, **_: Any) -> dict[str, Any]:
        return {"ClientSecrets": [{"ClientSecretId": i} for i in sorted(self.secrets)]}

    def add_user_pool_client_secret(self, *, ClientSecret: str, **_: Any) -> dict[str, Any]:
        assert len(self.secrets) < 2, "Cognito holds two secrets at most"
        self.created += 1
        secret_id = f"client-1--{self.created}"
        self.secrets[secret_id] = ClientSecret
        return {"ClientSecretDescriptor": {"ClientSecretId": secret_id}}

    def delete_user_pool_client_secret(self, *, ClientSecretId: str, **_: Any) -> None:
        del self.secrets[ClientSecretId]


class FakeSsm:
    def __init__(self) -> None:
        self.tags: dict[str, str] = {}
        self.value = VALUE

    def get_parameter(self, *, Name: str, WithDecryption: bool) -> dict[str, Any]:
        assert (Name, WithDecryption) == (PARAMETER, True)
        return {"Parameter": {"Value": self.value}}

    def list_tags_for_resource(self, **_: Any) -> dict[str, Any]:
        return {"TagList": [{"Key": k, "Value": v} for k, v in self.tags.items()]}

    def add_tags_to_resource(self, *, Tags: list[dict[str, str]], **_: Any) -> None:
        self.tags.update({tag["Key"]: tag["Value"] for tag in Tags})


def give(cognito: FakeCognito, ssm: FakeSsm, log: list[str]) -> str:
    return give_client_its_secret(
        cognito,
        ssm,
        user_pool_id="pool-1",
        client_id="client-1",
        parameter=PARAMETER,
        log=log.append,
    )


def test_the_parameters_value_becomes_the_clients_only_secret() -> None:
    cognito, ssm, log = FakeCognito(), FakeSsm(), list[str]()
    secret_id = give(cognito, ssm, log)
    assert cognito.secrets == {secret_id: VALUE}  # the generated one is gone
    assert ssm.tags == {SECRET_ID_TAG: secret_id}
    assert VALUE not in " ".join(log)


def test_a_second_run_changes_nothing() -> None:
    cognito, ssm, log = FakeCognito(), FakeSsm(), list[str]()
    first = give(cognito, ssm, log)
    before = dict(cognito.secrets)
    assert give(cognito, ssm, log) == first
    assert cognito.secrets == before


def test_a_replaced_client_gets_the_value_again() -> None:
    cognito, ssm, log = FakeCognito(), FakeSsm(), list[str]()
    give(cognito, ssm, log)
    replaced = FakeCognito()  # pulumi up replaced the client: the tag names a gone secret
    replaced.created = 500
    replaced.secrets = {"client-1--500": "generated-again"}
    secret_id = give(replaced, ssm, log)
    assert replaced.secrets == {secret_id: VALUE}


@pytest.mark.parametrize("others", [1, 2])
def test_room_is_made_when_the_client_holds_two_others(others: int) -> None:
    cognito, ssm, log = FakeCognito(), FakeSsm(), list[str]()
    cognito.secrets = {f"client-1--{n}": f"other-{n}" for n in range(others)}
    secret_id = give(cognito, ssm, log)
    assert cognito.secrets == {secret_id: VALUE}


def test_a_rotation_leaves_the_client_only_the_new_value() -> None:
    """docs/deploy.md's rotation: a new value written to the parameter, its
    tag removed, the step run again."""
    cognito, ssm, log = FakeCognito(), FakeSsm(), list[str]()
    old = give(cognito, ssm, log)
    ssm.value = "W" * 64
    ssm.tags.clear()
    new = give(cognito, ssm, log)
    assert new != old
    assert cognito.secrets == {new: "W" * 64}
    assert ssm.tags == {SECRET_ID_TAG: new}
    assert "W" * 64 not in " ".join(log)
