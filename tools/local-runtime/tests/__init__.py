"""The local runtime's tests (a package, so module names stay unique)."""
