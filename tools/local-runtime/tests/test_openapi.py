"""`make openapi`: docs/openapi.json is what the services' code gives now."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from local_runtime import openapi
from local_runtime.model import LocalModel
from local_runtime.openapi_merge import ServiceApi, render
from service_manifest import AUTH_JWT, Function, Manifest, Route, find_manifests
from tests.fake_program import REPO
from tests.support import local_function


def test_docs_openapi_json_is_current(generated_openapi: dict[str, Any]) -> None:
    committed = (REPO / openapi.OUTPUT).read_text(encoding="utf-8")
    assert committed == render(generated_openapi), (
        "docs/openapi.json is stale: run make openapi (and commit it)"
    )


def test_the_whole_api_is_every_services_routes_with_the_jwt_ones_guarded(
    generated_openapi: dict[str, Any],
) -> None:
    documented = {
        f"{method.upper()} {path}": operation
        for path, item in generated_openapi["paths"].items()
        for method, operation in item.items()
    }
    declared = {
        route.route_key: (manifest.name, route.auth)
        for manifest in find_manifests(REPO / "services")
        if manifest.openapi_function is not None
        for route in manifest.openapi_function.routes
    }
    assert set(documented) == set(declared)
    for key, (service, auth) in declared.items():
        assert documented[key]["tags"] == [service]
        assert bool(documented[key]["security"]) == (auth == AUTH_JWT), key
    assert generated_openapi["info"]["title"] == "serverless-backend"


def fake_python(folder: Path, script: str) -> Path:
    """An interpreter that runs `script` (sh) instead: argv is `-I -c <probe> <module>`."""
    python = folder / "python"
    python.write_text(f"#!/bin/sh\n{script}\n")
    python.chmod(0o755)
    return python


def test_a_services_document_is_printed_by_its_own_interpreter_with_its_declared_environment(
    tmp_path: Path,
) -> None:
    script = """printf '{"module": "%s", "setting": "%s"}' "$4" "$SETTING" """
    python = fake_python(tmp_path, script)
    function = local_function("svc.handler.handler", service="svc", SETTING="declared")
    document = openapi.service_document(python, function)
    assert document == {"module": "svc.handler", "setting": "declared"}


def test_a_service_whose_app_cannot_be_imported_is_named_with_the_error(tmp_path: Path) -> None:
    python = fake_python(tmp_path, "echo 'ModuleNotFoundError: svc' >&2; exit 1")
    with pytest.raises(openapi.OpenApiError, match=r"svc\.api: importing svc\.handler\.app failed"):
        openapi.service_document(python, local_function("svc.handler.handler", service="svc"))


def manifest(name: str, *functions: Function) -> Manifest:
    return Manifest(name, REPO / "services" / name / "service.toml", "", (), functions)


def test_only_services_with_an_openapi_function_are_documented() -> None:
    routes = (Route("GET", "/svc"),)
    api = Function("api", "svc.handler.handler", routes=routes, openapi=True)
    model = LocalModel(
        api=None,
        functions={"svc-api": local_function("svc.handler.handler", service="svc")},
        not_modeled=(),
    )
    found = openapi.documented_services(
        [
            manifest("svc", api),
            manifest("quiet", Function("api", "quiet.handler.handler", routes=routes)),
        ],
        model,
    )
    assert [(service.name, service.routes, service.function.name) for service in found] == [
        ("svc", routes, "svc-api")
    ]


def test_an_openapi_function_the_program_does_not_declare_is_an_error() -> None:
    api = Function("api", "other.handler.handler", routes=(Route("GET", "/o"),), openapi=True)
    model = LocalModel(api=None, functions={}, not_modeled=())
    with pytest.raises(openapi.OpenApiError, match=r"other\.api is not declared"):
        openapi.documented_services([manifest("other", api)], model)


def test_make_openapi_writes_the_document_and_check_tells_when_it_is_stale(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    (tmp_path / "docs").mkdir()
    document: dict[str, Any] = {"openapi": "3.1.0", "paths": {}}
    monkeypatch.setattr(openapi, "repo_root", lambda: tmp_path)
    monkeypatch.setattr(openapi, "generate", lambda root: document)
    assert openapi.main(["--check"]) == 1
    assert "docs/openapi.json is stale: run make openapi" in capsys.readouterr().err
    assert openapi.main([]) == 0
    assert json.loads((tmp_path / "docs" / "openapi.json").read_text()) == document
    assert openapi.main(["--check"]) == 0
    document["paths"] = {"/new": {}}
    assert openapi.main(["--check"]) == 1


def test_a_route_declared_but_not_served_is_refused_naming_the_route_and_the_file(
    tmp_path: Path,
) -> None:
    routes = (Route("GET", "/svc"), Route("GET", "/svc/{id}/archive"))
    function = local_function("svc.handler.handler", service="svc")
    manifest_path = tmp_path / "services" / "svc" / "service.toml"
    service = openapi.DocumentedService("svc", routes, function, manifest_path)
    api = ServiceApi("svc", {"paths": {"/svc": {"get": {}}}}, routes)

    with pytest.raises(openapi.UnservedRoutes) as refused:
        openapi.refuse_unserved([api], [service])

    assert str(refused.value) == (
        "no document written: a declared route is not served\n"
        f"  GET /svc/{{id}}/archive is declared in {manifest_path} but the svc app"
        " does not serve it (the app answers 404)"
    )


def test_make_openapi_says_a_persons_mistake_in_a_few_lines_and_writes_nothing(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    (tmp_path / "docs").mkdir()

    def refused(root: Path) -> dict[str, Any]:
        raise openapi.UnservedRoutes("no document written: a declared route is not served")

    monkeypatch.delenv("DEBUG", raising=False)
    monkeypatch.setattr(openapi, "repo_root", lambda: tmp_path)
    monkeypatch.setattr(openapi, "generate", refused)

    assert openapi.main([]) == 2
    assert capsys.readouterr().err == (
        "error: no document written: a declared route is not served\n"
    )
    assert not (tmp_path / "docs" / "openapi.json").exists()
