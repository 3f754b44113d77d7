"""`make openapi`: the whole HTTP API's OpenAPI document, `docs/openapi.json`.

    python -m local_runtime.openapi           # write docs/openapi.json
    python -m local_runtime.openapi --check   # exit 1 when it is stale

Each service whose manifest has an `openapi = true` function gives its own
document: its app, imported in the service's own interpreter
(`.venvs/<service>`, exactly its dependencies) with that function's declared
environment for the dev stack, prints `app.openapi()`. The manifests' routes
say what the gateway routes and guards; `openapi_merge` makes one document of
them.
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
from collections.abc import Callable, Sequence
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any, NamedTuple

from infra.offline.declared import declare
from infra.repo import repo_root
from local_runtime.api_info import api_info
from local_runtime.environments import service_python
from local_runtime.model import LocalFunction, LocalModel, build_model
from local_runtime.openapi_merge import ServiceApi, merge, render
from local_runtime.served_routes import unserved_routes
from service_manifest import Manifest, Route, find_manifests
from service_manifest.user_errors import UserError, run_for_people

# What Lambda gives every function; the document is built without any AWS call.
LAMBDA_ENVIRONMENT = {
    "AWS_ACCESS_KEY_ID": "openapi",
    "AWS_SECRET_ACCESS_KEY": "openapi",
    "AWS_DEFAULT_REGION": "us-east-1",
    "AWS_REGION": "us-east-1",
    "PYTHONDONTWRITEBYTECODE": "1",
}
# The services' schemas do not read their settings: the dev stack's environment
# only lets every app start, so the document is the same for every stack.
STACK = "dev"
OUTPUT = Path("docs") / "openapi.json"
PROBE = """
import importlib, json, sys
app = importlib.import_module(sys.argv[1]).app
sys.stdout.write(json.dumps(app.openapi()))
"""


class OpenApiError(RuntimeError):
    """A service's document could not be produced."""


class UnservedRoutes(OpenApiError, UserError):
    """A manifest declares a route its service's app does not serve: the
    document would leave it out, so none is written."""


def service_document(python: Path, function: LocalFunction) -> dict[str, Any]:
    """`app.openapi()` of the app in `function`'s handler module, run by `python`."""
    module = function.handler.rpartition(".")[0]
    env = {"PATH": os.environ.get("PATH", ""), **LAMBDA_ENVIRONMENT, **function.environment}
    result = subprocess.run(  # noqa: S603 - the service's interpreter, our probe
        [str(python), "-I", "-c", PROBE, module],
        env=env,
        capture_output=True,
        text=True,
        check=False,
    )
    if result.returncode != 0:
        raise OpenApiError(
            f"{function.label}: importing {module}.app failed:\n{result.stderr.strip()}"
        )
    document: dict[str, Any] = json.loads(result.stdout)
    return document


class DocumentedService(NamedTuple):
    name: str
    routes: tuple[Route, ...]  # its `openapi = true` function's, from the manifest
    function: LocalFunction  # that function as the program declares it
    manifest: Path  # its service.toml


def documented_services(
    manifests: Sequence[Manifest], model: LocalModel
) -> list[DocumentedService]:
    """Each service whose manifest has an `openapi = true` function."""
    found = []
    for manifest in manifests:
        function = manifest.openapi_function
        if function is None:
            continue
        declared = next(
            (
                f
                for f in model.functions.values()
                if f.service == manifest.name and f.manifest_function == function.name
            ),
            None,
        )
        if declared is None:
            raise OpenApiError(f"{manifest.name}.{function.name} is not declared by the program")
        found.append(DocumentedService(manifest.name, function.routes, declared, manifest.path))
    return found


def generate(
    root: Path | None = None,
    python_for: Callable[[Path, str], Path] = service_python,
) -> dict[str, Any]:
    """The merged document for the code as it is in `root` (the checkout)."""
    root = root or repo_root()
    resources, _ = declare(STACK)
    services = documented_services(find_manifests(root / "services"), build_model(resources))

    def one(service: DocumentedService) -> ServiceApi:
        document = service_document(python_for(root, service.name), service.function)
        return ServiceApi(service.name, document, service.routes)

    with ThreadPoolExecutor(max_workers=4) as pool:
        apis = list(pool.map(one, services))
    refuse_unserved(apis, services)
    return merge(apis, api_info(root))


def refuse_unserved(apis: Sequence[ServiceApi], services: Sequence[DocumentedService]) -> None:
    """UnservedRoutes when a manifest declares a route its app does not serve:
    the merge would leave it out of the document without a word."""
    problems = unserved_routes(
        {api.name: api.routes for api in apis},
        {api.name: api.document for api in apis},
        {service.name: service.manifest for service in services},
    )
    if problems:
        raise UnservedRoutes(
            "no document written: a declared route is not served\n  " + "\n  ".join(problems)
        )


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m local_runtime.openapi")
    parser.add_argument(
        "--check", action="store_true", help=f"exit 1 when {OUTPUT} is not what the code gives"
    )
    args = parser.parse_args(argv)
    return run_for_people(lambda: write(args.check))


def write(check: bool) -> int:
    """Write (or, with `check`, compare) the document."""
    root = repo_root()
    output = root / OUTPUT
    text = render(generate(root))
    if check:
        if not output.is_file() or output.read_text(encoding="utf-8") != text:
            sys.stderr.write(f"{OUTPUT} is stale: run make openapi\n")
            return 1
        sys.stdout.write(f"{OUTPUT} is current\n")
        return 0
    output.write_text(text, encoding="utf-8")
    sys.stdout.write(f"wrote {OUTPUT}\n")
    return 0


if __name__ == "__main__":
    sys.exit(main())
