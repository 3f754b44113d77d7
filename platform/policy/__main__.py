"""The policy pack's entry point; the rules are in serverless_rules.py."""

import sys
from pathlib import Path

# service_manifest (standard library only) is read from the checkout, not installed.
sys.path.insert(0, str(Path(__file__).resolve().parents[2] / "libs" / "service-manifest" / "src"))
sys.path.insert(0, str(Path(__file__).resolve().parent))

from pulumi_policy import EnforcementLevel, PolicyPack
from serverless_rules import policies

PolicyPack(
    name="serverless-backend-security",
    enforcement_level=EnforcementLevel.MANDATORY,
    policies=policies(),
)
