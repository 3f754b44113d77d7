"""Swagger UI pages load only what the function (or the local runtime) serves
itself: docs work offline, under a Content-Security-Policy of 'self'."""

from __future__ import annotations

import re

import pytest
from fastapi.testclient import TestClient

from service_kernel import create_app, swagger_ui


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
        "/_local/docs/assets/docs.css",
        "/_local/docs/assets/favicon.png",
        "/_local/docs/assets/swagger-initializer.js",
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


def test_the_page_has_no_inline_script_or_style_so_its_policy_allows_only_its_own_files() -> None:
    text = page()
    scripts = re.findall(r"<script([^>]*)>(.*?)</script>", text, re.DOTALL)
    assert all(
        "src=" in attributes or 'type="application/json"' in attributes for attributes, _ in scripts
    )
    assert "<style" not in text
    assert " style=" not in text
    policy = dict(
        part.strip().split(" ", 1) for part in swagger_ui.CONTENT_SECURITY_POLICY.split(";")
    )
    assert policy["default-src"] == "'self'"
    assert policy["img-src"] == "'self' data:"  # the icons inside Swagger UI's own CSS
    assert '"validatorUrl": null' in text  # no badge fetched from validator.swagger.io


def test_the_swagger_ui_served_is_the_pinned_version() -> None:
    bundle = swagger_ui.asset("swagger-ui-bundle.js")
    assert bundle is not None
    assert f'PACKAGE_VERSION:"{swagger_ui.SWAGGER_UI_VERSION}"'.encode() in bundle.body


def test_a_services_docs_page_and_every_file_it_loads_come_from_the_function() -> None:
    client = TestClient(create_app("things", "1.0", docs=True))
    answer = client.get("/docs/things")
    assert answer.headers["content-security-policy"] == swagger_ui.CONTENT_SECURITY_POLICY
    loaded = re.findall(r'(?:src|href)="([^"]+)"', answer.text)
    assert loaded
    for url in loaded:
        assert url == "/docs/things" or url.startswith("/docs/things/"), url
        file = client.get(url)
        assert file.status_code == 200, url
        if "/assets/" in url:
            assert file.headers["content-security-policy"] == swagger_ui.CONTENT_SECURITY_POLICY
    assert client.get("/docs/things/assets/redoc.standalone.js").status_code == 404
    without = TestClient(create_app("things", "1.0", docs=False))
    assert without.get("/docs/things/assets/swagger-ui.css").status_code == 404
