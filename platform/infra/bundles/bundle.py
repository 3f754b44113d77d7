"""Reproducible Lambda bundles, one per service, built from uv.lock.

A bundle holds the service's own package, the workspace libraries it depends
on, and exactly the third-party wheels uv.lock pins for it: manylinux wheels for
CPython 3.12 on the stack's architecture, so a build on macOS, Linux or CI gives
the same bytes. Bytecode is precompiled by a 3.12 interpreter (hash-based pycs,
so no timestamps) and the zip has sorted entries, fixed timestamps and fixed
permissions: same inputs → same bytes → `pulumi preview` shows no change.

The AWS SDK ships inside the bundle: botocore comes from the lock with
service-kernel (and boto3 too for a service that depends on it), so the version
the tests ran against is the version deployed, instead of whatever the Lambda
runtime carries that month. Only what a function can load ships, though: the
SDK models of the services its functions call, and no file nothing imports
(infra.bundles.bundle_slim says what goes and why). Third-party code ships as bytecode
only, the service's own code with its sources too. docs/deploy.md records the
sizes (`python -m infra.bundles.bundle` prints them).

Bundles are cached on content under build/bundles/<key>.zip. The key hashes the
service's content digest (the wheels uv.lock pins for it, every file of the
workspace members it uses and the SDK models it ships), the target and this
module's format version, so
`pulumi up` rebuilds only what changed. The same digest names the service's
version (`${service.version}`, e.g. `0.1.0+3f2a9c1d0b7e`), so a function's
environment changes only when its own bundle's content does.
"""

from __future__ import annotations

import argparse
import hashlib
import os
import shutil
import subprocess
import sys
import tempfile
import tomllib
import zipfile
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Literal

from infra.bundles.bundle_slim import service_models, slim
from infra.bundles.lambda_runtime import PYTHON_VERSION
from infra.repo import repo_root
from service_manifest import Manifest, find_manifests

Architecture = Literal["arm64", "x86_64"]

# The code that builds a bundle: a change to it rebuilds cached bundles, with
# no format number to remember to bump.
BUILDER_MODULES = (Path(__file__), Path(__file__).with_name("bundle_slim.py"))
# Where Lambda unpacks the code: the paths compiled into the bytecode.
LAMBDA_TASK_ROOT = "/var/task"
# 1980-01-01, the earliest time a zip can hold.
ZIP_EPOCH = (1980, 1, 1, 0, 0, 0)

_PLATFORMS: dict[Architecture, str] = {
    "x86_64": "x86_64-manylinux2014",
    "arm64": "aarch64-manylinux2014",
}
# Installed files Lambda never uses and that differ between machines.
_DROPPED_DIRS = frozenset({"bin", "__pycache__"})
_DROPPED_FILES = frozenset({".lock"})  # uv's lock on the --target folder
_SKIPPED_SOURCES = frozenset({"__pycache__", ".pytest_cache", ".mypy_cache"})


class BundleError(RuntimeError):
    pass


@dataclass(frozen=True)
class Workspace:
    """The uv workspace: its root (uv.lock) and where bundles are cached."""

    root: Path
    # Where built bundles are kept; build/bundles/ (git-ignored) unless given.
    cache: Path | None = None

    @property
    def cache_dir(self) -> Path:
        return self.cache or self.root / "build" / "bundles"

    @property
    def services_dir(self) -> Path:
        return self.root / "services"


@dataclass(frozen=True)
class Requirements:
    """What uv.lock pins for one service: its workspace members and its wheels, each
    pin with the hashes the lock records for it (`name==1.0 --hash=sha256:...`)."""

    members: tuple[Path, ...]
    pinned: tuple[str, ...]


def requirements(workspace: Workspace, package: str) -> Requirements:
    """`uv export` for the service alone, without dev dependencies, from the lock as is,
    with the lock's hashes, so the bundle installs only the artifacts uv.lock records."""
    exported = _run(
        [
            uv_executable(),
            "export",
            "--package",
            package,
            "--no-dev",
            "--frozen",
            "--no-header",
            "--no-annotate",
        ],
        cwd=workspace.root,
    )
    members: list[Path] = []
    pinned: list[str] = []
    # A pin's hashes follow it on continuation lines (`\`): one requirement per line here.
    for line in exported.replace("\\\n", " ").splitlines():
        line = " ".join(line.split())
        if not line or line.startswith("#"):
            continue
        if line.startswith("-e "):
            members.append((workspace.root / line.removeprefix("-e ").strip()).resolve())
        elif line.startswith("./"):
            members.append((workspace.root / line).resolve())
        else:
            pinned.append(line)
    return Requirements(members=tuple(sorted(members)), pinned=tuple(pinned))


def content_digest(workspace: Workspace, reqs: Requirements, models: Sequence[str] = ()) -> str:
    """A hash of what goes into the service's bundle apart from the target: its pins, its
    members' files and its SDK models. Nothing else in uv.lock and nothing of the other
    services."""
    digest = hashlib.sha256()
    for line in reqs.pinned:
        digest.update(line.encode() + b"\0")
    for model in models:
        digest.update(b"model:" + model.encode() + b"\0")
    for member in reqs.members:
        for path in _member_files(member):
            digest.update(path.relative_to(workspace.root).as_posix().encode() + b"\0")
            digest.update(path.read_bytes() + b"\0")
    return digest.hexdigest()


def bundle_key(
    workspace: Workspace,
    reqs: Requirements,
    architecture: Architecture,
    models: Sequence[str] = (),
) -> str:
    """A content hash of everything that goes into the bundle, its target included."""
    digest = hashlib.sha256()
    content = content_digest(workspace, reqs, models)
    for part in (PYTHON_VERSION, architecture, content):
        digest.update(part.encode() + b"\0")
    for module in BUILDER_MODULES:
        digest.update(module.read_bytes() + b"\0")
    return digest.hexdigest()[:32]


def service_version(workspace: Workspace, manifest: Manifest) -> str:
    """`${service.version}`: the service's package version with its content digest as a
    PEP 440 local label, e.g. `0.1.0+3f2a9c1d0b7e`. Same content, same version; so an
    unchanged service keeps its environment, whatever else changed in the checkout."""
    # uv first: a service that is no workspace member fails with uv's own words for it.
    reqs = requirements(workspace, manifest.name)
    label = content_digest(workspace, reqs, service_models(manifest))[:12]
    package_version = str(_project(manifest.root)["version"])
    # A version that already has a local label gets the digest as one more segment of it.
    return f"{package_version}{'.' if '+' in package_version else '+'}{label}"


def build_bundle(
    workspace: Workspace,
    manifest: Manifest,
    architecture: Architecture,
    *,
    use_cache: bool = True,
) -> Path:
    """The service's bundle zip for `architecture`, built unless cached."""
    reqs = requirements(workspace, manifest.name)
    models = service_models(manifest)
    key = bundle_key(workspace, reqs, architecture, models)
    target = workspace.cache_dir / f"{manifest.name}-{architecture}-{key}.zip"
    if use_cache and target.exists():
        return target
    target.parent.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory(prefix=f"bundle-{manifest.name}-") as tmp:
        staging = Path(tmp) / "task"
        staging.mkdir()
        _install_wheels(workspace, reqs, staging, architecture, Path(tmp))
        members: list[str] = []
        for member in reqs.members:
            members += _copy_packages(member, staging)
            _write_metadata(member, staging)
        slim(staging, models)
        _drop_machine_specific(staging)
        _compile(staging, members)
        partial = Path(tmp) / "bundle.zip"
        write_deterministic_zip(staging, partial)
        shutil.move(str(partial), target)
    return target


def write_deterministic_zip(source: Path, destination: Path) -> None:
    """Zip `source` with sorted entries, fixed timestamps and fixed permissions."""
    files = sorted(
        (path for path in source.rglob("*") if path.is_file()),
        key=lambda path: path.relative_to(source).as_posix(),
    )
    with zipfile.ZipFile(destination, "w") as archive:
        for path in files:
            info = zipfile.ZipInfo(path.relative_to(source).as_posix(), date_time=ZIP_EPOCH)
            info.compress_type = zipfile.ZIP_DEFLATED
            info.create_system = 3  # Unix, so the permissions below are read
            info.external_attr = (0o100644 & 0xFFFF) << 16
            archive.writestr(info, path.read_bytes(), compresslevel=9)


def find_python_312() -> Path:
    """A CPython 3.12 to compile bytecode with (Lambda's python3.12 reads only its own pycs).

    `uv python find` as the environment is; with pyenv, every installed version made
    visible (a pyenv shell pins PYENV_VERSION to one); on CI, uv installs one once.
    """
    attempts: list[dict[str, str]] = [dict(os.environ)]
    pyenv_versions = Path(os.environ.get("PYENV_ROOT", Path.home() / ".pyenv")) / "versions"
    if pyenv_versions.is_dir():
        every = ":".join(sorted(path.name for path in pyenv_versions.iterdir()))
        attempts.append({**os.environ, "PYENV_VERSION": every})
    for env in attempts:
        found = subprocess.run(  # noqa: S603 - fixed argv
            [uv_executable(), "python", "find", PYTHON_VERSION],
            capture_output=True,
            text=True,
            env=env,
            check=False,
        )
        if found.returncode == 0 and found.stdout.strip():
            return Path(found.stdout.strip())
    if pyenv_versions.is_dir():
        # pyenv's own folders, for a PATH without pyenv's shims.
        for candidate in sorted(
            pyenv_versions.glob(f"{PYTHON_VERSION}*/bin/python{PYTHON_VERSION}")
        ):
            return candidate
    _run([uv_executable(), "python", "install", PYTHON_VERSION], cwd=Path.cwd())
    return Path(_run([uv_executable(), "python", "find", PYTHON_VERSION], cwd=Path.cwd()).strip())


def _install_wheels(
    workspace: Workspace,
    reqs: Requirements,
    staging: Path,
    architecture: Architecture,
    scratch: Path,
) -> None:
    if not reqs.pinned:
        return
    requirements_file = scratch / "requirements.txt"
    requirements_file.write_text("\n".join(reqs.pinned) + "\n")
    _run(
        [
            uv_executable(),
            "pip",
            "install",
            "--quiet",
            "--no-deps",
            "--target",
            str(staging),
            "--python-platform",
            _PLATFORMS[architecture],
            "--python-version",
            PYTHON_VERSION,
            "--only-binary",
            ":all:",
            # Every pin must carry its hashes, and every download must match one.
            "--require-hashes",
            "--link-mode",
            "copy",
            "-r",
            str(requirements_file),
        ],
        # From the workspace, so uv reads its settings there (pyproject.toml [tool.uv]).
        cwd=workspace.root,
    )


def _member_files(member: Path) -> list[Path]:
    files = [member / "pyproject.toml"]
    source = member / "src"
    files.extend(
        path
        for path in source.rglob("*")
        if path.is_file() and not _SKIPPED_SOURCES.intersection(path.relative_to(source).parts)
    )
    return sorted(files)


def _copy_packages(member: Path, staging: Path) -> list[str]:
    """A workspace member's importable packages (src/<package>/), as source; their names."""
    source = member / "src"
    if not source.is_dir():
        raise BundleError(f"{member} has no src/ folder to bundle")
    for path in _member_files(member):
        if path.parent == member:
            continue  # pyproject.toml
        destination = staging / path.relative_to(source)
        destination.parent.mkdir(parents=True, exist_ok=True)
        shutil.copyfile(path, destination)
    return sorted(path.name for path in source.iterdir() if path.name not in _SKIPPED_SOURCES)


def _write_metadata(member: Path, staging: Path) -> None:
    """Minimal dist-info for a workspace member, so importlib.metadata.version() works."""
    project = _project(member)
    name, version = str(project["name"]), str(project["version"])
    dist_info = staging / f"{name.replace('-', '_')}-{version}.dist-info"
    dist_info.mkdir(exist_ok=True)
    (dist_info / "METADATA").write_text(
        f"Metadata-Version: 2.1\nName: {name}\nVersion: {version}\n"
    )


def _project(member: Path) -> dict[str, object]:
    """The `[project]` table of a workspace member's pyproject.toml."""
    project: dict[str, object] = tomllib.loads((member / "pyproject.toml").read_text())["project"]
    return project


def _drop_machine_specific(staging: Path) -> None:
    for name in _DROPPED_FILES:
        (staging / name).unlink(missing_ok=True)
    for name in _DROPPED_DIRS:
        for path in sorted(staging.rglob(name), reverse=True):
            if path.is_dir():
                shutil.rmtree(path)


def _compile(staging: Path, members: Sequence[str]) -> None:
    """Precompile with 3.12; hash-based pycs hold no timestamp and no build path.

    The workspace's own packages (`members`) keep their sources, their bytecode in
    __pycache__/ beside them. Third-party code ships as bytecode only: each
    module's .pyc where its .py was (Python imports such a module without a
    source), its source gone. On Lambda a third-party source would only give a
    traceback its lines, at twice the size."""
    owned = [staging / name for name in members]
    third_party = sorted(
        path
        for path in staging.iterdir()
        if path.name not in members and (path.is_dir() or path.suffix == ".py")
    )
    _compileall(staging, owned)
    _compileall(staging, third_party, "-b")
    for path in third_party:
        sources = sorted(path.rglob("*.py")) if path.is_dir() else [path]
        for source in sources:
            source.unlink()


def _compileall(staging: Path, paths: Sequence[Path], *options: str) -> None:
    if not paths:
        return
    _run(
        [
            str(find_python_312()),
            "-m",
            "compileall",
            "-q",
            "-j",
            "0",
            *options,
            "--invalidation-mode",
            "unchecked-hash",
            "-s",
            str(staging),
            "-p",
            LAMBDA_TASK_ROOT,
            *(str(path) for path in paths),
        ],
        cwd=staging,
    )


def uv_executable() -> str:
    """The uv running us ($UV, which uv sets for what it runs), else the one on PATH: a uv
    installed with `python3 -m pip install uv` is often not on PATH."""
    found = os.environ.get("UV") or shutil.which("uv")
    if not found:
        raise BundleError(
            "uv is needed to build Lambda bundles and sync service environments: run "
            "through `uv run` or make, or put uv on PATH (python3 -m pip install uv)"
        )
    return found


def _run(argv: list[str], *, cwd: Path) -> str:
    result = subprocess.run(argv, cwd=cwd, capture_output=True, text=True, check=False)  # noqa: S603
    if result.returncode != 0:
        raise BundleError(f"{' '.join(argv[:3])} failed: {result.stderr.strip()[-2000:]}")
    return result.stdout


def main(argv: list[str] | None = None) -> None:
    """Benchmark: build every service's bundle and print its zipped size (--versions: only
    print each service's version)."""
    parser = argparse.ArgumentParser(description=main.__doc__)
    parser.add_argument("--architecture", choices=sorted(_PLATFORMS), default="arm64")
    parser.add_argument(
        "--versions", action="store_true", help="print each service's version; build nothing"
    )
    args = parser.parse_args(argv)
    workspace = Workspace(repo_root())
    for manifest in find_manifests(workspace.services_dir):
        if args.versions:
            sys.stdout.write(f"{manifest.name:<10} {service_version(workspace, manifest)}\n")
            continue
        path = build_bundle(workspace, manifest, args.architecture)
        with zipfile.ZipFile(path) as archive:
            unpacked = sum(info.file_size for info in archive.infolist())
        sys.stdout.write(
            f"{manifest.name:<10} {args.architecture:<7} zipped {path.stat().st_size / 1e6:6.2f} MB"
            f"  unpacked {unpacked / 1e6:6.2f} MB  {path.name}\n"
        )


if __name__ == "__main__":
    main()
