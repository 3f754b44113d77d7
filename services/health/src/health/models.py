"""The bodies the health routes answer with."""

from __future__ import annotations

from typing import Literal

from pydantic import BaseModel

from health.checks import CheckResult


class Health(BaseModel):
    status: Literal["ok"]
    service: str
    stage: str
    version: str


class Readiness(BaseModel):
    status: Literal["ok", "error"]
    checks: dict[str, CheckResult]


class NotReady(Readiness):
    """The readiness shape plus the contract's error envelope."""

    error: Literal["service_unavailable"] = "service_unavailable"
    message: str
    request_id: str


class StatusUser(BaseModel):
    sub: str
    username: str


class Status(BaseModel):
    status: Literal["ok"]
    stage: str
    user: StatusUser
