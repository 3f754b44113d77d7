"""The baseline handlers' folder, built from the same uv.lock as the bundles.

What a service's bundle is measured against: the seed-style items handler, the
bare route and the health app without the kernel's invocation layer
(`baselines/`), on FastAPI, Mangum and boto3 at the versions the lock pins,
installed the plain way (`uv pip install --target` of Lambda's wheels, every
file kept, bytecode compiled as pip compiles it).
"""

from __future__ import annotations

import shutil
import subprocess
from pathlib import Path

from infra.bundles.bundle import Architecture, find_python_312, uv_executable
from infra.bundles.lambda_runtime import PYTHON_VERSION

BASELINES = Path(__file__).with_name("baselines")
HANDLERS = ("seed_items.py", "bare_route.py", "health_app_only.py")
DISTRIBUTIONS = ("fastapi", "mangum", "boto3")
# The wheels' platform for each architecture, as infra.bundles.bundle installs them.
PLATFORMS: dict[Architecture, str] = {
    "x86_64": "x86_64-manylinux2014",
    "arm64": "aarch64-manylinux2014",
}


def build_baseline(root: Path, destination: Path, architecture: Architecture) -> Path:
    """Install the baseline into `destination` (a new folder); return it."""
    destination.mkdir(parents=True)
    pins = destination.parent / f"{destination.name}-pins.txt"
    pins.write_text(
        _run(
            [
                uv_executable(),
                "export",
                "--all-packages",
                "--frozen",
                "--no-hashes",
                "--no-header",
                "--no-annotate",
                "--no-emit-workspace",
            ],
            cwd=root,
        )
    )
    _run(
        [
            uv_executable(),
            "pip",
            "install",
            "--quiet",
            "--target",
            str(destination),
            "--python-platform",
            PLATFORMS[architecture],
            "--python-version",
            PYTHON_VERSION,
            "--only-binary",
            ":all:",
            # Every version from the lock: the names alone, each held to its pin.
            "--constraint",
            str(pins),
            *DISTRIBUTIONS,
        ],
        cwd=root,
    )
    for name in HANDLERS:
        shutil.copyfile(BASELINES / name, destination / name)
    _run([str(find_python_312()), "-m", "compileall", "-q", "-j", "0", str(destination)], cwd=root)
    return destination


def _run(argv: list[str], *, cwd: Path) -> str:
    result = subprocess.run(argv, cwd=cwd, capture_output=True, text=True, check=False)  # noqa: S603
    if result.returncode != 0:
        raise RuntimeError(f"{' '.join(argv[:3])} failed: {result.stderr.strip()[-2000:]}")
    return result.stdout
