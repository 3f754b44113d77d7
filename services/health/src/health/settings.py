from __future__ import annotations

from pydantic import BaseModel, Field

from service_kernel import load_settings


class Settings(BaseModel):
    stage: str = Field(min_length=1)
    table_name: str = Field(min_length=1)
    user_pool_id: str = Field(min_length=1)
    # <package version>+<content digest>, set by the platform; the package version when unset.
    service_version: str | None = None
    # Seconds each readiness check may take before it counts as failed.
    readiness_timeout: float = Field(default=2.0, gt=0, le=10)
    enable_docs: bool = False


settings = load_settings(Settings)
