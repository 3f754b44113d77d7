"""Swagger UI pages whose every file comes from the function itself: docs work
offline, and no third party's script runs on the API's origin.

The assets are Swagger UI's own build as the `fastapi-offline` package ships it
(Swagger UI 5, which renders OpenAPI 3.1, where `swagger-ui-bundle` and
`py-swagger-ui` still ship 4), pinned by uv.lock; `SWAGGER_UI_VERSION` names
the version inside, and a test holds the two equal. Only the package's folder
is read, never imported (it would import FastAPI). The page itself has no
inline script or style: its options travel as a JSON data block that
`swagger-initializer.js` reads, so it runs under `CONTENT_SECURITY_POLICY`,
which allows nothing but the function's own files (and `data:` images, the
icons inside Swagger UI's CSS).

Standard library only: the local runtime serves the same pages and files.
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
SWAGGER_UI_VERSION = "5.32.6"
CONTENT_SECURITY_POLICY = (
    "default-src 'self'; img-src 'self' data:; object-src 'none'; base-uri 'none'; "
    "form-action 'none'; frame-ancestors 'none'"
)
HTML = "text/html; charset=utf-8"
# Each packaged asset a page uses, by the name it is served under, with its content type.
PACKAGED: Mapping[str, str] = {
    "swagger-ui-bundle.js": "text/javascript; charset=utf-8",
    "swagger-ui.css": "text/css; charset=utf-8",
    "favicon.png": "image/png",
}
_OPTIONS_ID = "swagger-ui-options"
# What the page's inline script and style would be, as files of their own.
OWN: Mapping[str, tuple[str, str]] = {
    "swagger-initializer.js": (
        "text/javascript; charset=utf-8",
        f'const options = JSON.parse(document.getElementById("{_OPTIONS_ID}").textContent);\n'
        'window.ui = SwaggerUIBundle({...options, dom_id: "#swagger-ui"});\n',
    ),
    "docs.css": (
        "text/css; charset=utf-8",
        "nav { font-family: sans-serif; padding: 0.5em 1.5em; }\n",
    ),
}


@dataclass(frozen=True)
class Asset:
    content_type: str
    body: bytes


class AssetsMissing(RuntimeError):
    """The assets package is not installed, or no longer ships an asset we serve."""


def asset(name: str) -> Asset | None:
    """One of the assets by name; None for any other name (no path reaches the disk)."""
    if name in OWN:
        content_type, text = OWN[name]
        return Asset(content_type, text.encode())
    packaged = PACKAGED.get(name)
    if packaged is None:
        return None
    return Asset(packaged, _read(name))


def page(*, title: str, spec_url: str, assets_url: str, links: Mapping[str, str]) -> str:
    """A Swagger UI page for the document at `spec_url`, its assets under
    `assets_url`, with `links` (text → URL) to the other pages above it."""
    nav = " · ".join(
        f'<a href="{html.escape(url)}">{html.escape(text)}</a>' for text, url in links.items()
    )
    options = json.dumps(
        {
            "url": spec_url,
            "deepLinking": True,
            "persistAuthorization": True,
            # Never ask validator.swagger.io for a badge: nothing leaves the origin.
            "validatorUrl": None,
        }
    )
    # `</` never appears in a JSON data block, so it cannot end the element early.
    options = options.replace("</", "<\\/")
    assets = html.escape(assets_url)
    return f"""<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>{html.escape(title)}</title>
<link rel="stylesheet" href="{assets}/swagger-ui.css">
<link rel="stylesheet" href="{assets}/docs.css">
<link rel="icon" type="image/png" href="{assets}/favicon.png"></head>
<body><nav>{nav}</nav><div id="swagger-ui"></div>
<script type="application/json" id="{_OPTIONS_ID}">{options}</script>
<script src="{assets}/swagger-ui-bundle.js"></script>
<script src="{assets}/swagger-initializer.js"></script>
</body></html>"""


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
        raise AssetsMissing(f"{ASSETS_PACKAGE} is not installed (service-kernel depends on it)")
    return Path(next(iter(spec.submodule_search_locations))) / "static"
