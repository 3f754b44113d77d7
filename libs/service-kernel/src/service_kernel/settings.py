"""Typed settings read from the environment once, at import.

A missing or bad variable stops the process at start with a message naming
it, rather than failing the first request that happens to need it.
"""

from __future__ import annotations

import os
from collections.abc import Mapping
from typing import TypeVar

from pydantic import BaseModel, Field, ValidationError

SettingsT = TypeVar("SettingsT", bound=BaseModel)


class SettingsError(RuntimeError):
    pass


class ServiceSettings(BaseModel):
    """What the platform gives every function (infra/program/environment.py), as a
    base for each service's own settings. Bounds of stack settings are the
    stack config's to check (platform/infra/program/config.py, the one place they
    live); a service's settings check types and its code's own invariants."""

    stage: str = Field(min_length=1)
    # The stack's `production` flag: one flag decides what production refuses.
    # Unset counts as production, the safe side.
    production: bool = True
    # <package version>+<content digest> (the platform's); see `version`.
    service_version: str | None = None
    # Serve Swagger UI and the OpenAPI document (the platform sets it on the
    # function that serves them, from the stack's `enableDocs`).
    enable_docs: bool = False

    def version(self, package: str) -> str:
        """SERVICE_VERSION, else the installed package's version."""
        if self.service_version:
            return self.service_version
        # Imported only when needed: deployed stacks set SERVICE_VERSION, and
        # importlib.metadata costs a cold start tens of milliseconds.
        from importlib.metadata import version

        return version(package)


def load_settings(model: type[SettingsT], environ: Mapping[str, str] | None = None) -> SettingsT:
    """Build `model` from environment variables named like its fields, upper-cased."""
    env = os.environ if environ is None else environ
    values = {name: env[name.upper()] for name in model.model_fields if name.upper() in env}
    try:
        return model.model_validate(values)
    except ValidationError as exc:
        problems = "; ".join(
            f"{'.'.join(str(part) for part in error['loc']).upper()}: {error['msg']}"
            for error in exc.errors()
        )
        raise SettingsError(f"bad environment for {model.__name__}: {problems}") from None
