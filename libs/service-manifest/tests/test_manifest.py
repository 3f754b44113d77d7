"""service.toml is parsed strictly: a mistake names the file and the key."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from service_manifest import ManifestError, find_manifests, load_manifest

SERVICES = Path(__file__).parents[3] / "services"

VALID = """
name = "things"
key_prefixes = ["THING#"]

[functions.api]
handler = "things.handler.handler"
environment = { TABLE_NAME = "${table.name}", MODE = "fast" }

[[functions.api.routes]]
method = "get"
path = "/things/{thing_id}"

[[functions.api.permissions]]
actions = ["dynamodb:GetItem"]
resource = "table"
own_keys_only = true

[functions.pre_sign_up]
handler = "things.triggers.pre_sign_up"
trigger = "PreSignUp"
"""


def write(tmp_path: Path, text: str) -> Path:
    path = tmp_path / "service.toml"
    path.write_text(text)
    return path


def test_a_valid_manifest_is_read(tmp_path: Path) -> None:
    manifest = load_manifest(write(tmp_path, VALID))
    assert manifest.name == "things"
    assert manifest.package == "things"
    assert manifest.key_prefixes == ("THING#",)
    api = manifest.function("api")
    assert api.routes[0].route_key == "GET /things/{thing_id}"
    assert api.routes[0].auth == "jwt"  # protected unless said otherwise
    assert api.permissions[0].own_keys_only
    assert manifest.function("pre_sign_up").trigger == "PreSignUp"


@pytest.mark.parametrize(
    ("change", "message"),
    [
        (('"dynamodb:GetItem"', '"dynamodb:*"'), "must be exact"),
        (('resource = "table"', 'resource = "everything"'), "unknown resource"),
        (('"PreSignUp"', '"PreSignIn"'), "unknown Cognito trigger"),
        (('"${table.name}"', '"${bucket.name}"'), "unknown ${bucket.name}"),
        (('["THING#"]', '["thing"]'), "key prefix"),
        (('method = "get"', 'method = "fetch"'), "unknown method"),
        (('path = "/things/{thing_id}"', 'path = "/t"\nauth = "x"'), "auth must be"),
    ],
)
def test_mistakes_are_named(tmp_path: Path, change: tuple[str, str], message: str) -> None:
    with pytest.raises(ManifestError, match=re.escape(message)):
        load_manifest(write(tmp_path, VALID.replace(*change)))


def test_a_missing_handler_names_the_key(tmp_path: Path) -> None:
    with pytest.raises(ManifestError, match="handler"):
        load_manifest(write(tmp_path, VALID.replace('handler = "things.handler.handler"', "")))


def test_every_service_in_the_repo_has_a_valid_manifest() -> None:
    manifests = find_manifests(SERVICES)
    assert "health" in {manifest.name for manifest in manifests}
