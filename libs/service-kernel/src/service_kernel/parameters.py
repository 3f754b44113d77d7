"""Stack secrets, read from SSM Parameter Store once per process, at first use.

A function's environment holds a secret's parameter name (`${secret.<key>}` in
service.toml: `<name>:<version>`), never the secret, which anyone allowed
`lambda:GetFunctionConfiguration` could read. The value is fetched the first time
code asks for it, not at import, so a cold start that never needs it pays nothing,
and then kept for the life of the process. botocore only (Powertools' parameters
utility would import boto3, which bundles do not ship).
"""

from __future__ import annotations

import threading

from service_kernel.aws import client

_lock = threading.Lock()
_values: dict[str, str] = {}


def secret_value(parameter: str) -> str:
    """The decrypted value of the SecureString `parameter` (a name, or `name:version`)."""
    with _lock:
        if parameter not in _values:
            response = client("ssm").get_parameter(Name=parameter, WithDecryption=True)
            _values[parameter] = str(response["Parameter"]["Value"])
        return _values[parameter]


def forget_secrets() -> None:
    """Drop every cached value (tests that change the parameters)."""
    with _lock:
        _values.clear()
