"""Swagger UI pages, with their JS and CSS served locally: docs work offline.

The assets come from the `fastapi-offline` package: it ships Swagger UI 5,
which renders OpenAPI 3.1 (what FastAPI and `openapi_merge` write), where
`swagger-ui-bundle` and its successor `py-swagger-ui` still ship Swagger UI
4, which does not. Only the package's folder is read: importing it would
import FastAPI, which the runtime has no other use for.
"""

from __future__ import annotations

import html
import importlib.util
import json
from collections.abc import Mapping
from dataclasses import dataclass
from functools import cache
from pathlib import Path

ASSETS_PACKAGE = "fastapi_offline"
# Each asset a page uses, by the name it is served under, with its content type.
CONTENT_TYPES: Mapping[str, str] = {
    "swagger-ui-bundle.js": "text/javascript; charset=utf-8",
    "swagger-ui.css": "text/css; charset=utf-8",
    "favicon.png": "image/png",
}


@dataclass(frozen=True)
class Asset:
    content_type: str
    body: bytes


class AssetsMissing(RuntimeError):
    """The assets package is not installed, or no longer ships an asset we serve."""


def asset(name: str) -> Asset | None:
    """One of the assets by name; None for any other name (no path reaches the disk)."""
    content_type = CONTENT_TYPES.get(name)
    if content_type is None:
        return None
    return Asset(content_type, _read(name))


@cache
def _read(name: str) -> bytes:
    path = _assets_folder() / name
    if not path.is_file():
        raise AssetsMissing(f"{ASSETS_PACKAGE} ships no {name} (at {path})")
    return path.read_bytes()


@cache
def _assets_folder() -> Path:
    spec = importlib.util.find_spec(ASSETS_PACKAGE)
    if spec is None or not spec.submodule_search_locations:
        raise AssetsMissing(f"{ASSETS_PACKAGE} is not installed (local-runtime depends on it)")
    return Path(next(iter(spec.submodule_search_locations))) / "static"


def page(*, title: str, spec_url: str, assets_url: str, links: Mapping[str, str]) -> str:
    """A Swagger UI page for the document at `spec_url`, its assets under
    `assets_url`, with `links` (text → URL) to the other pages above it."""
    nav = " · ".join(
        f'<a href="{html.escape(url)}">{html.escape(text)}</a>' for text, url in links.items()
    )
    options = json.dumps(
        {
            "url": spec_url,
            "dom_id": "#swagger-ui",
            "deepLinking": True,
            "persistAuthorization": True,
        }
    )
    assets = html.escape(assets_url)
    return f"""<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>{html.escape(title)}</title>
<link rel="stylesheet" href="{assets}/swagger-ui.css">
<link rel="icon" type="image/png" href="{assets}/favicon.png">
<style>nav {{ font-family: sans-serif; padding: 0.5em 1.5em; }}</style></head>
<body><nav>{nav}</nav><div id="swagger-ui"></div>
<script src="{assets}/swagger-ui-bundle.js"></script>
<script>SwaggerUIBundle({options});</script>
</body></html>"""
