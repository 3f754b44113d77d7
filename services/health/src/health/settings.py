from __future__ import annotations

from pydantic import Field

from service_kernel import ServiceSettings, load_settings


class Settings(ServiceSettings):
    table_name: str = Field(min_length=1)
    user_pool_id: str = Field(min_length=1)
    # Seconds each readiness check may take before it counts as failed.
    readiness_timeout: float = Field(default=2.0, gt=0, le=10)


settings = load_settings(Settings)
