"""The auth routes, one module per concern."""
