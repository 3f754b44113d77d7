"""Structured JSON logs (aws-lambda-powertools), one logger per process."""

from __future__ import annotations

import os
from functools import cache

from aws_lambda_powertools import Logger


@cache
def get_logger() -> Logger:
    # The service name and level come from POWERTOOLS_SERVICE_NAME and
    # POWERTOOLS_LOG_LEVEL, which the platform sets per function.
    return Logger(service=os.environ.get("POWERTOOLS_SERVICE_NAME", "service"))
