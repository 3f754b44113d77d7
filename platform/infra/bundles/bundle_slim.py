"""What a Lambda bundle leaves out of what uv.lock installs for it, and why.

A bundle holds the versions uv.lock pins, but not every file of them: each rule
here drops only what a function cannot load on Lambda. Together they take a
bundle from ~25 MB to under 5 MB zipped (`make bench` prints the sizes).

- botocore's models: only those of the AWS services the service's functions
  call (`service_models`: the services their permissions name, their
  `sdk_clients`, and SSM for those reading stack secrets), each at its newest
  API version and without its documentation (help text for docstrings, four
  fifths of a model); plus what botocore reads for any client (endpoints,
  partitions, retry and default configurations), the endpoints table cut down
  to those services. The other ~400 models are ~95% of botocore, and every
  client creation parses the endpoints table.
- Files nothing on Lambda imports or reads (`NEVER_LOADED`), each with its reason:
  development tools, code for other platforms, code whose own dependency is not
  in the lock, and the workspace's own test helpers; and of a few folders, only
  the entries something loads (`ONLY_SHIPPED`): Powertools' utilities and the
  X-Ray SDK's integrations, of which the kernel's Metrics and Tracer use a few.
- Typing stubs; of each distribution's metadata, the headers of METADATA (what
  `importlib.metadata` reads), its entry points and its licences.

Third-party code then ships as bytecode only (`bundle._compile`). A test builds
every bundle and starts every function from it, clients included
(platform/tests/infra/bundles/test_bundle.py): a rule that drops too much fails there.
"""

from __future__ import annotations

import gzip
import json
import shutil
from collections.abc import Iterable
from pathlib import Path
from typing import Any

from infra.program.iam import SECRET_ACTIONS
from service_manifest import Function, Manifest

# An IAM service prefix whose botocore model has another name, or that covers
# several models. A prefix that names a botocore model itself needs no entry.
MODELS_BY_IAM_PREFIX: dict[str, tuple[str, ...]] = {
    "ses": ("ses", "sesv2"),  # SES v1 and v2 share the `ses:` actions
}

# What botocore reads for any client, whichever the service.
BOTOCORE_DATA = (
    "_retry.json",
    "endpoints.json",
    "partitions.json",
    "sdk-default-configuration.json",
)
# In a model's folder: documentation examples, which no client reads.
MODEL_EXAMPLES = "examples-1.json"

# Paths (glob patterns relative to the bundle root) that nothing on Lambda
# imports or reads, each with its reason: development tools, code for other
# platforms, and code whose own dependency is not in the lock (so it could
# never import there anyway).
NEVER_LOADED: dict[str, str] = {
    # FastAPI imports it only to tell a pydantic v1 model apart, and takes its
    # absence as "no v1 model" (FastAPI refuses v1 models anyway). Importing it
    # costs a cold start ~5%.
    "pydantic/v1": "pydantic's v1 API, which FastAPI refuses and nothing here uses",
    "pydantic/mypy.py": "pydantic's mypy plugin",
    "fastapi/cli.py": "the fastapi command (needs fastapi-cli)",
    "fastapi/__main__.py": "the fastapi command (needs fastapi-cli)",
    "fastapi/testclient.py": "a test client (needs httpx)",
    "fastapi/.agents": "FastAPI's notes for coding assistants",
    "starlette/testclient.py": "a test client (needs httpx)",
    "starlette/middleware/sessions.py": "cookie sessions (needs itsdangerous)",
    "botocore/stub.py": "botocore's Stubber, for tests",
    "urllib3/contrib/pyopenssl.py": "urllib3 over pyOpenSSL (needs pyOpenSSL)",
    "urllib3/contrib/socks.py": "urllib3 over SOCKS proxies (needs PySocks)",
    "urllib3/contrib/emscripten": "urllib3 in a browser (Pyodide)",
    "urllib3/http2/connection.py": "urllib3's HTTP/2 connections (needs h2)",
    "anyio/_backends/_trio.py": "anyio on trio (needs trio); Lambda's event loop is asyncio's",
    "anyio/pytest_plugin.py": "anyio's pytest plugin",
    "annotated_types/test_cases.py": "annotated-types' own test data",
    "ulid/__main__.py": "the ulid command",
    "dateutil/tz/win.py": "Windows time zones",
    "dateutil/zoneinfo/rebuild.py": "a tool that rebuilds dateutil's zone database",
    # dateutil reads it only in tz.gettz() for a zone the system lacks (Lambda's
    # has them all); botocore uses tzutc() and tzlocal() only.
    "dateutil/zoneinfo/dateutil-zoneinfo.tar.gz": "dateutil's fallback time-zone database",
    # dateutil's only user here is botocore, which parses dates and reads tzutc()
    # and tzlocal(); no service depends on python-dateutil itself.
    "dateutil/rrule.py": "dateutil's recurrence rules (and tz.tzical, their one user)",
    "dateutil/easter.py": "dateutil's Easter dates",
    "dateutil/tzwin.py": "Windows time zones",
    # phonenumbers' add-ons, which its own modules never import and nothing here
    # does (parsing and validating numbers needs none of them): the cut its
    # maintainers make themselves in phonenumberslite. Most of the package's size.
    "phonenumbers/geocoder.py": "phonenumbers' geocoding add-on (where a number is)",
    "phonenumbers/geodata": "phonenumbers' geocoding add-on (where a number is)",
    "phonenumbers/carrier.py": "phonenumbers' carrier-name add-on",
    "phonenumbers/carrierdata": "phonenumbers' carrier-name add-on",
    "phonenumbers/timezone.py": "phonenumbers' time-zone add-on",
    "phonenumbers/tzdata": "phonenumbers' time-zone add-on",
    "phonenumbers/prefix.py": "the prefix lookup of phonenumbers' add-ons",
    # Short numbers' metadata (emergency and service codes such as 112), one
    # module a region, loaded only when a `shortnumberinfo` function asks about
    # that region; auth only parses and validates full E.164 numbers. Its
    # package's `__init__` (the list of regions) stays: phonenumbers imports it.
    "phonenumbers/shortdata/region_*": "phonenumbers' short-number (emergency code) metadata",
    # Powertools: the kernel uses Metrics (business metrics) and, where a stack
    # traces, Tracer; their package's __init__ imports Logger too. Nothing else.
    "aws_lambda_powertools/event_handler": "Powertools' event handler: the services route "
    "with FastAPI",
    "aws_lambda_powertools/middleware_factory": "Powertools' handler-middleware decorators",
    "aws_lambda_powertools/metrics/provider/datadog": "Powertools' Datadog metrics provider "
    "(needs datadog-lambda)",
    "aws_lambda_powertools/logging/formatters": "Powertools' extra log formatters (the kernel "
    "writes its own lines)",
    "wrapt/_wrappers.c": "the C source of wrapt's compiled extension, which ships",
    # The kernel's docs pages serve Swagger UI's files from this package, never ReDoc.
    "fastapi_offline/static/redoc.standalone.js": "ReDoc, which no docs page serves",
    # Imported only to encode a non-ASCII host name (urllib3, anyio): the only
    # hosts called are AWS endpoints, which are ASCII.
    "idna": "internationalised host names",
    "idna-*.dist-info": "internationalised host names",
    # The workspace's own modules for tests and tools.
    "service_kernel/testing.py": "the services' test helpers (a handler never imports them)",
    "service_manifest/model.py": "the service.toml parser: the platform reads manifests, "
    "a function only the conventions",
}
# Folders of which only these entries ship, each with its reason: the rest is
# code nothing here imports (a new entry a new version adds is left out too).
ONLY_SHIPPED: dict[str, tuple[frozenset[str], str]] = {
    "aws_lambda_powertools/utilities": (
        frozenset({"__init__.py", "jmespath_utils"}),
        "Powertools' utilities (parameters, idempotency, parser, ...): none is used; "
        "its Logger, which its package imports, reads jmespath_utils",
    ),
    "aws_xray_sdk/ext": (
        frozenset({"__init__.py", "boto_utils.py", "botocore", "resources", "util.py"}),
        "the X-Ray SDK's integrations: Tracer patches botocore only (with the "
        "parameter list in resources/)",
    ),
}
# Typing information only: never imported.
TYPING_FILES = ("*.pyi", "py.typed")
# What a distribution's metadata keeps: METADATA's headers, which
# `importlib.metadata.version()` reads (not its body, the project's README), and
# entry points (OpenTelemetry finds its context implementation through one).
DIST_INFO_KEPT = frozenset({"METADATA", "entry_points.txt"})
# A model's JSON keys that hold its documentation: help text only, read when a
# client method's docstring is asked for, never by a call. Four fifths of a model.
MODEL_DOCUMENTATION = frozenset({"documentation", "documentationUrl"})


class ModelError(ValueError):
    """A function calls an AWS service botocore has no model for."""


def function_services(function: Function) -> frozenset[str]:
    """The AWS services `function` calls: those its manifest names (its permissions'
    and its `sdk_clients`), and SSM where it reads stack secrets, whose permission
    the platform grants itself (`infra.program.iam.SECRET_ACTIONS`)."""
    granted = {action.split(":", 1)[0] for action in SECRET_ACTIONS} if function.secrets else set()
    return function.aws_services | granted


def function_models(function: Function) -> frozenset[str]:
    """The botocore models `function` needs: those of every service it calls."""
    return frozenset(
        model
        for service in function_services(function)
        for model in MODELS_BY_IAM_PREFIX.get(service, (service,))
    )


def service_models(manifest: Manifest) -> tuple[str, ...]:
    """The botocore models a service's bundle ships: every one its functions need."""
    return tuple(sorted({model for f in manifest.functions for model in function_models(f)}))


def slim(staging: Path, models: Iterable[str]) -> None:
    """Drop from the installed `staging` folder what its functions never load."""
    _keep_models(staging, frozenset(models))
    for pattern in NEVER_LOADED:
        for path in sorted(staging.glob(pattern)):
            _remove(path)
    for folder, (kept, _) in ONLY_SHIPPED.items():
        if (staging / folder).is_dir():
            for path in sorted((staging / folder).iterdir()):
                if path.name not in kept:
                    _remove(path)
    for pattern in TYPING_FILES:
        for path in sorted(staging.rglob(pattern)):
            path.unlink()
    for dist_info in sorted(staging.glob("*.dist-info")):
        for path in sorted(dist_info.iterdir()):
            if path.name not in DIST_INFO_KEPT and not _is_licence(dist_info, path):
                _remove(path)
        metadata = dist_info / "METADATA"
        if metadata.is_file():
            _replace(metadata, _headers(metadata.read_text()))


def _headers(metadata: str) -> str:
    """METADATA's header block: everything before the first blank line."""
    headers, _, _ = metadata.partition("\n\n")
    return headers + "\n"


def _keep_models(staging: Path, models: frozenset[str]) -> None:
    data = _botocore_data(staging)
    if not data.is_dir():
        return
    missing = sorted(model for model in models if not (data / model).is_dir())
    if missing:
        raise ModelError(
            f"botocore has no model named {', '.join(missing)}: a permission's IAM prefix that "
            "is not a model's name needs its models in MODELS_BY_IAM_PREFIX"
        )
    for path in sorted(data.iterdir()):
        if path.is_dir() and path.name not in models:
            shutil.rmtree(path)
        elif path.is_file() and path.name not in BOTOCORE_DATA:
            path.unlink()
    for model in sorted(models):
        newest = _api_versions(data / model)[-1]
        for version in sorted((data / model).iterdir()):
            if version != newest:
                _remove(version)
    for examples in sorted(data.rglob(MODEL_EXAMPLES)):
        examples.unlink()
    _keep_endpoints(data, models)
    for model in sorted(models):
        for service in sorted((data / model).glob("*/service-2.json*")):
            _strip_documentation(service)


def _strip_documentation(path: Path) -> None:
    """The model without its documentation, as plain JSON (botocore reads a
    `service-2.json` before a `service-2.json.gz`; the zip compresses it)."""
    raw = gzip.decompress(path.read_bytes()) if path.suffix == ".gz" else path.read_bytes()
    model = _undocumented(json.loads(raw))
    path.unlink()
    _replace(path.parent / "service-2.json", json.dumps(model, separators=(",", ":")))


def _undocumented(value: Any) -> Any:
    """`value` without documentation strings. A member that happens to be called
    `documentation` is a shape reference (an object), never a string: it stays."""
    if isinstance(value, dict):
        return {
            key: _undocumented(item)
            for key, item in value.items()
            if not (key in MODEL_DOCUMENTATION and isinstance(item, str))
        }
    if isinstance(value, list):
        return [_undocumented(item) for item in value]
    return value


def _api_versions(model: Path) -> list[Path]:
    """A model's API versions that define its service, oldest first (an old folder may
    hold only an endpoint rule set). A client gets the newest, unless created with an
    older `api_version`, which nothing here does: only the newest ships."""
    return sorted(path.parent for path in model.glob("*/service-2.json*"))


def _keep_endpoints(data: Path, models: frozenset[str]) -> None:
    """The endpoints table, for the kept services only: the whole table is a
    1.2 MB JSON file that every client creation parses (~5% of a cold start)."""
    prefixes = {_endpoint_prefix(data, model) for model in models}
    path = data / "endpoints.json"
    table = json.loads(path.read_text())
    for partition in table["partitions"]:
        partition["services"] = {
            name: entry for name, entry in partition["services"].items() if name in prefixes
        }
    _replace(path, json.dumps(table, separators=(",", ":")))


def _endpoint_prefix(data: Path, model: str) -> str:
    """The model's `endpointPrefix`: its key in the endpoints table (SES's is `email`)."""
    latest = _api_versions(data / model)[-1]
    service = latest / "service-2.json.gz"
    text = gzip.decompress(service.read_bytes()) if service.exists() else None
    if text is None:
        text = (latest / "service-2.json").read_bytes()
    return str(json.loads(text)["metadata"]["endpointPrefix"])


def _botocore_data(staging: Path) -> Path:
    return staging / "botocore" / "data"


def _is_licence(dist_info: Path, path: Path) -> bool:
    return path.name.upper().startswith(("LICENSE", "LICENCE", "COPYING", "NOTICE")) or (
        path.is_dir() and path.name == "licenses" and path.parent == dist_info
    )


def _replace(path: Path, text: str) -> None:
    """A new file in place of `path`, never the installed one rewritten in place
    (an installed file may be a link into uv's cache)."""
    path.unlink(missing_ok=True)
    path.write_text(text)


def _remove(path: Path) -> None:
    if path.is_dir():
        shutil.rmtree(path)
    elif path.exists():
        path.unlink()
