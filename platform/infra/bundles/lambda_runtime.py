"""The Lambda runtime every function runs on, in one place: the bundles are
built and compiled for it, the functions declare it, the policy pack holds
them to it, and the local runtime reports it."""

from __future__ import annotations

PYTHON_VERSION = "3.12"
RUNTIME = f"python{PYTHON_VERSION}"
