"""Swagger UI pages load only what the runtime serves itself: docs work offline."""

from __future__ import annotations

import re

import pytest

from local_runtime import swagger_ui


def page() -> str:
    return swagger_ui.page(
        title="items API",
        spec_url="/_local/docs/items/openapi.json",
        assets_url="/_local/docs/assets",
        links={"whole API": "/_local/docs", "items": "/_local/docs/items"},
    )


def test_the_page_loads_its_script_and_styles_from_the_assets_url_only() -> None:
    loaded = re.findall(r'(?:src|href)="([^"]+)"', page())
    assets = [url for url in loaded if url.startswith("/_local/docs/assets/")]
    assert sorted(assets) == [
        "/_local/docs/assets/favicon.png",
        "/_local/docs/assets/swagger-ui-bundle.js",
        "/_local/docs/assets/swagger-ui.css",
    ]
    assert all(url.startswith("/") for url in loaded)  # nothing from another host
    assert "//" not in "".join(loaded)


def test_the_page_shows_the_document_and_links_to_the_others() -> None:
    text = page()
    assert '"url": "/_local/docs/items/openapi.json"' in text
    assert '<a href="/_local/docs">whole API</a>' in text
    assert '<a href="/_local/docs/items">items</a>' in text
    assert "<title>items API</title>" in text


@pytest.mark.parametrize(
    ("name", "content_type", "starts_with"),
    [
        ("swagger-ui-bundle.js", "text/javascript; charset=utf-8", b"/*!"),
        ("swagger-ui.css", "text/css; charset=utf-8", b".swagger-ui"),
        ("favicon.png", "image/png", b"\x89PNG"),
    ],
)
def test_each_asset_is_served_from_the_package_with_its_content_type(
    name: str, content_type: str, starts_with: bytes
) -> None:
    asset = swagger_ui.asset(name)
    assert asset is not None
    assert asset.content_type == content_type
    assert asset.body.startswith(starts_with)


@pytest.mark.parametrize("name", ["redoc.standalone.js", "../core.py", "", "x/../favicon.png"])
def test_no_other_file_is_served(name: str) -> None:
    assert swagger_ui.asset(name) is None
