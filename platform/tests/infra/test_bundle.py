"""Lambda bundles: reproducible bytes, only the service's own dependencies, importable alone.

These build real bundles (uv installs wheels from its cache, or PyPI the first time), so
they build one service, once, for the machine running the tests.
"""

from __future__ import annotations

import os
import platform
import subprocess
import zipfile
from pathlib import Path

import pytest

from infra.bundle import (
    ZIP_EPOCH,
    Architecture,
    Workspace,
    build_bundle,
    bundle_key,
    find_python_312,
    requirements,
    write_deterministic_zip,
)
from service_manifest import Manifest, find_manifests

SERVICE = "health"
LOCAL_ARCHITECTURE: Architecture = (
    "arm64" if platform.machine() in ("arm64", "aarch64") else "x86_64"
)


@pytest.fixture(scope="module")
def workspace(tmp_path_factory: pytest.TempPathFactory) -> Workspace:
    from infra.bundle import repo_root

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

    # -I: no user site, no PYTHON* variables; -S: no site-packages at all.
    result = subprocess.run(
        [str(find_python_312()), "-I", "-S", "-c", script, str(tmp_path)],
        capture_output=True,
        text=True,
        env=environment,
        check=False,
        timeout=120,
    )

    assert result.returncode == 0, result.stderr
    assert all(line.startswith(str(tmp_path)) for line in result.stdout.split())


def test_the_cache_key_follows_lock_sources_and_target(workspace: Workspace) -> None:
    reqs = requirements(workspace, SERVICE)

    assert bundle_key(workspace, reqs, "arm64") != bundle_key(workspace, reqs, "x86_64")
    assert bundle_key(workspace, reqs, "arm64") == bundle_key(workspace, reqs, "arm64")
    assert any(member.name == "service-kernel" for member in reqs.members)
    assert not any(member.name == "items" for member in reqs.members)
    assert all("pytest" not in line and "moto" not in line for line in reqs.pinned)


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
