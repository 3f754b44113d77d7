"""docs/openapi.json serves a generated client: openapi-python-client (a dev
dependency, offline once installed) writes a Python client from the committed
document, and the quick start runs through it against the local runtime:
start → verify with `dev_otp` → create → get → list → patch with If-Match →
delete."""

from __future__ import annotations

import importlib
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path
from types import ModuleType
from typing import Any

import pytest

from local_runtime.runtime import Runtime

REPO = Path(__file__).resolve().parents[3]
DOCUMENT = REPO / "docs" / "openapi.json"
PACKAGE = "quickstart_client"
# A test destination of dev (the README's number): sent nothing, its code echoed.
PHONE = "+15555550100"


@pytest.fixture(scope="module")
def client_package(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """The generated client's package name, importable for this module's tests."""
    folder = tmp_path_factory.mktemp("client")
    config = folder / "config.yaml"
    config.write_text("post_hooks: []\n")  # no formatter run: nothing beyond the generator
    generated = subprocess.run(
        [
            sys.executable,
            "-m",
            "openapi_python_client",
            "generate",
            f"--path={DOCUMENT}",
            f"--output-path={folder / PACKAGE}",
            "--meta=none",
            f"--config={config}",
        ],
        capture_output=True,
        text=True,
        check=False,
    )
    assert generated.returncode == 0, generated.stdout + generated.stderr
    # The generator names each part of the document it could not turn into code.
    assert "Warning" not in generated.stdout + generated.stderr, generated.stdout
    sys.path.insert(0, str(folder))
    try:
        yield PACKAGE
    finally:
        sys.path.remove(str(folder))
        for name in [name for name in sys.modules if name.partition(".")[0] == PACKAGE]:
            del sys.modules[name]


def part(package: str, name: str) -> ModuleType:
    return importlib.import_module(f"{package}.{name}")


def test_the_document_generates_a_client_with_every_field_of_each_body(
    client_package: str,
) -> None:
    models = part(client_package, "models")
    verify = models.VerifyWithPhone(phone=PHONE, otp="123456", session="s" * 20)
    assert verify.to_dict() == {"phone": PHONE, "otp": "123456", "session": "s" * 20}
    by_email = models.VerifyWithEmail(email="ada@example.com", otp="123456", session="s" * 20)
    assert set(by_email.to_dict()) == {"email", "otp", "session"}
    assert {"name", "price"} <= set(models.ItemCreate(name="Demo", price=19.99).to_dict())
    # Named calls, named after their operation ids.
    for call in ("auth.start", "auth.verify", "items.update_item", "items.delete_item"):
        assert hasattr(part(client_package, f"api.{call}"), "sync_detailed"), call


def test_the_quick_start_runs_through_the_generated_client(
    runtime: Runtime, client_package: str
) -> None:
    models = part(client_package, "models")
    api: Any = part(client_package, "client")
    auth = {name: part(client_package, f"api.auth.{name}") for name in ("start", "verify")}
    items = {
        name: part(client_package, f"api.items.{name}")
        for name in ("create_item", "get_item", "list_items", "update_item", "delete_item")
    }

    anonymous = api.Client(base_url=runtime.url)
    started = auth["start"].sync_detailed(client=anonymous, body=models.StartWithPhone(phone=PHONE))
    assert started.status_code == 200, started.content
    code = started.parsed
    assert isinstance(code, models.StartResponse)
    verified = auth["verify"].sync_detailed(
        client=anonymous,
        body=models.VerifyWithPhone(phone=PHONE, otp=code.dev_otp, session=code.session),
        x_request_id="quick-start-verify",
    )
    assert verified.status_code == 200, verified.content
    assert verified.headers["x-request-id"] == "quick-start-verify"
    tokens = verified.parsed
    assert isinstance(tokens, models.Tokens)

    caller = api.AuthenticatedClient(base_url=runtime.url, token=tokens.access_token)
    body = models.ItemCreate(item_id="quick-start", name="Demo", price=19.99)
    created = items["create_item"].sync_detailed(client=caller, body=body)
    assert created.status_code == 201, created.content
    assert created.headers["location"] == "/items/quick-start"
    assert created.parsed.price == 19.99

    got = items["get_item"].sync_detailed("quick-start", client=caller)
    assert got.status_code == 200, got.content
    assert got.parsed.name == "Demo"
    etag = got.headers["etag"]

    page = items["list_items"].sync(client=caller)
    assert isinstance(page, models.ItemPage)
    assert "quick-start" in [item.item_id for item in page.items]

    patched = items["update_item"].sync_detailed(
        "quick-start", client=caller, body=models.ItemPatch(price=21.5), if_match=etag
    )
    assert patched.status_code == 200, patched.content
    assert (patched.parsed.price, patched.parsed.version) == (21.5, 2)
    stale = items["update_item"].sync_detailed(
        "quick-start", client=caller, body=models.ItemPatch(price=1), if_match=etag
    )
    assert stale.status_code == 412
    assert stale.parsed.error == "precondition_failed"

    deleted = items["delete_item"].sync_detailed(
        "quick-start", client=caller, if_match=patched.headers["etag"]
    )
    assert deleted.status_code == 204
    assert deleted.content == b""
    assert "content-type" not in deleted.headers  # a 204 has no body, so no body's type
    assert items["get_item"].sync_detailed("quick-start", client=caller).status_code == 404
