"""make dev: the Pulumi program run locally against an embedded AWS emulator."""
