"""Lambda bundles: reproducible bytes, only the service's own dependencies, importable alone,
every function able to start and make its AWS clients from its bundle alone; and each
service's version, which follows that service's content and nothing else.

The bundle tests build real bundles (uv installs wheels from its cache, or PyPI the first
time), so they build each service once, for the machine running the tests, and one of
them twice. The version tests build nothing: a tiny workspace of their own, locked
offline, and `uv export`.
"""

from __future__ import annotations

import contextlib
import json
import os
import platform
import re
import shutil
import socket
import subprocess
import zipfile
from pathlib import Path

import pytest

import infra.bundles.bundle as bundle_module
from infra.bundles.bundle import (
    ZIP_EPOCH,
    Architecture,
    BundleError,
    Requirements,
    Workspace,
    build_bundle,
    bundle_key,
    content_digest,
    find_python_312,
    main,
    requirements,
    service_version,
    write_deterministic_zip,
)
from infra.bundles.bundle_slim import NEVER_LOADED, function_models, service_models
from infra.offline.declared import DeclaredStack
from infra.repo import repo_root
from service_manifest import Function, Manifest, find_manifests

SERVICE = "health"
LOCAL_ARCHITECTURE: Architecture = (
    "arm64" if platform.machine() in ("arm64", "aarch64") else "x86_64"
)


@pytest.fixture(scope="module")
def workspace(tmp_path_factory: pytest.TempPathFactory) -> Workspace:
    return Workspace(repo_root(), cache=tmp_path_factory.mktemp("bundles"))


@pytest.fixture(scope="module")
def manifest(workspace: Workspace) -> Manifest:
    (found,) = [m for m in find_manifests(workspace.services_dir) if m.name == SERVICE]
    return found


@pytest.fixture(scope="module")
def bundle(workspace: Workspace, manifest: Manifest) -> Path:
    return build_bundle(workspace, manifest, LOCAL_ARCHITECTURE)


@pytest.fixture(scope="module")
def names(bundle: Path) -> list[str]:
    with zipfile.ZipFile(bundle) as archive:
        return archive.namelist()


@pytest.fixture(scope="module")
def unpacked(
    workspace: Workspace, tmp_path_factory: pytest.TempPathFactory
) -> dict[str, tuple[Manifest, Path]]:
    """Every service's bundle, built and unzipped: its manifest and its folder."""
    found: dict[str, tuple[Manifest, Path]] = {}
    for manifest in find_manifests(workspace.services_dir):
        folder = tmp_path_factory.mktemp(f"unpacked-{manifest.name}")
        with zipfile.ZipFile(build_bundle(workspace, manifest, LOCAL_ARCHITECTURE)) as archive:
            archive.extractall(folder)
        found[manifest.name] = (manifest, folder)
    return found


def test_building_twice_gives_the_same_bytes(
    workspace: Workspace, manifest: Manifest, bundle: Path
) -> None:
    first = bundle.read_bytes()

    rebuilt = build_bundle(workspace, manifest, LOCAL_ARCHITECTURE, use_cache=False)

    assert rebuilt.read_bytes() == first


def test_a_cached_bundle_is_reused(workspace: Workspace, manifest: Manifest, bundle: Path) -> None:
    assert build_bundle(workspace, manifest, LOCAL_ARCHITECTURE) == bundle


def test_entries_are_sorted_with_fixed_times_and_permissions(
    bundle: Path, names: list[str]
) -> None:
    assert names == sorted(names)
    with zipfile.ZipFile(bundle) as archive:
        for info in archive.infolist():
            assert info.date_time == ZIP_EPOCH
            assert info.external_attr >> 16 == 0o100644


def test_holds_the_service_and_its_dependencies(names: list[str]) -> None:
    top = {name.split("/", 1)[0] for name in names}

    assert {"health", "service_kernel", "fastapi", "mangum", "pydantic_core", "botocore"} <= top
    assert "health-0.1.0.dist-info/METADATA" in names


def test_holds_nothing_of_the_other_services_nor_dev_tools(
    workspace: Workspace, names: list[str]
) -> None:
    top = {name.split("/", 1)[0] for name in names}
    others = {m.package for m in find_manifests(workspace.services_dir) if m.name != SERVICE}

    assert not others & top
    assert not {"pytest", "moto", "httpx", "tests", "bin", ".lock"} & top
    assert not any("/tests/" in name and name.startswith("health/") for name in names)


def test_wheels_are_for_lambda_python_312_on_the_architecture(names: list[str]) -> None:
    native = [name for name in names if name.startswith("pydantic_core/") and name.endswith(".so")]
    machine = "aarch64" if LOCAL_ARCHITECTURE == "arm64" else "x86_64"

    assert native
    assert all("cpython-312" in name and machine in name for name in native)


def test_bytecode_is_precompiled_for_312(names: list[str]) -> None:
    assert "health/__pycache__/handler.cpython-312.pyc" in names
    assert "service_kernel/__pycache__/__init__.cpython-312.pyc" in names


def run_alone(
    script: str,
    folder: Path,
    *args: str,
    env: dict[str, str] | None = None,
    cwd: Path | None = None,
) -> subprocess.CompletedProcess[str]:
    """`script` under CPython 3.12 with the unpacked bundle `folder` as its first
    argument, and nothing else importable: -I, no user site and no PYTHON*
    variables; -S, no site-packages at all."""
    return subprocess.run(
        [str(find_python_312()), "-I", "-S", "-c", script, str(folder), *args],
        capture_output=True,
        text=True,
        env=env,
        cwd=cwd,
        check=False,
        timeout=120,
    )


def test_the_handler_imports_from_the_unpacked_bundle_alone(bundle: Path, tmp_path: Path) -> None:
    with zipfile.ZipFile(bundle) as archive:
        archive.extractall(tmp_path)
    environment = {
        "PATH": os.environ.get("PATH", ""),
        "STAGE": "test",
        "TABLE_NAME": "table",
        "USER_POOL_ID": "eu-west-1_pool",
        "AWS_DEFAULT_REGION": "eu-west-1",
        "POWERTOOLS_SERVICE_NAME": SERVICE,
    }
    script = (
        "import sys; sys.path.insert(0, sys.argv[1]); "
        "import health.handler, fastapi, botocore, importlib.metadata; "
        "assert importlib.metadata.version('health'); "
        "assert callable(health.handler.handler); "
        "print(health.handler.__file__); print(fastapi.__file__); print(botocore.__file__)"
    )

    result = run_alone(script, tmp_path, env=environment)

    assert result.returncode == 0, result.stderr
    assert all(line.startswith(str(tmp_path)) for line in result.stdout.split())


def test_the_docs_pages_files_ship_in_the_bundle_and_load_from_it(
    bundle: Path, tmp_path: Path
) -> None:
    """Swagger UI's files are the function's own (service_kernel.swagger_ui), so
    /docs/<service> loads nothing from elsewhere; ReDoc, which no page serves, stays out."""
    with zipfile.ZipFile(bundle) as archive:
        archive.extractall(tmp_path)
    script = (
        "import sys; sys.path.insert(0, sys.argv[1]); "
        "from service_kernel import swagger_ui; "
        "names = [*swagger_ui.PACKAGED, *swagger_ui.OWN]; "
        "assert all(swagger_ui.asset(name).body for name in names); "
        "version = f'PACKAGE_VERSION:\"{swagger_ui.SWAGGER_UI_VERSION}\"'.encode(); "
        "assert version in swagger_ui.asset('swagger-ui-bundle.js').body; "
        "print(swagger_ui._assets_folder())"
    )

    result = run_alone(script, tmp_path)

    assert result.returncode == 0, result.stderr
    assert result.stdout.startswith(str(tmp_path))
    assert not list(tmp_path.glob("fastapi_offline/static/redoc*"))


# What a function would do first on Lambda: import its handler, then make its clients.
START = """
import importlib, json, sys
bundle, handler, models = sys.argv[1], sys.argv[2], json.loads(sys.argv[3])
sys.path.insert(0, bundle)
module, _, attribute = handler.rpartition(".")
assert callable(getattr(importlib.import_module(module), attribute))
import botocore.session
from botocore.exceptions import UnknownServiceError
session = botocore.session.get_session()
for model in models:
    session.create_client(model)
try:
    session.create_client("ec2")
except UnknownServiceError:
    pass
else:
    raise AssertionError("ec2's model is in the bundle")
outside = {m.__file__ for m in list(sys.modules.values()) if getattr(m, "__file__", None)}
print(json.dumps(sorted(f for f in outside if not f.startswith((bundle, sys.base_prefix)))))
"""

ALL_FUNCTIONS = [
    (manifest.name, function.name)
    for manifest in find_manifests(repo_root() / "services")
    for function in manifest.functions
]


@pytest.mark.parametrize(("service", "function_name"), ALL_FUNCTIONS)
def test_every_function_starts_and_makes_its_clients_from_its_unpacked_bundle(
    unpacked: dict[str, tuple[Manifest, Path]], dev: DeclaredStack, service: str, function_name: str
) -> None:
    manifest, folder = unpacked[service]
    function = manifest.function(function_name)
    declared = dev.function(service, function_name).inputs
    environment = {
        "PATH": os.environ.get("PATH", ""),
        **{name: str(value) for name, value in declared["environment"]["variables"].items()},
        "AWS_REGION": dev.config.region,
        "AWS_DEFAULT_REGION": dev.config.region,
    }
    models = sorted(function_models(function))

    result = run_alone(
        START, folder, function.handler, json.dumps(models), env=environment, cwd=folder
    )

    assert result.returncode == 0, result.stderr
    assert json.loads(result.stdout) == []  # nothing came from outside the bundle


# A function of a stack that traces (prod), from its unpacked bundle: one request whose
# handler calls DynamoDB, then one business metric written. AWS is a closed port on
# loopback and the X-Ray daemon a UDP socket of the test's: nothing leaves this machine.
TRACED = """
import json, sys
sys.path.insert(0, sys.argv[1])
from items.handler import handler
from service_kernel.metrics import count, flush
event = {
    "version": "2.0", "routeKey": "GET /items/{item_id}", "rawPath": "/items/lamp",
    "rawQueryString": "", "headers": {"host": "localhost"},
    "pathParameters": {"item_id": "lamp"}, "isBase64Encoded": False,
    "requestContext": {
        "http": {"method": "GET", "path": "/items/lamp", "protocol": "HTTP/1.1",
                 "sourceIp": "127.0.0.1", "userAgent": "test"},
        "requestId": "r-1", "routeKey": "GET /items/{item_id}", "stage": "$default",
        "authorizer": {"jwt": {"claims": {"sub": "user-1", "token_use": "access",
                                          "username": "user-1"}, "scopes": None}},
    },
}
class Context:
    function_name = "serverless-backend-prod-items-api"
    memory_limit_in_mb = 512
    invoked_function_arn = ""
    aws_request_id = "r-1"
answer = handler(event, Context())
print("STATUS", answer["statusCode"])
count("ItemsCreated")
flush()
loaded = sorted(m for m in sys.modules if m.startswith(("aws_xray_sdk", "wrapt")))
print("LOADED", json.dumps(loaded))
"""


def test_a_traced_function_sends_its_segments_and_metrics_from_its_unpacked_bundle(
    unpacked: dict[str, tuple[Manifest, Path]], dev: DeclaredStack
) -> None:
    _, folder = unpacked["items"]
    declared = dev.function("items", "api").inputs["environment"]["variables"]
    daemon = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    daemon.bind(("127.0.0.1", 0))
    daemon.settimeout(30)
    closed = socket.socket()
    closed.bind(("127.0.0.1", 0))  # bound, never listening: AWS refuses at once
    environment = {
        "PATH": os.environ.get("PATH", ""),
        **{name: str(value) for name, value in declared.items()},
        "POWERTOOLS_TRACE_DISABLED": "false",  # as on a stack whose tracing is Active
        "AWS_REGION": dev.config.region,
        "AWS_DEFAULT_REGION": dev.config.region,
        "AWS_ACCESS_KEY_ID": "testing",
        "AWS_SECRET_ACCESS_KEY": "testing",
        "AWS_ENDPOINT_URL": f"http://127.0.0.1:{closed.getsockname()[1]}",
        # What Lambda sets for a traced invocation.
        "LAMBDA_TASK_ROOT": str(folder),
        "AWS_LAMBDA_FUNCTION_NAME": "serverless-backend-prod-items-api",
        "_X_AMZN_TRACE_ID": "Root=1-5759e988-bd862e3fe1be46a994272793;Parent=53995c3f42cd8ad8;"
        "Sampled=1",
        "AWS_XRAY_DAEMON_ADDRESS": f"127.0.0.1:{daemon.getsockname()[1]}",
    }

    try:
        result = run_alone(TRACED, folder, env=environment, cwd=folder)
        assert result.returncode == 0, result.stderr
        sent = []
        daemon.settimeout(1)
        with contextlib.suppress(TimeoutError):
            while True:
                header, _, body = daemon.recv(65535).decode().partition("\n")
                assert json.loads(header) == {"format": "json", "version": 1}
                sent.append(json.loads(body))
    finally:
        daemon.close()
        closed.close()

    lines = result.stdout.splitlines()
    assert "STATUS 503" in lines  # the table unreachable: answered, not crashed
    (loaded,) = [json.loads(line.removeprefix("LOADED ")) for line in lines if "LOADED" in line]
    assert "aws_xray_sdk.ext.botocore.patch" in loaded
    (handler,) = [s for s in sent if s["name"] == "## handler"]
    assert handler["annotations"]["Route"] == "GET /items/{item_id}"
    assert handler["annotations"]["ColdStart"] is True
    assert any(s["name"] == "dynamodb" and s["parent_id"] == handler["id"] for s in sent)
    metrics = [json.loads(line) for line in lines if line.startswith('{"_aws"')]
    (created,) = [metric for metric in metrics if "ItemsCreated" in metric]
    assert (created["ItemsCreated"], created["service"]) == ([1.0], "items")
    assert [metric["ColdStart"] for metric in metrics if "ColdStart" in metric] == [[1.0]]


def test_a_bundle_ships_the_models_of_the_aws_services_its_functions_call(
    unpacked: dict[str, tuple[Manifest, Path]],
) -> None:
    for manifest, folder in unpacked.values():
        data = folder / "botocore" / "data"
        shipped = sorted(path.name for path in data.iterdir() if path.is_dir())
        assert shipped == list(service_models(manifest)), manifest.name
        assert {path.name for path in data.iterdir() if path.is_file()} == {
            "_retry.json",
            "endpoints.json",
            "partitions.json",
            "sdk-default-configuration.json",
        }


def test_the_auth_api_ships_cognitos_model_for_its_permissionless_calls(
    unpacked: dict[str, tuple[Manifest, Path]],
) -> None:
    # InitiateAuth, SignUp and the like need no IAM permission: the manifest says so.
    manifest, _ = unpacked["auth"]
    api: Function = manifest.function("api")
    assert "cognito-idp" in api.sdk_clients
    assert "cognito-idp" in function_models(api)


def test_auths_phone_number_checks_work_without_phonenumbers_add_ons(
    unpacked: dict[str, tuple[Manifest, Path]],
) -> None:
    _, folder = unpacked["auth"]
    check = (
        "import sys; sys.path.insert(0, sys.argv[1])\n"
        "from auth.destinations import normalize_phone, sms_refusal\n"
        "assert normalize_phone('+44 7400 123456') == '+447400123456'\n"
        "assert sms_refusal('+447400123456', {'GB'}) is None\n"
        "assert sms_refusal('+447400123456', {'US'}) is not None\n"
    )

    result = run_alone(check, folder)

    assert result.returncode == 0, result.stderr
    assert not (folder / "phonenumbers" / "geodata").exists()
    assert not list((folder / "phonenumbers" / "shortdata").glob("region_*"))


def test_third_party_code_ships_as_bytecode_and_the_services_own_with_its_sources(
    unpacked: dict[str, tuple[Manifest, Path]],
) -> None:
    _, folder = unpacked["items"]

    assert (folder / "fastapi" / "routing.pyc").is_file()
    assert not (folder / "fastapi" / "routing.py").exists()
    assert (folder / "typing_extensions.pyc").is_file()
    assert (folder / "items" / "app.py").is_file()
    assert (folder / "items" / "__pycache__" / "app.cpython-312.pyc").is_file()
    assert (folder / "service_kernel" / "middleware.py").is_file()


def test_what_lambda_never_loads_is_left_out(unpacked: dict[str, tuple[Manifest, Path]]) -> None:
    _, folder = unpacked["items"]

    for pattern in NEVER_LOADED:
        assert not list(folder.glob(pattern)), pattern
    assert not list(folder.rglob("*.pyi"))
    assert not list(folder.glob("*.dist-info/RECORD"))
    metadata = next(folder.glob("pydantic-*.dist-info")) / "METADATA"
    assert "Version:" in metadata.read_text()
    assert "\n\n" not in metadata.read_text()  # the headers, not the README after them
    assert list(folder.glob("pydantic-*.dist-info/licenses/LICENSE"))


def test_a_shipped_model_keeps_its_shapes_not_its_documentation(
    unpacked: dict[str, tuple[Manifest, Path]],
) -> None:
    manifest, folder = unpacked["items"]
    (path,) = (folder / "botocore" / "data" / "dynamodb").glob("*/service-2.json")
    model = json.loads(path.read_text())
    endpoints = json.loads((folder / "botocore" / "data" / "endpoints.json").read_text())

    assert "GetItem" in model["operations"]
    assert "documentation" not in model["operations"]["GetItem"]
    # Its services' endpoint prefixes are their names (dynamodb; ssm for its secret).
    assert set(endpoints["partitions"][0]["services"]) == set(service_models(manifest))


def test_the_cache_key_follows_lock_sources_and_target(workspace: Workspace) -> None:
    reqs = requirements(workspace, SERVICE)

    assert bundle_key(workspace, reqs, "arm64") != bundle_key(workspace, reqs, "x86_64")
    assert bundle_key(workspace, reqs, "arm64") == bundle_key(workspace, reqs, "arm64")
    assert any(member.name == "service-kernel" for member in reqs.members)
    assert not any(member.name == "items" for member in reqs.members)
    assert all("pytest" not in line and "moto" not in line for line in reqs.pinned)


def test_every_pin_carries_the_hashes_uv_lock_records(workspace: Workspace) -> None:
    reqs = requirements(workspace, SERVICE)
    lock = (workspace.root / "uv.lock").read_text()

    assert reqs.pinned
    for line in reqs.pinned:
        hashes = re.findall(r"--hash=(sha256:[0-9a-f]{64})", line)
        assert hashes, line
        assert all(f'hash = "{value}"' in lock for value in hashes), line


def test_a_wheel_whose_hash_is_not_the_locks_fails_the_build(
    workspace: Workspace, manifest: Manifest, monkeypatch: pytest.MonkeyPatch
) -> None:
    """uv pip install --require-hashes: a download (or cached wheel) that does not match a
    hash uv.lock recorded never reaches a production bundle."""
    reqs = requirements(workspace, SERVICE)
    first, *rest = reqs.pinned
    name = first.split(" ", 1)[0]
    tampered = Requirements(
        members=reqs.members, pinned=(f"{name} --hash=sha256:{'0' * 64}", *rest)
    )
    monkeypatch.setattr("infra.bundles.bundle.requirements", lambda _workspace, _package: tampered)

    with pytest.raises(BundleError, match="Hash mismatch"):
        build_bundle(workspace, manifest, LOCAL_ARCHITECTURE, use_cache=False)


def test_a_pin_without_a_hash_fails_the_build(
    workspace: Workspace, manifest: Manifest, monkeypatch: pytest.MonkeyPatch
) -> None:
    """--require-hashes: no requirement installs unchecked, not even one exported without."""
    reqs = requirements(workspace, SERVICE)
    first, *rest = reqs.pinned
    bare = Requirements(members=reqs.members, pinned=(first.split(" ", 1)[0], *rest))
    monkeypatch.setattr("infra.bundles.bundle.requirements", lambda _workspace, _package: bare)

    with pytest.raises(BundleError, match="hash"):
        build_bundle(workspace, manifest, LOCAL_ARCHITECTURE, use_cache=False)


def test_a_zip_depends_only_on_file_contents(tmp_path: Path) -> None:
    source = tmp_path / "source"
    (source / "pkg").mkdir(parents=True)
    (source / "pkg" / "b.py").write_text("B = 2\n")
    (source / "pkg" / "a.py").write_text("A = 1\n")
    first, second = tmp_path / "first.zip", tmp_path / "second.zip"

    write_deterministic_zip(source, first)
    os.utime(source / "pkg" / "a.py", (0, 0))
    (source / "pkg" / "a.py").chmod(0o600)
    write_deterministic_zip(source, second)

    assert first.read_bytes() == second.read_bytes()


# ---- versions: a tiny workspace (no third-party dependency, so it locks offline) ----

VERSION_SHAPE = re.compile(r"(?P<package>[0-9][0-9a-z.]*)\+(?P<label>[0-9a-f]{12})")


def _member(root: Path, folder: str, version: str, uses: tuple[str, ...] = ()) -> None:
    """A workspace member `folder` (its last part is its name) using the members `uses`."""
    name = folder.rsplit("/", 1)[-1]
    sources = "".join(f"{use} = {{ workspace = true }}\n" for use in uses)
    (root / folder / "src" / name).mkdir(parents=True)
    (root / folder / "src" / name / "__init__.py").write_text(f"NAME = {name!r}\n")
    (root / folder / "pyproject.toml").write_text(
        f'[project]\nname = "{name}"\nversion = "{version}"\nrequires-python = ">=3.11"\n'
        f"dependencies = {list(uses)!r}\n"
        f"[tool.uv.sources]\n{sources}"
        '[build-system]\nrequires = ["hatchling"]\nbuild-backend = "hatchling.build"\n'
    )
    if folder.startswith("services/"):
        (root / folder / "service.toml").write_text(
            f'name = "{name}"\n[functions.api]\nhandler = "{name}.handler.handler"\n'
        )


def _lock(root: Path) -> None:
    subprocess.run(
        [os.environ.get("UV") or "uv", "lock", "--offline", "--quiet"], cwd=root, check=True
    )


@pytest.fixture
def tiny(tmp_path: Path) -> Workspace:
    """alpha uses kernel; beta uses kernel and extra."""
    root = tmp_path / "tiny"
    root.mkdir()
    (root / "pyproject.toml").write_text(
        '[project]\nname = "tiny"\nversion = "0"\nrequires-python = ">=3.11"\n'
        '[tool.uv]\npackage = false\n[tool.uv.workspace]\nmembers = ["libs/*", "services/*"]\n'
    )
    (root / "README.md").write_text("# tiny\n")
    _member(root, "libs/kernel", "0.2.0")
    _member(root, "libs/extra", "0.2.0")
    _member(root, "services/alpha", "0.3.1", ("kernel",))
    _member(root, "services/beta", "1.0.0", ("kernel", "extra"))
    _lock(root)
    return Workspace(root)


def _versions(workspace: Workspace) -> dict[str, str]:
    return {
        manifest.name: service_version(workspace, manifest)
        for manifest in find_manifests(workspace.services_dir)
    }


def test_a_version_is_the_package_version_with_a_content_label(tiny: Workspace) -> None:
    versions = _versions(tiny)

    shapes = {name: VERSION_SHAPE.fullmatch(version) for name, version in versions.items()}
    assert {name: shape and shape["package"] for name, shape in shapes.items()} == {
        "alpha": "0.3.1",
        "beta": "1.0.0",
    }
    assert versions["alpha"].split("+")[1] != versions["beta"].split("+")[1]


def test_a_package_version_with_a_local_label_gets_the_digest_appended(tiny: Workspace) -> None:
    alpha = tiny.services_dir / "alpha" / "pyproject.toml"
    alpha.write_text(alpha.read_text().replace('version = "0.3.1"', 'version = "0.3.1+eu"'))

    assert re.fullmatch(r"0\.3\.1\+eu\.[0-9a-f]{12}", _versions(tiny)["alpha"])


def test_every_real_service_has_a_version_of_that_shape() -> None:
    versions = _versions(Workspace(repo_root()))

    assert versions
    assert all(VERSION_SHAPE.fullmatch(version) for version in versions.values()), versions


def test_the_versions_are_printed_without_building(capsys: pytest.CaptureFixture[str]) -> None:
    main(["--versions"])

    lines = capsys.readouterr().out.splitlines()
    expected = _versions(Workspace(repo_root()))
    assert sorted(line.split() for line in lines) == sorted([n, v] for n, v in expected.items())


def test_the_same_tree_gives_the_same_versions_wherever_it_is(
    tiny: Workspace, tmp_path: Path
) -> None:
    first = _versions(tiny)
    copy = shutil.copytree(tiny.root, tmp_path / "elsewhere" / "tiny")

    assert _versions(tiny) == first
    assert _versions(Workspace(copy)) == first


def test_an_edit_to_a_service_changes_its_version_and_no_other(tiny: Workspace) -> None:
    before = _versions(tiny)

    (tiny.services_dir / "alpha" / "src" / "alpha" / "handler.py").write_text("x = 1\n")

    after = _versions(tiny)
    assert after["alpha"] != before["alpha"]
    assert after["beta"] == before["beta"]


def test_an_edit_to_a_library_changes_the_version_of_every_service_using_it(
    tiny: Workspace,
) -> None:
    before = _versions(tiny)

    (tiny.root / "libs" / "extra" / "src" / "extra" / "__init__.py").write_text("EXTRA = 2\n")
    after_extra = _versions(tiny)
    (tiny.root / "libs" / "kernel" / "src" / "kernel" / "__init__.py").write_text("K = 2\n")
    after_kernel = _versions(tiny)

    assert after_extra == {"alpha": before["alpha"], "beta": after_extra["beta"]}
    assert after_extra["beta"] != before["beta"]
    assert after_kernel["alpha"] != after_extra["alpha"]
    assert after_kernel["beta"] != after_extra["beta"]


def test_edits_outside_what_a_bundle_holds_change_no_version(tiny: Workspace) -> None:
    before = _versions(tiny)
    alpha = tiny.services_dir / "alpha"

    (tiny.root / "README.md").write_text("# tiny, edited\n")
    (alpha / "README.md").write_text("# alpha\n")
    (alpha / "service.toml").write_text((alpha / "service.toml").read_text() + "# a comment\n")
    (alpha / "tests").mkdir()
    (alpha / "tests" / "test_alpha.py").write_text("def test() -> None: ...\n")
    (alpha / "src" / "alpha" / "__pycache__").mkdir()
    (alpha / "src" / "alpha" / "__pycache__" / "x.cpython-311.pyc").write_bytes(b"\0")

    assert _versions(tiny) == before


def test_a_lock_change_for_one_service_leaves_the_others_alone(tiny: Workspace) -> None:
    before = _versions(tiny)
    lock_before = (tiny.root / "uv.lock").read_text()
    beta = tiny.services_dir / "beta" / "pyproject.toml"

    beta.write_text(beta.read_text().replace('version = "1.0.0"', 'version = "1.1.0"'))
    _lock(tiny.root)

    assert (tiny.root / "uv.lock").read_text() != lock_before
    after = _versions(tiny)
    assert after["alpha"] == before["alpha"]
    assert after["beta"].startswith("1.1.0+")


def test_a_service_outside_the_workspace_has_no_version(tiny: Workspace) -> None:
    stray = tiny.services_dir / "stray"
    stray.mkdir()
    (stray / "service.toml").write_text('name = "stray"\n[functions.api]\nhandler = "s.h"\n')
    (manifest,) = [m for m in find_manifests(tiny.services_dir) if m.name == "stray"]

    with pytest.raises(BundleError, match="stray"):
        service_version(tiny, manifest)


def test_the_pins_are_part_of_the_digest(tiny: Workspace) -> None:
    members = (tiny.services_dir / "alpha",)
    one = Requirements(members=members, pinned=("six==1.16.0",))
    other = Requirements(members=members, pinned=("six==1.17.0",))

    assert content_digest(tiny, one) != content_digest(tiny, other)
    assert content_digest(tiny, one) == content_digest(tiny, one)


def test_the_bundle_key_is_the_content_digest_per_target(tiny: Workspace) -> None:
    reqs = requirements(tiny, "alpha")
    other = Requirements(members=reqs.members, pinned=("six==1.17.0",))

    assert bundle_key(tiny, reqs, "arm64") != bundle_key(tiny, reqs, "x86_64")
    assert bundle_key(tiny, reqs, "arm64") != bundle_key(tiny, other, "arm64")


def test_a_change_to_how_bundles_are_built_rebuilds_them(
    tiny: Workspace, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Cached bundles are keyed by the builder's own code too: a new slimming
    rule must not be skipped because the services did not change."""
    reqs = requirements(tiny, "alpha")
    builder = tmp_path / "bundle_slim.py"
    builder.write_text("NEVER_LOADED = {}\n")
    monkeypatch.setattr(bundle_module, "BUILDER_MODULES", (builder,))
    before = bundle_key(tiny, reqs, "arm64")

    builder.write_text("NEVER_LOADED = {'pydantic/v1': 'unused'}\n")

    assert bundle_key(tiny, reqs, "arm64") != before


# ---- which uv runs ----


def _fake_uv(folder: Path, pinned: str) -> Path:
    """A `uv` that answers `uv export` with one pin, so we can tell which one ran."""
    folder.mkdir(parents=True)
    script = folder / "uv"
    script.write_text(f"#!/bin/sh\necho '{pinned}'\n")
    script.chmod(0o755)
    return script


def test_uv_is_the_one_in_the_uv_variable_first(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    named = _fake_uv(tmp_path / "installed-with-pip", "from-the-variable==1")
    on_path = _fake_uv(tmp_path / "on-path", "from-path==1")
    monkeypatch.setenv("PATH", str(on_path.parent))

    monkeypatch.setenv("UV", str(named))
    assert requirements(Workspace(tmp_path), "svc").pinned == ("from-the-variable==1",)

    monkeypatch.delenv("UV")
    assert requirements(Workspace(tmp_path), "svc").pinned == ("from-path==1",)


def test_no_uv_at_all_says_how_to_get_one(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("UV", raising=False)
    monkeypatch.setenv("PATH", str(tmp_path))

    with pytest.raises(BundleError, match="uv is needed"):
        requirements(Workspace(tmp_path), "svc")


def test_a_pyenv_312_is_found_without_pyenv_on_path(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    uv = shutil.which("uv") or os.environ["UV"]
    fake = tmp_path / "pyenv" / "versions" / "3.12.9" / "bin" / "python3.12"
    fake.parent.mkdir(parents=True)
    fake.write_text("#!/bin/sh\n")
    fake.chmod(0o755)
    (tmp_path / "bin").mkdir()
    monkeypatch.setenv("UV", uv)
    monkeypatch.setenv("PATH", str(tmp_path / "bin"))
    monkeypatch.setenv("PYENV_ROOT", str(tmp_path / "pyenv"))
    monkeypatch.setenv("UV_PYTHON_INSTALL_DIR", str(tmp_path / "managed"))
    monkeypatch.setenv("UV_PYTHON_DOWNLOADS", "never")
    # Nothing else to find: no active or project virtualenv, no pinned interpreter.
    for variable in ("VIRTUAL_ENV", "UV_PYTHON", "PYENV_VERSION", "UV_PROJECT_ENVIRONMENT"):
        monkeypatch.delenv(variable, raising=False)
    monkeypatch.chdir(tmp_path)
    assert find_python_312() == fake
