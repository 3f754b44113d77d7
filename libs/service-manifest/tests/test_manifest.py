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

[functions.sweep]
handler = "things.sweep.handler"
schedule = "rate(5 minutes)"
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
    assert manifest.function("sweep").schedule == "rate(5 minutes)"
    assert api.schedule is None


@pytest.mark.parametrize(
    ("change", "message"),
    [
        (('"dynamodb:GetItem"', '"dynamodb:*"'), "must be exact"),
        (
            ('resource = "table"', 'resource = "everything"'),
            "functions.api.permissions.0.resource: Input should be 'table'",
        ),
        (('"PreSignUp"', '"PreSignIn"'), "unknown Cognito trigger"),
        (('"${table.name}"', '"${bucket.name}"'), "unknown ${bucket.name}"),
        (('["THING#"]', '["thing"]'), "key_prefixes.0: String should match pattern"),
        (('method = "get"', 'method = "fetch"'), "unknown method"),
        (
            ('path = "/things/{thing_id}"', 'path = "/t"\nauth = "x"'),
            "functions.api.routes.0.auth: Input should be 'public' or 'jwt'",
        ),
        (('"rate(5 minutes)"', '"rate(1 minutes)"'), "schedule"),
        (('"rate(5 minutes)"', '"rate(5 fortnights)"'), "schedule"),
        (('"rate(5 minutes)"', '"cron(0 * * * ? *)"'), "schedule"),
        (
            ('trigger = "PreSignUp"', 'trigger = "PreSignUp"\nschedule = "rate(1 hour)"'),
            "one of them",
        ),
    ],
)
def test_mistakes_are_named(tmp_path: Path, change: tuple[str, str], message: str) -> None:
    with pytest.raises(ManifestError, match=re.escape(message)):
        load_manifest(write(tmp_path, VALID.replace(*change)))


def test_a_function_names_the_stack_secrets_its_environment_references(tmp_path: Path) -> None:
    text = VALID.replace('MODE = "fast"', 'KEY = "${secret.thingKey}", OTHER = "${secret.aKey}"')

    manifest = load_manifest(write(tmp_path, text))

    assert manifest.function("api").secrets == ("aKey", "thingKey")
    assert manifest.function("pre_sign_up").secrets == ()


@pytest.mark.parametrize(
    ("value", "message"),
    [
        # The reference becomes the secret's SSM parameter name: nothing around it.
        ("key-${secret.thingKey}", "must be the whole value"),
        ("${secret.thing_key}", "letters and digits"),
        ("${secret.}", "letters and digits"),
    ],
)
def test_a_secret_reference_is_a_whole_value_with_a_plain_key(
    tmp_path: Path, value: str, message: str
) -> None:
    with pytest.raises(ManifestError, match=re.escape(message)):
        load_manifest(write(tmp_path, VALID.replace('MODE = "fast"', f'KEY = "{value}"')))


def test_a_missing_handler_names_the_key(tmp_path: Path) -> None:
    with pytest.raises(ManifestError, match="handler"):
        load_manifest(write(tmp_path, VALID.replace('handler = "things.handler.handler"', "")))


def test_every_service_in_the_repo_has_a_valid_manifest() -> None:
    manifests = find_manifests(SERVICES)
    assert "health" in {manifest.name for manifest in manifests}


@pytest.mark.parametrize(
    ("change", "key"),
    [
        (
            ("own_keys_only = true", "own_key_only = true"),
            "functions.api.permissions.0.own_key_only",
        ),
        (
            ('path = "/things/{thing_id}"', 'path = "/things/{thing_id}"\nauht = "public"'),
            "functions.api.routes.0.auht",
        ),
        (('name = "things"', 'name = "things"\nkey_prefix = ["X#"]'), "key_prefix"),
        (
            ('trigger = "PreSignUp"', 'trigger = "PreSignUp"\ntimout = 3'),
            "functions.pre_sign_up.timout",
        ),
    ],
)
def test_an_unknown_key_is_an_error_naming_it_and_the_file(
    tmp_path: Path, change: tuple[str, str], key: str
) -> None:
    # A misspelt own_keys_only would otherwise drop the LeadingKeys condition.
    path = write(tmp_path, VALID.replace(*change))
    with pytest.raises(ManifestError, match=re.escape(f"{path}: {key}: unknown key")):
        load_manifest(path)


def test_the_default_route_key_is_supported(tmp_path: Path) -> None:
    text = VALID.replace('method = "get"\npath = "/things/{thing_id}"', 'path = "$default"')
    route = load_manifest(write(tmp_path, text)).function("api").routes[0]
    assert route.route_key == "$default"
    assert route.method == "ANY"


def test_the_default_route_takes_every_method(tmp_path: Path) -> None:
    text = VALID.replace('path = "/things/{thing_id}"', 'path = "$default"')
    with pytest.raises(ManifestError, match="leave out `method`"):
        load_manifest(write(tmp_path, text))


def test_openapi_marks_the_function_serving_the_document(tmp_path: Path) -> None:
    text = VALID.replace(
        'handler = "things.handler.handler"', 'handler = "things.handler.handler"\nopenapi = true'
    )
    manifest = load_manifest(write(tmp_path, text))
    assert manifest.openapi_function == manifest.function("api")
    assert load_manifest(write(tmp_path, VALID)).openapi_function is None


def test_openapi_needs_routes(tmp_path: Path) -> None:
    text = VALID.replace('trigger = "PreSignUp"', 'trigger = "PreSignUp"\nopenapi = true')
    with pytest.raises(ManifestError, match="openapi = true needs routes"):
        load_manifest(write(tmp_path, text))


def test_a_service_declares_the_cors_headers_its_routes_add(tmp_path: Path) -> None:
    text = VALID + '[cors]\nallow_headers = ["If-Match"]\nexpose_headers = ["ETag"]\n'
    cors = load_manifest(write(tmp_path, text)).cors
    assert (cors.allow_headers, cors.expose_headers) == (("if-match",), ("etag",))


def test_permissions_know_their_aws_services(tmp_path: Path) -> None:
    (permission,) = load_manifest(write(tmp_path, VALID)).function("api").permissions
    assert permission.services == {"dynamodb"}


def test_a_function_calls_the_aws_services_its_permissions_name(tmp_path: Path) -> None:
    manifest = load_manifest(write(tmp_path, VALID))
    assert manifest.function("api").aws_services == {"dynamodb"}
    assert manifest.function("pre_sign_up").aws_services == frozenset()


def test_a_function_declares_the_services_it_calls_without_a_permission(tmp_path: Path) -> None:
    # Cognito's InitiateAuth needs no IAM permission, but its client needs the model.
    text = VALID.replace(
        'trigger = "PreSignUp"', 'trigger = "PreSignUp"\nsdk_clients = ["cognito-idp"]'
    )
    manifest = load_manifest(write(tmp_path, text))
    assert manifest.function("pre_sign_up").sdk_clients == ("cognito-idp",)
    assert manifest.function("pre_sign_up").aws_services == {"cognito-idp"}


def test_an_sdk_client_is_named_as_iam_names_the_service(tmp_path: Path) -> None:
    text = VALID.replace(
        'trigger = "PreSignUp"', 'trigger = "PreSignUp"\nsdk_clients = ["Cognito IdP"]'
    )
    with pytest.raises(ManifestError, match=r"functions\.pre_sign_up\.sdk_clients\.0"):
        load_manifest(write(tmp_path, text))


METRICS = """
[metrics.ThingsMade]
description = "Things made"
alarm_per_hour = "${config.things.alarmPerHour}"

[metrics.ThingsSent]
description = "Things sent"
dimensions = { channel = ["sms", "email"] }
"""


def test_a_service_declares_its_business_metrics(tmp_path: Path) -> None:
    manifest = load_manifest(write(tmp_path, VALID + METRICS))

    assert [metric.name for metric in manifest.metrics] == ["ThingsMade", "ThingsSent"]
    assert manifest.metric("ThingsMade").dimension is None
    assert manifest.metric("ThingsSent").dimension == ("channel", ("sms", "email"))
    assert manifest.metric("ThingsSent").description == "Things sent"
    assert manifest.metric("ThingsMade").alarm_per_hour == "${config.things.alarmPerHour}"
    assert manifest.metric("ThingsSent").alarm_per_hour is None
    assert load_manifest(write(tmp_path, VALID)).metrics == ()


@pytest.mark.parametrize(
    ("change", "message"),
    [
        (("[metrics.ThingsMade]", "[metrics.things_made]"), "String should match pattern"),
        (('description = "Things made"', ""), "metrics.ThingsMade.description: Field required"),
        (("channel =", "service ="), "dimension 'service' is the platform's"),
        (("channel =", "function_name ="), "dimension 'function_name' is the platform's"),
        (('["sms", "email"]', "[]"), "at least 1 item"),
        (('["sms", "email"]', '["+15555550100"]'), "String should match pattern"),
        (('["sms", "email"]', str([f"v{n}" for n in range(11)])), "at most 10 items"),
        (("{ channel =", '{ kind = ["a"], channel ='), "at most 1 item"),
        (("[metrics.ThingsMade]", "[metrics.ColdStart]"), "metric 'ColdStart' is Powertools'"),
        (('description = "Things sent"', 'description = "Things sent"\nunit = "x"'), "unknown"),
        (('"${config.things.alarmPerHour}"', '"${table.name}"'), "one ${config.<path>} reference"),
        (('"${config.things.alarmPerHour}"', '"50"'), "one ${config.<path>} reference"),
        (('"${config.things.alarmPerHour}"', "0"), "greater than or equal to 1"),
    ],
)
def test_metric_mistakes_are_named(tmp_path: Path, change: tuple[str, str], message: str) -> None:
    with pytest.raises(ManifestError, match=re.escape(message)):
        load_manifest(write(tmp_path, VALID + METRICS.replace(*change)))


def test_an_alarm_threshold_may_be_a_number(tmp_path: Path) -> None:
    text = VALID + METRICS.replace('"${config.things.alarmPerHour}"', "25")
    assert load_manifest(write(tmp_path, text)).metric("ThingsMade").alarm_per_hour == 25
