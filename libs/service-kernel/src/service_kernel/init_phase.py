"""A Lambda's init phase, cheaper: wrap a handler module's imports and setup in
`init_phase()`.

    with init_phase():
        from items.app import app
        ...
        handler = lambda_handler(app)

Two costs of a cold start that buy nothing on Lambda go:

- The garbage collector is paused. An import creates objects by the hundred
  thousand and almost none of them is garbage, so collecting during it is
  work for nothing (about 5% of a cold start). At the end, what was built is
  frozen (`gc.freeze`): later collections, on the warm path, skip it.
- FastAPI is imported with pydantic building its models' validators on first
  use instead of at class definition (pydantic's `defer_build`). FastAPI
  defines some sixty models for the OpenAPI document, which only a function
  serving its docs ever builds: about 15% of FastAPI's import. Only FastAPI's
  own models are affected; a service's models are built as they always are.

It runs only where it is used, the handler modules: tests and tools that import
an app directly get FastAPI and pydantic unchanged.
"""

from __future__ import annotations

import gc
from collections.abc import Iterator
from contextlib import contextmanager
from importlib import import_module


@contextmanager
def init_phase() -> Iterator[None]:
    collecting = gc.isenabled()
    gc.disable()
    try:
        _import_fastapi_with_deferred_models()
        yield
    finally:
        gc.freeze()
        if collecting:
            gc.enable()


def _import_fastapi_with_deferred_models() -> None:
    # pydantic has no public switch for the default of `defer_build`: its private
    # table of defaults is set for the length of the import. Where that table is
    # not as expected, FastAPI is imported as is.
    try:
        from pydantic._internal._config import config_defaults
    except ImportError:
        import_module("fastapi")
        return
    if config_defaults.get("defer_build") is not False:
        import_module("fastapi")
        return
    config_defaults["defer_build"] = True
    try:
        import_module("fastapi")
    finally:
        config_defaults["defer_build"] = False
