"""A package with data, a subpackage and a namespace directory."""
