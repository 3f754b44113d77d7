"""CrossGuard policy pack of the platform (a package only so module names stay unique)."""
