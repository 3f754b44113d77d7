"""The whole API's name and version, for its OpenAPI document: the root project's.

Apart from `openapi.py` (which runs the program) so that `make dev` can name
its merged document without loading the program's tools at import."""

from __future__ import annotations

import tomllib
from pathlib import Path

from local_runtime.openapi_merge import ApiInfo

DESCRIPTION = (
    "Every route of every service behind the one HTTP API, as the gateway routes "
    "and guards it. Written by `make openapi` from the services' own documents; "
    "the contract for people is docs/api.md."
)


def api_info(root: Path) -> ApiInfo:
    """The title and version of the root project (`root/pyproject.toml`)."""
    with (root / "pyproject.toml").open("rb") as file:
        project = tomllib.load(file)["project"]
    return ApiInfo(
        title=str(project["name"]), version=str(project["version"]), description=DESCRIPTION
    )
