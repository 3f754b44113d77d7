"""The platform's ComponentResources: shared data, identity and API, one per service, alarms."""
