"""What runs against a deployed stack: SnapStart's live versions, the smoke test's sign-in."""
