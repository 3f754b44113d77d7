"""The policy pack's entry point: `pulumi preview --policy-pack platform/policy`.

The rules are in serverless_rules.py. They read the checkout: the services'
manifests and each stack's typed config (infra.program.stack_files, the program's own
parser, so the pack's `production` is the program's); requirements.txt holds
what those need besides pulumi-policy.
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
