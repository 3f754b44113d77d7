"""The policy pack's entry point: `pulumi preview --policy-pack platform/policy`.

The rules are in serverless_rules.py; service_manifest (standard library only)
is read from the checkout, so the pack's virtualenv needs only pulumi-policy.
"""

import sys
from pathlib import Path

_PLATFORM = Path(__file__).resolve().parents[1]
sys.path[:0] = [str(_PLATFORM), str(_PLATFORM.parent / "libs" / "service-manifest" / "src")]

from pulumi_policy import EnforcementLevel, PolicyPack  # noqa: E402

from policy.serverless_rules import policies  # noqa: E402

PolicyPack(
    name="serverless-backend-security",
    enforcement_level=EnforcementLevel.MANDATORY,
    policies=policies(),
)
