"""Per-package actions: checks of wheels, C extensions and their C libraries built from sources."""
