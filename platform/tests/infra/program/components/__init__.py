"""Platform tests (a package, so module names stay unique)."""
