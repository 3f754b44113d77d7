"""The test stack: what a Pulumi.<stack>.yaml and the platform would give
this service's functions, and the environment service.toml makes of it."""

from __future__ import annotations

from pathlib import Path

from service_manifest import load_manifest
from service_manifest.testing import environment

MANIFEST = load_manifest(Path(__file__).parents[1] / "service.toml")
REGION = "us-east-1"
TABLE = "app-table"
SENDER = "no-reply@example.com"
# The test stack's config, as a Pulumi.<stack>.yaml states it: service.toml
# turns it into each function's variables, as the platform does.
CONFIG = {
    "auth": {
        "productName": "Acme",
        "otpTtlSeconds": 300,
        "otpMaxAttempts": 3,
        "autoConfirm": False,
        "sendRateLimit": 5,
        "sendRateWindowSeconds": 900,
        "sourceSendLimit": 20,
        "sourceSendWindowSeconds": 3600,
        "stackSmsPerHour": 100,
        "stackEmailsPerHour": 100,
        "trustedDays": 30,
        "alarmStackBudgetSpentPerHour": 0,
        "signupSourceLimit": 20,
        "signupSourceWindowSeconds": 3600,
        "maxFailedCodes": 10,
        "smsCountries": ["US", "CA", "GB"],
        "testDestinations": ["+15555550100", "@example.test"],
        "emailSender": SENDER,
    }
}
# The stack secrets' values, as the platform's SSM parameters hold them.
SECRETS = {
    "/test/secrets/authTicketKey": "test-ticket-key",
    "/test/secrets/authDestinationKey": "test-destination-key",
    "/test/secrets/authTestCode": "test-code-key",
}
# The app client's secret's parameter: the `aws` fixture puts the client's secret there.
CLIENT_SECRET_PARAMETER = "/test/secrets/authClientSecret"

# The process's environment: AWS's test credentials, what the platform gives
# every function, and every variable service.toml declares, resolved.
ENVIRONMENT = {
    "AWS_DEFAULT_REGION": REGION,
    "AWS_ACCESS_KEY_ID": "testing",
    "AWS_SECRET_ACCESS_KEY": "testing",
    # What the platform gives every function (infra/environment.py).
    "STAGE": "test",
    # Unset counts as production, which refuses the dev echo these tests read.
    "PRODUCTION": "false",
    "POWERTOOLS_SERVICE_NAME": MANIFEST.name,
    # The stack's CloudWatch namespace, which the business metrics are written in.
    "POWERTOOLS_METRICS_NAMESPACE": "serverless-backend/test",
    # The local runtime's echo of every code, which these tests read.
    "LOCAL_RUNTIME_ECHO_CODES": "true",
    **environment(
        MANIFEST,
        config=CONFIG,
        resources={
            "table.name": TABLE,
            "user_pool.id": "placeholder-pool",
            "user_pool.client_id": "placeholder-client",
        },
        secret_parameter=lambda key: f"/test/secrets/{key}:1",
    ),
}
