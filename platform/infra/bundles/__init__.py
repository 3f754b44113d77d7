"""The Lambda bundles: building them (bundle), slimming them (bundle_slim),
the runtime they target (lambda_runtime)."""
