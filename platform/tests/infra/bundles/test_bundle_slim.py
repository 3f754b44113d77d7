"""What a bundle leaves out: the SDK models of the services nobody calls, their
documentation, and files Lambda never loads. On a small installed tree of our own;
test_bundle.py checks the real bundles."""

from __future__ import annotations

import gzip
import json
from pathlib import Path

import pytest

from infra.bundles.bundle_slim import ModelError, function_models, service_models, slim
from service_manifest import Function, Manifest, Permission


def function(*actions: str, sdk_clients: tuple[str, ...] = ()) -> Function:
    permission = Permission(actions=actions, resource="table") if actions else None
    return Function(
        name="api",
        handler="svc.handler.handler",
        permissions=(permission,) if permission else (),
        sdk_clients=sdk_clients,
    )


def test_a_function_gets_the_models_of_the_services_its_permissions_name() -> None:
    assert function_models(function("dynamodb:GetItem", "dynamodb:Query")) == {"dynamodb"}


def test_a_new_service_in_the_permissions_brings_its_model() -> None:
    assert function_models(function("dynamodb:GetItem", "sqs:SendMessage")) == {
        "dynamodb",
        "sqs",
    }


def test_a_prefix_shared_by_two_models_brings_both() -> None:
    # ses:SendEmail allows SES v1's client and v2's alike.
    assert function_models(function("ses:SendEmail")) == {"ses", "sesv2"}


def test_reading_a_stack_secret_brings_ssms_model() -> None:
    # The platform grants ssm:GetParameter itself to a function naming a secret.
    reader = Function(
        name="api", handler="svc.handler.handler", environment={"KEY": "${secret.signingKey}"}
    )
    assert function_models(reader) == {"ssm"}


def test_a_call_without_a_permission_brings_its_model_when_declared() -> None:
    assert function_models(function(sdk_clients=("cognito-idp",))) == {"cognito-idp"}
    assert function_models(function()) == frozenset()


def test_a_service_ships_every_model_its_functions_need() -> None:
    manifest = Manifest(
        name="svc",
        path=Path("services/svc/service.toml"),
        description="",
        key_prefixes=(),
        functions=(function("sns:Publish"), function("dynamodb:GetItem", sdk_clients=("sts",))),
    )
    assert service_models(manifest) == ("dynamodb", "sns", "sts")


# ---- slim(), on a tree shaped like an installed bundle ----


def write(path: Path, text: str = "") -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text)
    return path


def model(prefix: str) -> bytes:
    """A service model as botocore ships it: gzipped JSON, documentation throughout."""
    document = {
        "metadata": {"endpointPrefix": prefix, "documentation": "metadata docs"},
        "operations": {"GetThing": {"name": "GetThing", "documentation": "<p>Gets.</p>"}},
        "shapes": {
            "Thing": {
                "type": "structure",
                # A member that happens to be called "documentation" is a shape, not text.
                "members": {"documentation": {"shape": "String"}},
                "documentation": "<p>A thing.</p>",
            },
        },
        "documentation": "service docs",
    }
    return gzip.compress(json.dumps(document).encode(), mtime=0)


@pytest.fixture
def installed(tmp_path: Path) -> Path:
    data = tmp_path / "botocore" / "data"
    for name, prefix in (("dynamodb", "dynamodb"), ("ses", "email"), ("ec2", "ec2")):
        (data / name / "2020-01-01").mkdir(parents=True)
        (data / name / "2020-01-01" / "service-2.json.gz").write_bytes(model(prefix))
        write(data / name / "2020-01-01" / "examples-1.json", "{}")
        write(data / name / "2020-01-01" / "paginators-1.json", "{}")
    write(data / "dynamodb" / "2011-12-05" / "endpoint-rule-set-1.json.gz")
    services: dict[str, dict[str, str]] = {"dynamodb": {}, "email": {}, "ec2": {}}
    endpoints = {"partitions": [{"partition": "aws", "services": services}], "version": 3}
    write(data / "endpoints.json", json.dumps(endpoints))
    for name in ("partitions.json", "_retry.json", "sdk-default-configuration.json"):
        write(data / name, "{}")
    write(data / "unused-table.json", "{}")
    write(tmp_path / "pydantic" / "v1" / "__init__.py")
    write(tmp_path / "pydantic" / "main.py")
    write(tmp_path / "idna" / "core.py")
    write(tmp_path / "idna-3.20.dist-info" / "METADATA", "Name: idna\nVersion: 3.20\n")
    write(tmp_path / "pydantic_core" / "_pydantic_core.pyi")
    utilities = tmp_path / "aws_lambda_powertools" / "utilities"
    for name in ("__init__.py", "jmespath_utils/__init__.py", "parser/__init__.py", "batch.py"):
        write(utilities / name)
    dist_info = tmp_path / "pydantic-2.0.dist-info"
    write(dist_info / "METADATA", "Name: pydantic\nVersion: 2.0\n\n# pydantic\nThe README...\n")
    write(dist_info / "RECORD", "pydantic/main.py,,\n")
    write(dist_info / "INSTALLER", "uv\n")
    write(dist_info / "entry_points.txt", "[x]\n")
    write(dist_info / "licenses" / "LICENSE", "MIT\n")
    return tmp_path


def test_only_the_needed_models_ship_with_what_botocore_reads_for_any_client(
    installed: Path,
) -> None:
    slim(installed, ["dynamodb", "ses"])

    data = installed / "botocore" / "data"
    assert sorted(path.name for path in data.iterdir()) == [
        "_retry.json",
        "dynamodb",
        "endpoints.json",
        "partitions.json",
        "sdk-default-configuration.json",
        "ses",
    ]
    # The newest API version only, without its documentation examples.
    assert [path.name for path in (data / "dynamodb").iterdir()] == ["2020-01-01"]
    assert sorted(path.name for path in (data / "dynamodb" / "2020-01-01").iterdir()) == [
        "paginators-1.json",
        "service-2.json",
    ]


def test_the_endpoints_table_keeps_the_shipped_services_by_their_endpoint_prefix(
    installed: Path,
) -> None:
    slim(installed, ["dynamodb", "ses"])

    table = json.loads((installed / "botocore" / "data" / "endpoints.json").read_text())
    assert set(table["partitions"][0]["services"]) == {"dynamodb", "email"}
    assert table["version"] == 3


def test_a_shipped_model_has_no_documentation_but_every_shape(installed: Path) -> None:
    slim(installed, ["dynamodb"])

    path = installed / "botocore" / "data" / "dynamodb" / "2020-01-01" / "service-2.json"
    document = json.loads(path.read_text())
    assert "documentation" not in document
    assert document["metadata"] == {"endpointPrefix": "dynamodb"}
    assert document["operations"]["GetThing"] == {"name": "GetThing"}
    assert document["shapes"]["Thing"] == {
        "type": "structure",
        "members": {"documentation": {"shape": "String"}},
    }


def test_a_model_botocore_does_not_have_is_an_error_naming_it(installed: Path) -> None:
    with pytest.raises(ModelError, match="no model named nosuchservice"):
        slim(installed, ["dynamodb", "nosuchservice"])


def test_what_lambda_never_loads_goes(installed: Path) -> None:
    slim(installed, ["dynamodb"])

    assert not (installed / "pydantic" / "v1").exists()
    assert (installed / "pydantic" / "main.py").exists()
    assert not (installed / "idna").exists()
    assert not list(installed.glob("idna-*.dist-info"))
    assert not list(installed.rglob("*.pyi"))


def test_of_a_folder_shipped_in_part_only_its_kept_entries_go(installed: Path) -> None:
    slim(installed, ["dynamodb"])

    utilities = installed / "aws_lambda_powertools" / "utilities"
    assert sorted(path.name for path in utilities.iterdir()) == ["__init__.py", "jmespath_utils"]
    assert (utilities / "jmespath_utils" / "__init__.py").exists()


def test_a_folder_shipped_in_part_may_be_absent(tmp_path: Path) -> None:
    write(tmp_path / "botocore" / "__init__.py")

    slim(tmp_path, [])

    assert not (tmp_path / "aws_xray_sdk").exists()


def test_a_distributions_metadata_keeps_its_headers_entry_points_and_licences(
    installed: Path,
) -> None:
    slim(installed, ["dynamodb"])

    dist_info = installed / "pydantic-2.0.dist-info"
    assert sorted(path.name for path in dist_info.iterdir()) == [
        "METADATA",
        "entry_points.txt",
        "licenses",
    ]
    assert (dist_info / "METADATA").read_text() == "Name: pydantic\nVersion: 2.0\n"
