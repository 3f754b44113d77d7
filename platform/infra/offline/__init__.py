"""The program run offline, under Pulumi's mocks (engine, declared), and the
references written from it (snapshot, config_docs)."""
