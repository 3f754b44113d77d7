"""The Pulumi program: its entry (main), components, typed config and physical names."""
