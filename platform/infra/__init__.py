"""The platform, grouped by job:

- `program`: the Pulumi program (its entry `main`, the components, the typed
  stack config, every physical name);
- `bundles`: building and slimming each service's Lambda bundle;
- `offline`: the program run under Pulumi's mocks, and the references written
  from it (the snapshots, docs/config.md);
- `operations`: what runs against a deployed stack (SnapStart's live versions,
  the smoke test's sign-in).

Not named `platform`: that would shadow the standard library module.
"""
